/** The small contended fabric the network's random-workload tests share, and their transfer starts. */
import { TopologyBuilder } from '../src/index.js';
import type { Network, Topology, TransferEvent } from '../src/index.js';

const GB = 1e9;

/** Two leaves, two spines, three hosts per leaf; spines slower than hosts so they contend. */
export function contendedFabric(name: string): Topology {
  const b = new TopologyBuilder();
  const hosts = ['h0', 'h1', 'h2', 'h3', 'h4', 'h5'];
  for (const h of hosts) b.addNode(h, 'host');
  for (const n of ['leaf0', 'leaf1']) b.addNode(n, 'leaf');
  for (const n of ['spine0', 'spine1']) b.addNode(n, 'spine');
  hosts.forEach((h, i) => b.addDuplex(h, i < 3 ? 'leaf0' : 'leaf1', 1 * GB, 100));
  for (const leaf of ['leaf0', 'leaf1']) for (const spine of ['spine0', 'spine1']) b.addDuplex(leaf, spine, 0.75 * GB, 50);
  return b.build(name, hosts);
}

/** A transfer from host `src` to the host `hop + 1` after it (mod 6), at `atNs`. */
export interface Start {
  readonly src: number;
  readonly hop: number;
  readonly bytes: number;
  readonly atNs: number;
  readonly flowKey: number;
}

/** Starts the transfers in time order (host src to the host hop + 1 after it), drains the network and returns every event. */
export function startAndDrain(net: Network, topology: Topology, starts: readonly Start[]): TransferEvent[] {
  const events: TransferEvent[] = [];
  const hosts = topology.ranks;
  for (const start of [...starts].sort((a, b) => a.atNs - b.atNs)) {
    const dst = (start.src + 1 + start.hop) % hosts.length;
    net.startTransfer({ srcNode: hosts[start.src]!, dstNode: hosts[dst]!, bytes: start.bytes, flowKey: start.flowKey }, start.atNs);
    events.push(...net.takeEvents());
  }
  for (let t = net.nextEventTimeNs(); t !== Infinity; t = net.nextEventTimeNs()) {
    net.advanceTo(t);
    events.push(...net.takeEvents());
  }
  return events;
}
