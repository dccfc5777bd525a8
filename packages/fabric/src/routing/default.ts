import type { RoutingName, Topology } from '../types.js';

/** What `--routing` accepts: a routing, or `auto` for the topology's own (its switches' default). */
export type RoutingChoice = RoutingName | 'auto';

/** Every `--routing` value, as the CLI and `weft train`'s config list them (spray: the packet model only). */
export const ROUTING_CHOICES: readonly RoutingChoice[] = ['auto', 'ecmp', 'adaptive', 'spray'];

/**
 * The routing a run uses: the one named, or for `auto` the topology's default — adaptive on
 * Spectrum-X and NVIDIA InfiniBand presets (their switches route each packet adaptively out of
 * the box; hardware.json fabric.*AdaptiveRouting), ECMP on every other fabric (what ordinary
 * Ethernet switches do unless configured: pin each flow by a hash).
 */
export function resolveRouting(choice: RoutingChoice, topology: Pick<Topology, 'defaultRouting'>): RoutingName {
  return choice === 'auto' ? (topology.defaultRouting ?? 'ecmp') : choice;
}
