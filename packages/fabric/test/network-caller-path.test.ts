/**
 * TransferRequest.paths: a transfer over the caller's paths instead of routing's (the runtime's
 * rank classes route a representative over its link classes' links). Under ECMP it takes exactly
 * its one path — its links carry the bytes, the others none — timed as ECMP's own route over the
 * same links would be; under adaptive routing it spreads over the paths given as over the ones
 * routing gives.
 */
import { describe, expect, it } from 'vitest';
import { createRouter, parseTopologySpec } from '../src/index.js';
import { createNetwork } from '../src/network.js';
import type { NetworkOptions, TransferRequest } from '../src/index.js';

const OPTIONS: NetworkOptions = { model: 'maxMin', routing: 'ecmp', qps: 1, seed: 1, record: 'full' };

function drain(net: ReturnType<typeof createNetwork>): void {
  for (let t = net.nextEventTimeNs(); t !== Infinity; t = net.nextEventTimeNs()) net.advanceTo(t);
  net.takeEvents();
}

describe('a transfer over the caller\'s path', () => {
  it('takes that path, every byte on its links, timed as the same path routed', () => {
    const topology = parseTopologySpec('leafspine:hosts=4,leaves=2,spines=2');
    const router = createRouter(topology);
    const [a, , c] = topology.ranks as [string, string, string, string];
    // ECMP's own pick for a → c (through one of the two spines), then the other spine's path by hand.
    const pinned = router.pinnedPath(a, c, 0, 0, OPTIONS.seed, new Set())!;
    const other = router.equalCostPaths(a, c, new Set()).find((p) => p.join() !== pinned.join())!;
    expect(other).toBeDefined();
    const request = (path?: readonly string[]): TransferRequest => ({ srcNode: a, dstNode: c, bytes: 1 << 20, flowKey: 0, ...(path ? { paths: [path] } : {}) });
    const routed = createNetwork(topology, OPTIONS, router);
    routed.startTransfer(request(), 0);
    drain(routed);
    const given = createNetwork(topology, OPTIONS, router);
    given.startTransfer(request(other), 0);
    drain(given);
    expect(given.flows()[0]!.paths).toEqual([other]);
    const carried = (net: typeof given) => new Map(net.linkStats().map((l) => [l.linkId, l.bytesCarried]));
    for (const [id, bytes] of carried(given)) expect(bytes).toBe(other.includes(id) ? 1 << 20 : 0);
    // Both paths are two equal-cost hops up and down: the same times.
    expect(given.flows()[0]!.deliveredNs).toBe(routed.flows()[0]!.deliveredNs);
  });

  it('is refused with several queue pairs (one path cannot be split)', () => {
    const topology = parseTopologySpec('leafspine:hosts=4,leaves=2,spines=2');
    const net = createNetwork(topology, { ...OPTIONS, qps: 2 }, createRouter(topology));
    const path = createRouter(topology).pinnedPath(topology.ranks[0]!, topology.ranks[2]!, 0, 0, 1, new Set())!;
    expect(() => net.startTransfer({ srcNode: topology.ranks[0]!, dstNode: topology.ranks[2]!, bytes: 1, flowKey: 0, paths: [path] }, 0)).toThrow(/one queue pair/);
  });

  it('spreads over the given paths under adaptive routing as over the paths routing gives', () => {
    const topology = parseTopologySpec('leafspine:hosts=8,leaves=2,spines=4');
    const router = createRouter(topology);
    const adaptive: NetworkOptions = { ...OPTIONS, routing: 'adaptive' };
    const [a, b, , , e, f] = topology.ranks as string[];
    // Two cross-leaf transfers that share the leaf uplinks: routed, then given the same paths.
    const run = (given: boolean) => {
      const net = createNetwork(topology, adaptive, router);
      for (const [src, dst] of [[a!, e!], [b!, f!]] as const) {
        const paths = router.equalCostPaths(src, dst, new Set());
        net.startTransfer({ srcNode: src, dstNode: dst, bytes: 3 << 20, flowKey: 0, ...(given ? { paths } : {}) }, 0);
      }
      drain(net);
      return { flows: net.flows().map((flow) => [flow.paths, flow.deliveredNs]), links: net.linkStats().map((l) => [l.linkId, l.bytesCarried, l.busyNs]) };
    };
    const routed = run(false);
    expect(routed.flows[0]![0]).toHaveLength(4);
    expect(run(true)).toEqual(routed);
    // Only the spine paths given carry bytes: two of the four.
    const net = createNetwork(topology, adaptive, router);
    const two = router.equalCostPaths(a!, e!, new Set()).slice(0, 2);
    net.startTransfer({ srcNode: a!, dstNode: e!, bytes: 1 << 20, flowKey: 0, paths: two }, 0);
    drain(net);
    const used = new Set(two.flat());
    for (const l of net.linkStats()) expect(l.bytesCarried > 0).toBe(used.has(l.linkId));
  });
});
