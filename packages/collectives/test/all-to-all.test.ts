import { describe, expect, it } from 'vitest';
import { algorithms, direct, pairwise, pxn } from '../src/all-to-all/index.js';
import { checkReference } from '../src/reference.js';
import type { PlanParams } from '../src/types.js';
import { COST, describeEveryAlgorithm, params, peersOf, sendsIn } from './helpers.js';

/** `servers` servers of `gpus` ranks, rank s·gpus + g on rail g. */
function railParams(servers: number, gpus: number, count: number): PlanParams {
  const n = servers * gpus;
  const groups = Array.from({ length: servers }, (_, s) => Array.from({ length: gpus }, (_, g) => s * gpus + g));
  return { ...params(n, count, 32, 0), layout: { groups, hasReductionSwitch: false, rails: Array.from({ length: n }, (_, r) => r % gpus) } };
}

describe('allToAll', () => {
  it('registers pairwise and direct', () => {
    expect(algorithms.map((a) => a.name)).toEqual(expect.arrayContaining(['pairwise', 'direct']));
    for (const a of algorithms) expect(a.collective).toBe('allToAll');
  });

  describeEveryAlgorithm(algorithms);

  it('pairwise: XOR partners for powers of two, r+k / r-k otherwise', () => {
    expect(peersOf(pairwise.plan(params(4, 3)), 1)).toEqual(['copy', 'send:0', 'recv:0', 'send:3', 'recv:3', 'send:2', 'recv:2']);
    expect(peersOf(pairwise.plan(params(5, 3)), 1)).toEqual(['copy', 'send:2', 'recv:0', 'send:3', 'recv:4', 'send:4', 'recv:3', 'send:0', 'recv:2']);
    // Block 2 of rank 1's input lands in block 1 of rank 2's output.
    const s = pairwise.plan(params(5, 3));
    expect(s.participants[1]!.channels[0]![1]).toEqual({ op: 'send', peer: 2, src: { buffer: 'input', offset: 6, count: 3 } });
    expect(s.participants[2]!.channels[0]![2]).toEqual({ op: 'recv', peer: 1, dst: { buffer: 'output', offset: 3, count: 3 } });
  });

  it('direct: all sends first, then all receives; peer distance d on channel (d-1) mod C; n·(n-1) messages per chunk', () => {
    // One channel: every peer one after another (rotated), then the receives.
    expect(peersOf(direct.plan(params(4, 3)), 1)).toEqual(['copy', 'send:2', 'send:3', 'send:0', 'recv:0', 'recv:3', 'recv:2']);
    // n-1 channels: every peer in flight at once, one send and one receive per channel.
    const lanes = direct.plan(params(4, 3, 3));
    expect(lanes.participants[1]!.channels.map((ch) => ch.map((st) => ('peer' in st ? `${st.op}:${st.peer}` : st.op)))).toEqual([
      ['copy', 'send:2', 'recv:0'],
      ['send:3', 'recv:3'],
      ['send:0', 'recv:2'],
    ]);
    expect(checkReference(lanes, 'sum', 'float32').wrong).toBe(0);
    // Two channels: distances 1, 3, 5 on channel 0, 2, 4 on channel 1; 10-element blocks in 2-element chunks.
    const two = direct.plan(params(6, 10, 2, 2));
    expect(two.participants[0]!.channels[1]!.filter((st) => st.op === 'send').map((st) => ('peer' in st ? st.peer : -1))).toEqual([2, 2, 2, 2, 2, 4, 4, 4, 4, 4]);
    expect(sendsIn(two)).toBe(6 * 5 * 5);
    expect(sendsIn(pairwise.plan(params(6, 10, 2, 2)))).toBe(6 * 5 * 6);
    // Channels clamp to one per peer distance.
    expect(direct.plan(params(4, 3, 8)).participants[0]!.channels).toHaveLength(3);
  });

  it('pxn: across servers only rail to rail, cross-rail blocks forwarded by the rank on the destination rail', () => {
    const p = railParams(3, 4, 6);
    const s = pxn.plan(p);
    expect(checkReference(s, 'sum', 'float32').wrong).toBe(0);
    const serverOf = (r: number) => Math.floor(r / 4);
    let forwarded = 0;
    s.participants.forEach((part, a) =>
      part.channels.flat().forEach((st) => {
        const to = st.op === 'send' ? st.peer : st.op === 'recvCopySend' ? st.sendPeer : -1;
        if (to < 0 || serverOf(a) === serverOf(to)) return;
        expect(to % 4, `${a} -> ${to} crosses rails`).toBe(a % 4);
        if (st.op === 'recvCopySend') forwarded++;
      }),
    );
    // Every block between servers on different rails is forwarded once: 12 ranks × 8 remote peers × 3/4 off-rail.
    expect(forwarded).toBe(12 * 8 * (3 / 4));
    // Without rails every block goes straight to its peer.
    expect(pxn.plan(params(6, 4, 5)).participants.flatMap((x) => x.channels.flat()).some((st) => st.op === 'recvCopySend')).toBe(false);
  });

  it('predictNs follows the documented closed forms', () => {
    // pxn: launch 8.4 µs + the longest route's latency (α_intra + α_inter = 3.4 + 14 µs, Ring/Simple's
    // step latencies) + the busiest link: each rank's NVLink carries 3 blocks to its server peers and
    // 2 servers × 3 off-rail blocks to their proxies, 4000 B each at 1 B/ns (its NIC: 2 + 6 blocks).
    expect(pxn.predictNs(railParams(3, 4, 1000), COST)).toBe(8400 + 3400 + 14000 + 9 * 4000);
    // pairwise: (n-1)·(α + S_c·c/B); c = 2 → S_c = 500 elements = 2000 B at 0.5 B/ns.
    expect(pairwise.predictNs(params(8, 1000), COST)).toBe(7 * (1000 + 4000));
    expect(pairwise.predictNs(params(6, 1000, 2, 250), COST)).toBe(5 * (1000 + 4000));
    // direct: α + the busiest link, every block straight: on one switch (n-1)·S·β; 1001 elements = 4004 B at 1 B/ns.
    expect(direct.predictNs(params(8, 1000), COST)).toBe(1000 + 7 * 4000);
    expect(direct.predictNs(params(6, 1001, 2, 100), COST)).toBe(1000 + 5 * 4004);
    // Across servers without PXN: a rank's NIC carries its 2 servers × 4 blocks, its NVLink 3 (α the inter pair's, 1 µs).
    expect(direct.predictNs(railParams(3, 4, 1000), COST)).toBe(1000 + 8 * 4000);
  });
});
