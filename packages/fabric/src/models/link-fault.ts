/**
 * A link fault as both network models (fluid network.ts, packet models/packet) schedule it:
 * checked here once, applied by each model at its virtual time in its own way.
 */
import { checkFactor, checkTime } from './validate.js';

/** A fault on link index `link`: it fails, or keeps `factor` of its bandwidth. */
export type LinkFault = { readonly kind: 'fail'; readonly link: number } | { readonly kind: 'degrade'; readonly link: number; readonly factor: number };

/** The failure of `link` at `atNs`, checked against the network's clock (`nowNs`). */
export function linkFailure(link: number, atNs: number, nowNs: number): LinkFault {
  checkTime('link failure time', atNs, nowNs);
  return { kind: 'fail', link };
}

/** `link` degraded to `factor` of its bandwidth at `atNs` (0 < factor <= 1), checked against the clock. */
export function linkDegrade(link: number, factor: number, atNs: number, nowNs: number): LinkFault {
  checkFactor(factor);
  checkTime('link degrade time', atNs, nowNs);
  return { kind: 'degrade', link, factor };
}
