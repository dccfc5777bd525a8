/**
 * Unit parsing for topology specs and files. Internally weft uses bytes per second and
 * nanoseconds (see types.ts); people write "400Gbps", "450GB/s", "1us".
 *
 * Bandwidth: bit rates use 1e3 steps (bps, Kbps, Mbps, Gbps, Tbps, Pbps; also Gb/s spelling);
 * byte rates use 1e3 steps too (B/s, KB/s, MB/s, GB/s, TB/s, PB/s; also Bps, KBps … GBps), as
 * vendors and nccl-tests do (GB/s = 1e9 B/s). Case matters for the b/B distinction only.
 * Latency: ns, us (or µs), ms, s. A bare number is rejected: "1" could mean 1 ns or 1 s,
 * and a silent factor of 1e9 is the kind of mistake a unit is there to prevent.
 */
import { WeftInputError } from '@weft/sim';

// P is read so that a rate above the physical range (validate.ts: up to 1 PB/s) is refused as too fast, in the unit its message names.
const SI_PREFIX: Readonly<Record<string, number>> = { '': 1, K: 1e3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };

const BANDWIDTH_RE = /^([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([kKMGTP]?)(bps|b\/s|B\/s|Bps)$/;
const LATENCY_RE = /^([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(ns|us|µs|ms|s)$/;
const LATENCY_SCALE_NS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9 };

export const BANDWIDTH_UNITS_HELP = 'a number with bps/Kbps/Mbps/Gbps/Tbps (bits) or B/s, KB/s, MB/s, GB/s, TB/s (also GBps), e.g. 400Gbps or 450GB/s';
export const LATENCY_UNITS_HELP = 'a number with ns, us, ms or s, e.g. 1us or 250ns';

/** A number with no unit, e.g. "400" or "-5": the hint that a unit is missing fits only these. */
const BARE_NUMBER_RE = /^[+-]?[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?$/;

/** `text` is `-` then a value `valueRe` reads: a negative quantity written with its unit, refused as negative (not as unreadable). */
const isNegative = (text: string, valueRe: RegExp): boolean => text.startsWith('-') && valueRe.test(text.slice(1).trim());

/** Parses a bandwidth such as "400Gbps" or "450GB/s" into bytes per second (> 0). */
export function parseBandwidth(text: string, what = 'bandwidth'): number {
  const trimmed = text.trim();
  const match = BANDWIDTH_RE.exec(trimmed);
  if (!match && isNegative(trimmed, BANDWIDTH_RE)) throw new WeftInputError(`${what}: must be > 0, got "${text}"; expected ${BANDWIDTH_UNITS_HELP}`);
  if (!match) throw new WeftInputError(`${what}: cannot read "${text}"; expected ${BANDWIDTH_UNITS_HELP}${BARE_NUMBER_RE.test(trimmed) ? ' (a bare number is ambiguous)' : ''}`);
  const value = Number(match[1]);
  const prefix = SI_PREFIX[match[2]!]!;
  const isBits = match[3] === 'bps' || match[3] === 'b/s';
  const bytesPerSec = (value * prefix) / (isBits ? 8 : 1);
  if (!(bytesPerSec > 0) || !Number.isFinite(bytesPerSec)) {
    throw new WeftInputError(`${what}: must be > 0, got "${text}"; expected ${BANDWIDTH_UNITS_HELP}`);
  }
  return bytesPerSec;
}

/** Parses a latency such as "1us" or "250ns" into nanoseconds (>= 0). */
export function parseLatency(text: string, what = 'latency'): number {
  const trimmed = text.trim();
  const match = LATENCY_RE.exec(trimmed);
  if (!match && isNegative(trimmed, LATENCY_RE)) throw new WeftInputError(`${what}: "${text}" is negative; a time must be >= 0, ${LATENCY_UNITS_HELP}`);
  if (!match) throw new WeftInputError(`${what}: cannot read "${text}"; expected ${LATENCY_UNITS_HELP}${BARE_NUMBER_RE.test(trimmed) ? ' (a bare number is ambiguous)' : ''}`);
  const latencyNs = Number(match[1]) * LATENCY_SCALE_NS[match[2]!]!;
  if (!Number.isFinite(latencyNs)) throw new WeftInputError(`${what}: "${text}" is not finite; expected ${LATENCY_UNITS_HELP}`);
  return latencyNs;
}

/**
 * Formats bytes/s the way nccl-tests prints bandwidth (GB/s = 1e9 B/s), plus the bit rate.
 * Below 1 GB/s the largest of MB/s, KB/s, B/s (and Mb/s, Kb/s, b/s) that keeps the number
 * >= 1: a topology file's bare `bandwidth: 400` reads `400 B/s`, not `4e-7 GB/s`.
 */
export function formatBandwidth(bytesPerSec: number): string {
  return `${scaledRate(bytesPerSec, 'B/s')} (${scaledRate(bytesPerSec * 8, 'b/s')})`;
}

/** `perSec` in G`unit` from 1e9 up (and for 0, below 1 or not a number), else in M, K or no prefix, whichever keeps it >= 1. */
function scaledRate(perSec: number, unit: string): string {
  if (perSec >= 1e9 || !(perSec >= 1)) return `${trimNumber(perSec / 1e9)} G${unit}`;
  if (perSec >= 1e6) return `${trimNumber(perSec / 1e6)} M${unit}`;
  if (perSec >= 1e3) return `${trimNumber(perSec / 1e3)} K${unit}`;
  return `${trimNumber(perSec)} ${unit}`;
}

/** Formats nanoseconds with the largest unit that keeps the number >= 1. */
export function formatLatency(latencyNs: number): string {
  if (latencyNs >= 1e9) return `${trimNumber(latencyNs / 1e9)} s`;
  if (latencyNs >= 1e6) return `${trimNumber(latencyNs / 1e6)} ms`;
  if (latencyNs >= 1e3) return `${trimNumber(latencyNs / 1e3)} us`;
  return `${trimNumber(latencyNs)} ns`;
}

function trimNumber(value: number): string {
  return String(Number(value.toPrecision(4)));
}
