import { describe, expect, it } from 'vitest';
import { pat as patAllGather } from '../src/all-gather/pat.js';
import { ncclChoose, ncclTuneInputs, ncclTuneModel } from '../src/nccl-tuner.js';
import { lowBit, patChildren, patChunkNs, patOrder } from '../src/pat.js';
import { scheduleProtocol } from '../src/protocols.js';
import { pat as patReduceScatter } from '../src/reduce-scatter/pat.js';
import type { CostParams, RankLayout, Schedule } from '../src/types.js';
import { params } from './helpers.js';

const parent = (s: number) => s - lowBit(s);

describe("PAT's tree (pat.ts): every rank's binomial tree over offsets, parent = offset with its lowest bit cleared", () => {
  it('the breadth-first order visits every offset 1 … n−1 once, each after its parent', () => {
    for (let n = 1; n <= 70; n++) {
      const order = patOrder(n);
      expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n - 1 }, (_, i) => i + 1));
      const at = new Map(order.map((s, i) => [s, i]));
      for (const s of order) if (parent(s) !== 0) expect(at.get(parent(s))!).toBeLessThan(at.get(s)!);
    }
  });

  it("one dimension's offsets come in the order of their parents: a connection's messages leave in the order its peer takes them", () => {
    for (let n = 2; n <= 70; n++) {
      const order = patOrder(n);
      const at = new Map<number, number>([[0, -1], ...order.map((s, i): [number, number] => [s, i])]);
      // The sender posts offset s right after it holds parent(s); the receiver takes it at s's place.
      for (const a of order) {
        for (const b of order) {
          if (a === b || lowBit(a) !== lowBit(b)) continue;
          expect(at.get(a)! < at.get(b)!).toBe(at.get(parent(a))! < at.get(parent(b))! || (parent(a) === parent(b) && a < b));
        }
      }
    }
  });

  it('children: s + 2^k below s’s lowest bit, under n, farthest first; the root has one per dimension', () => {
    expect(patChildren(0, 8)).toEqual([4, 2, 1]);
    expect(patChildren(0, 7)).toEqual([4, 2, 1]);
    expect(patChildren(4, 7)).toEqual([6, 5]);
    expect(patChildren(6, 7)).toEqual([]);
    expect(patChildren(2, 8)).toEqual([3]);
  });

  it("one chunk's replay (patChunkNs): the port's pieces in order, a receive waiting for its sender's step plus the hop", () => {
    const p = 10;
    const [a0, a1, a2] = [3, 4, 5];
    // Two ranks: one piece each way and one hop, both directions.
    expect(patChunkNs(2, p, [a0], 'down')).toBe(p + a0);
    expect(patChunkNs(2, p, [a0], 'up')).toBe(p + a0);
    // Four: the root's two pieces, offset 2's forward, then offset 3 lands a hop over each dimension later.
    expect(patChunkNs(4, p, [a0, a1], 'down')).toBe(3 * p + a1 + a0);
    // Five (not a power of two): 4 pieces, and the last (offset 3) waits for its parent's forward
    // after that one waited its own hop: two hops exposed, as with eight ranks' seven pieces.
    expect(patChunkNs(5, p, [a0, a1, a2], 'down')).toBe(4 * p + Math.max(a1, a2) + a0);
    expect(patChunkNs(8, p, [a0, a0, a0], 'down')).toBe(7 * p + 2 * a0);
    // Hops longer than a piece: every level of the deepest path waits (three for eight ranks): the
    // root's 3 pieces, a hop, offset 4's 2 forwards, a hop to 6, its 1 forward, a hop to 7.
    expect(patChunkNs(8, 1, [a0, a0, a0], 'down')).toBe(3 + a0 + 2 + a0 + 1 + a0);
  });
});

/** Messages each rank posts and takes, fan-outs counted per peer. */
function messages(s: Schedule): { sent: number[]; received: number[] } {
  const sent = s.participants.map((p) => p.channels.flat().reduce((k, st) => k + (st.op === 'send' || st.op.endsWith('CopySend') ? 1 + (st.fanOut?.length ?? 0) : 0), 0));
  const received = s.participants.map((p) => p.channels.flat().filter((st) => st.op.startsWith('recv')).length);
  return { sent, received };
}

describe('pat all-gather and reduce-scatter schedules', () => {
  it('every rank posts and takes n − 1 pieces per chunk, a ring’s count, over ⌈log2 n⌉ peers each way', () => {
    for (const n of [2, 5, 7, 8, 13]) {
      for (const algorithm of [patAllGather, patReduceScatter]) {
        const s = algorithm.plan({ ...params(n, 1000, 1, 300), protocol: 'Simple' });
        const { sent, received } = messages(s);
        // 1000 elements in chunks of 300: 4 pieces per block.
        expect(sent).toEqual(Array(n).fill(4 * (n - 1)));
        expect(received).toEqual(Array(n).fill(4 * (n - 1)));
        const peers = new Set(s.participants[0]!.channels.flat().filter((st) => st.op.startsWith('recv')).map((st) => (st as { peer: number }).peer));
        expect(peers.size).toBe(Math.ceil(Math.log2(n)));
      }
    }
  });

  it('runs Simple only', () => {
    expect(patAllGather.unsupported({ ...params(8, 100), protocol: 'LL' })).toMatch(/protocol LL is not one of pat's \(Simple\)/);
    expect(patReduceScatter.protocols).toEqual(['Simple']);
  });
});

/** `servers` servers of `perServer` GPUs (Hopper), one 400 Gb/s NIC per GPU on its rail. */
function cluster(servers: number, perServer: number): { layout: RankLayout; cost: CostParams; nranks: number } {
  const nranks = servers * perServer;
  const groups = Array.from({ length: servers }, (_, s) => Array.from({ length: perServer }, (_, k) => perServer * s + k));
  const layout: RankLayout = { groups, hasReductionSwitch: false, rails: Array.from({ length: nranks }, (_, r) => r % perServer) };
  const cost: CostParams = {
    alphaNs: 3000,
    bandwidthBytesPerSec: 48e9,
    intra: { alphaNs: 1000, bandwidthBytesPerSec: 370.8e9 },
    inter: { alphaNs: 3000, bandwidthBytesPerSec: 48e9 },
    computeCapability: 9,
  };
  return { layout, cost, nranks };
}

describe("NCCL's tuner weighs PAT (tuning.cc 2.23+): all-gather and reduce-scatter, Simple, one GPU per node", () => {
  const one = cluster(16, 1);
  const t = ncclTuneInputs(one.layout, one.nranks, one.cost);

  it('16 nodes × 1 GPU: latency 8 + log2(16)·14/3.5 + 16·2.8 µs, bus bandwidth the tree graph’s × 0.75 (no bus-to-algorithm ratio)', () => {
    for (const collective of ['allGather', 'reduceScatter'] as const) {
      const rows = ncclTuneModel(collective, t).filter((e) => e.row === 'PAT');
      expect(rows.map((e) => e.protocol)).toEqual(['Simple']);
      expect(rows[0]!.latencyUs).toBeCloseTo(8 + 4 * 4 + 16 * 2.8, 9);
      expect(rows[0]!.algBwGBps).toBeCloseTo(t.tree.nChannels * t.tree.bwInterGbs * 0.75, 9);
    }
    expect(ncclTuneModel('allReduce', t).some((e) => e.row === 'PAT')).toBe(false);
  });

  it('is chosen at mid sizes there, and never with 8 GPUs per node', () => {
    expect(ncclChoose('allGather', 1 << 20, t).best).toMatchObject({ row: 'PAT', protocol: 'Simple' });
    expect(ncclChoose('allGather', 1 << 30, t).best?.row).toBe('Ring');
    const eight = cluster(2, 8);
    const t8 = ncclTuneInputs(eight.layout, eight.nranks, eight.cost);
    expect(ncclTuneModel('allGather', t8).some((e) => e.row === 'PAT')).toBe(false);
  });

  it("charges the launch (8 + 2.8·n µs) once and interLat/3.5 per hop between servers, nothing extra inside one", () => {
    const protocol = scheduleProtocol('PAT', 'Simple', one.layout);
    expect(protocol.launchNs).toBeCloseTo((8 + 2.8 * 16) * 1000, 6);
    expect(protocol.stepLatencyNs).toEqual({ intra: 0, inter: 4000 });
  });
});
