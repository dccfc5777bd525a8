/**
 * Which link Compare fails half way: the busiest link of A's animated run whose failure leaves
 * another path between its ends (the traffic can reroute), cables between switches first. On a
 * single switch every link is its GPU's only way in or out: none qualifies, and Compare says so
 * rather than strand every run of the sweep.
 */
import type { LabRun } from './run.js';

type Link = LabRun['topology']['links'][number];

/** GPUs and hosts end paths; they do not forward others' traffic (a full mesh has no detour through a third GPU). */
const endpoint = (node: string): boolean => /gpu|host/.test(node);

/** Whether `to` is reachable from `from` without `skip` (breadth first over directed links, through switches only). */
function reachableWithout(links: readonly Link[], skip: Link): boolean {
  const out = new Map<string, string[]>();
  for (const l of links) if (l !== skip) out.set(l.from, [...(out.get(l.from) ?? []), l.to]);
  const seen = new Set([skip.from]);
  for (const queue = [skip.from]; queue.length > 0; ) {
    for (const next of out.get(queue.shift()!) ?? []) {
      if (next === skip.to) return true;
      if (!seen.has(next) && !endpoint(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return false;
}

/** A cable between switches (or a NIC's uplink): where a failure can reroute; tried before the rest. */
const betweenSwitches = (l: { from: string; to: string }): boolean => /leaf|spine|nic|switch/.test(l.from) && !endpoint(l.from) && /leaf|spine|switch/.test(l.to);

/** The id of the link to fail, or null when no link A used has an alternative path. */
export function failableLink(run: Pick<LabRun, 'details' | 'topology'>): string | null {
  const byId = new Map(run.topology.links.map((l) => [l.id, l]));
  const used = [...(run.details[0]?.links ?? [])]
    .filter((l) => l.bytesCarried > 0)
    .sort((a, b) => Number(betweenSwitches(b)) - Number(betweenSwitches(a)) || b.bytesCarried - a.bytesCarried || (a.id < b.id ? -1 : 1));
  return used.find((l) => byId.has(l.id) && reachableWithout(run.topology.links, byId.get(l.id)!))?.id ?? null;
}
