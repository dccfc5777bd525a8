import { describe, expect, it } from 'vitest';
import { algorithms } from '../src/all-reduce/index.js';
import { checkSchedule } from '../src/checker.js';
import { checkReference } from '../src/reference.js';
import { DTYPES, REDUCE_OPS } from '../src/semantics.js';
import type { Algorithm, CostParams, PlanParams, RankLayout, Schedule } from '../src/types.js';

const byName = (name: string): Algorithm => algorithms.find((a) => a.name === name)!;

/** Equal groups: the largest divisor d of n with 1 < d <= 8 and d < n, else one group. */
function layoutFor(nranks: number, hasReductionSwitch = true): RankLayout {
  let size = nranks;
  if (nranks > 4) {
    for (let d = Math.min(8, nranks - 1); d > 1; d--) {
      if (nranks % d === 0) {
        size = d;
        break;
      }
    }
  }
  const groups = Array.from({ length: nranks / size }, (_, g) => Array.from({ length: size }, (_, i) => g * size + i));
  return { groups, hasReductionSwitch, groupReductionSwitches: hasReductionSwitch };
}

function params(nranks: number, count: number, channels = 1, chunkElements = 0, layout = layoutFor(nranks)): PlanParams {
  return { nranks, count, root: 0, elementBytes: 4, channels, chunkElements, layout };
}

/** Per rank, the messages it sends in order: "peer:buffer[offset+count]". */
function sends(s: Schedule): string[][] {
  return s.participants.map((p) =>
    p.channels.flatMap((steps) =>
      steps.flatMap((st) => {
        if (st.op === 'send') return [`${st.peer}:${st.src.buffer}[${st.src.offset}+${st.src.count}]`];
        if (st.op === 'recvCopySend' || st.op === 'recvReduceCopySend') {
          return [`${st.sendPeer}:${st.dst.buffer}[${st.dst.offset}+${st.dst.count}]`];
        }
        return [];
      }),
    ),
  );
}

const RANKS = [...Array.from({ length: 17 }, (_, i) => i + 1), 24, 32];
const COUNTS = [0, 1, 7, 1000, 2 ** 20 + 3];

describe('every allReduce algorithm passes the symbolic checker', () => {
  it('registers the seven textbook algorithms, each with a one-sentence description', () => {
    expect(algorithms.map((a) => a.name)).toEqual(expect.arrayContaining(['ring', 'tree', 'rhd', 'rd', 'direct', 'hierarchical', 'innetwork']));
    for (const a of algorithms) {
      expect(a.collective).toBe('allReduce');
      expect(a.description).toMatch(/^[A-Z].*\.$/);
      expect(a.constraints.length).toBeGreaterThan(0);
    }
  });

  // nvlstree needs 2+ servers of 2+ ranks, which this matrix's layouts often are not: test/nvls.test.ts.
  for (const algorithm of algorithms.filter((a) => a.name !== 'nvlstree')) {
    it(`${algorithm.name}: nranks 1..17, 24, 32 × count {0, 1, 7, 1000, 2^20+3} × channels {1, 2}`, () => {
      const failures: string[] = [];
      for (const n of RANKS) {
        for (const count of COUNTS) {
          for (const channels of [1, 2]) {
            const p = params(n, count, channels);
            expect(algorithm.unsupported(p)).toBeNull();
            const result = checkSchedule(algorithm.plan(p));
            if (!result.ok) failures.push(`n=${n} count=${count} channels=${channels}: ${result.error}`);
          }
        }
      }
      expect(failures).toEqual([]);
    });

    it(`${algorithm.name}: pipelined (chunkElements 1, 3, 64) and odd channel counts`, () => {
      const failures: string[] = [];
      for (const n of [1, 2, 3, 5, 8, 12]) {
        for (const count of [0, 1, 7, 200]) {
          for (const channels of [1, 3]) {
            for (const chunkElements of [1, 3, 64]) {
              const result = checkSchedule(algorithm.plan(params(n, count, channels, chunkElements)));
              if (!result.ok) failures.push(`n=${n} count=${count} channels=${channels} chunk=${chunkElements}: ${result.error}`);
            }
          }
        }
      }
      expect(failures).toEqual([]);
    });

    it(`${algorithm.name}: real numbers match expectedOutput for every op and dtype`, () => {
      const failures: string[] = [];
      for (const [n, count, channels, chunk] of [
        [1, 3, 1, 0],
        [2, 5, 1, 2],
        [5, 13, 2, 3],
        [6, 40, 1, 0],
        [8, 29, 3, 4],
      ] as const) {
        const s = algorithm.plan(params(n, count, channels, chunk));
        for (const op of REDUCE_OPS) {
          for (const dtype of DTYPES) {
            const { wrong, first } = checkReference(s, op, dtype);
            if (wrong > 0) failures.push(`n=${n} count=${count} ${op} ${dtype}: ${wrong} wrong, first ${JSON.stringify(first)}`);
          }
        }
      }
      expect(failures).toEqual([]);
    });
  }

  it('the reference executor notices a broken schedule (a reduce turned into a copy)', () => {
    const s = JSON.parse(JSON.stringify(byName('ring').plan(params(4, 12)))) as Schedule;
    const steps = s.participants[1]!.channels[0] as unknown as { op: string }[];
    steps[steps.findIndex((x) => x.op === 'recvReduceCopySend')]!.op = 'recvCopySend';
    expect(checkReference(s, 'sum', 'float32').wrong).toBeGreaterThan(0);
  });
});

describe('schedule shapes', () => {
  it('ring follows NCCL runRing: copy, send, recvReduceCopySend ×(n-1), recvCopySend ×(n-2), recv', () => {
    const s = byName('ring').plan({ ...params(4, 8), protocol: 'LL' });
    expect(s.participants[0]!.channels[0]!.map((x) => x.op)).toEqual([
      'copy',
      'send',
      'recvReduceCopySend',
      'recvReduceCopySend',
      'recvReduceCopySend',
      'recvCopySend',
      'recvCopySend',
      'recv',
    ]);
    // Rank 0 starts with block n-1 = 3 (elements 6..7) and sends to rank 1.
    expect(s.participants[0]!.channels[0]![1]).toEqual({ op: 'send', peer: 1, src: { buffer: 'output', offset: 6, count: 2 } });
    // Pipelined: chunkElements 1 with 8 elements on 4 ranks = 2 loop iterations of 7 messages.
    expect(sends(byName('ring').plan({ ...params(4, 8, 1, 1), protocol: 'LL' }))[0]!.length).toBe(2 * 2 * 3);
  });

  // The first loop iteration moves its blocks whole (ncclRingFillSlices): these plans run two
  // iterations of `count` elements each (chunks of count/4 per rank) and look at the second.
  const twoIterations = (count: number, extra: Partial<PlanParams> = {}): PlanParams => ({ ...params(4, 2 * count, 1, count / 4), ...extra });
  /** Rank 0's steps of the second iteration: after the copy and the first iteration's 2n - 1 = 7 (send, 5 receive-and-send, recv). */
  const secondIteration = (s: Schedule) => s.participants[0]!.channels[0]!.slice(8);

  it('ring under Simple moves each step in two slices (NCCL chunkSteps / sliceSteps), in step order, after the first iteration', () => {
    // Blocks of 20,000 floats (80 KB): past twice NCCL's 32 KiB slice floor, so two halves.
    const simple = byName('ring').plan(twoIterations(80000, { protocol: 'Simple' }));
    const ll = byName('ring').plan(twoIterations(80000, { protocol: 'LL' }));
    const ops = (s: Schedule) => s.participants[0]!.channels[0]!.map((x) => x.op);
    expect(ops(simple).slice(0, 8)).toEqual(ops(ll).slice(0, 8));
    expect(ops(simple).slice(8)).toEqual(ops(ll).slice(8).flatMap((op) => [op, op]));
    // Rank 0's first step of the second iteration: its block 3 (elements 140,000..159,999) as slices of 10,000.
    expect(secondIteration(simple).slice(0, 2)).toEqual([
      { op: 'send', peer: 1, src: { buffer: 'output', offset: 140000, count: 10000 } },
      { op: 'send', peer: 1, src: { buffer: 'output', offset: 150000, count: 10000 } },
    ]);
    expect(checkReference(simple, 'sum', 'float32').wrong).toBe(0);
  });

  it("ring under Simple cuts small blocks as NCCL's prims do: up to 32 KiB whole, up to 64 KiB as 32 KiB + the rest", () => {
    const second = (count: number, extra: Partial<PlanParams> = {}) => secondIteration(byName('ring').plan(twoIterations(count, { protocol: 'Simple', ...extra }))).slice(0, 2);
    // 16 floats (blocks of 4): one send of the whole block, then the next step.
    expect(second(16).map((x) => x.op)).toEqual(['send', 'recvReduceCopySend']);
    // 40,000 floats (blocks of 10,000 = 40 KB): 8,192 floats (32 KiB), then 1,808.
    expect(second(40000)).toEqual([
      { op: 'send', peer: 1, src: { buffer: 'output', offset: 70000, count: 8192 } },
      { op: 'send', peer: 1, src: { buffer: 'output', offset: 78192, count: 1808 } },
    ]);
    // Doubles: the floor is 4,096 of them (32 KiB), the half of 10,000 rounded up to 16 elements is 5,008.
    expect(second(40000, { elementBytes: 8 }).map((x) => (x.op === 'send' ? x.src.count : 0))).toEqual([5008, 4992]);
  });

  it("ring's first loop iteration moves each block whole (NCCL's model of a ring's fill: every step's latency added), the later ones in slices", () => {
    const simple = byName('ring').plan(twoIterations(80000, { protocol: 'Simple' }));
    const ll = byName('ring').plan(twoIterations(80000, { protocol: 'LL' }));
    // The copy and the first iteration: the same messages as LL's, whole 80 KB blocks.
    expect(simple.participants[0]!.channels[0]!.slice(0, 8)).toEqual(ll.participants[0]!.channels[0]!.slice(0, 8));
    expect(simple.participants[0]!.channels[0]![1]).toEqual({ op: 'send', peer: 1, src: { buffer: 'output', offset: 60000, count: 20000 } });
  });

  it('hierarchical with one group sends exactly what the unsliced ring sends', () => {
    for (const n of [2, 5, 8]) {
      const one = { groups: [Array.from({ length: n }, (_, r) => r)], hasReductionSwitch: false };
      expect(sends(byName('hierarchical').plan(params(n, 100, 2, 0, one)))).toEqual(sends(byName('ring-rankorder').plan(params(n, 100, 2, 0, one))));
    }
  });

  it('hierarchical keeps inter-group traffic to ranks with the same local index', () => {
    const layout = { groups: [[0, 2, 4], [1, 3, 5]], hasReductionSwitch: false };
    const s = byName('hierarchical').plan(params(6, 60, 1, 0, layout));
    expect(checkSchedule(s)).toEqual({ ok: true });
    const group = (r: number) => r % 2;
    const local = (r: number) => Math.floor(r / 2);
    s.participants.forEach((p, r) =>
      p.channels[0]!.forEach((st) => {
        if ('peer' in st && group(st.peer) !== group(r)) expect(local(st.peer)).toBe(local(r));
      }),
    );
    // Inter-group messages carry 1/(L·G) of the data: 60 / 6 = 10 elements.
    const inter = s.participants[0]!.channels[0]!.filter((st) => 'peer' in st && group(st.peer) !== 0);
    expect(inter.every((st) => 'dst' in st ? st.dst.count === 10 : 'src' in st && st.src.count === 10)).toBe(true);
  });

  it('hierarchical is unsupported for unequal or overlapping groups', () => {
    const h = byName('hierarchical');
    expect(h.unsupported(params(5, 10, 1, 0, { groups: [[0, 1, 2], [3, 4]], hasReductionSwitch: false }))).toBe(
      'needs equal group sizes (group 0 has 3 ranks, group 1 has 2)',
    );
    expect(h.unsupported(params(4, 10, 1, 0, { groups: [[0, 1], [1, 2]], hasReductionSwitch: false }))).toMatch(/exactly once \(rank 1\)/);
    expect(h.unsupported(params(4, 10, 1, 0, { groups: [[0, 1], [2]], hasReductionSwitch: false }))).toMatch(/rank 3 is missing/);
  });

  it('tree-rankorder (and tree on one group) use two channels per channel, one per tree; tree on several groups two per channel (reduce, broadcast: NCCL\'s runTreeSplit); rd / rhd fold non-powers of two', () => {
    expect(byName('tree-rankorder').plan(params(6, 100, 3)).participants[0]!.channels.length).toBe(6);
    expect(byName('tree').plan(params(5, 100, 3)).participants[0]!.channels.length).toBe(6);
    // layoutFor(6): two groups. NCCL's Tree runs channel c on channel c's tree (a chain per group),
    // its reduce on schedule channel c and its broadcast on c + 3.
    expect(byName('tree').plan(params(6, 100, 3)).participants[0]!.channels.length).toBe(6);
    // rd on 6 ranks: p = 4; rank 0 folds into rank 1 and only talks to rank 1.
    const rd = byName('rd').plan(params(6, 10));
    expect(new Set(rd.participants[0]!.channels[0]!.flatMap((st) => ('peer' in st ? [st.peer] : [])))).toEqual(new Set([1]));
    // rank 1 = virtual 0 talks to its fold partner 0 and virtual partners 1 (rank 3), 2 (rank 4).
    expect(new Set(rd.participants[1]!.channels[0]!.flatMap((st) => ('peer' in st ? [st.peer] : [])))).toEqual(new Set([0, 3, 4]));
    // rhd on 8 ranks: reduce-scatter messages halve: 40, 20, 10 elements of 80.
    const rhd = byName('rhd').plan(params(8, 80));
    const sizes = rhd.participants[0]!.channels[0]!.filter((st) => st.op === 'send').map((st) => (st.op === 'send' ? st.src.count : 0));
    expect(sizes).toEqual([40, 20, 10, 10, 20, 40]);
  });

  it('innetwork adds one switch agent that owns only scratch, over n·channels channels', () => {
    // 4 ranks, 1 channel -> 4 channels of 250 elements; chunks of 100: 100, 100, 50.
    const s = byName('innetwork').plan(params(4, 1000, 1, 100));
    expect(s.participants.length).toBe(5);
    expect(s.participants[4]!.kind).toBe('switch');
    expect(s.participants[0]!.channels.length).toBe(4);
    expect(s.bufferCounts.scratch).toBe(4 * 100);
    expect(s.participants[0]!.channels[0]!.map((st) => st.op)).toEqual(['send', 'send', 'recv', 'send', 'recv', 'recv']);
    // The switch: recv rank 0, recvReduce ranks 1, 2, recvReduceCopySend rank 3 (to the first
    // destination), then send to the other three; per chunk.
    expect(s.participants[4]!.channels[0]!.slice(0, 7).map((st) => st.op)).toEqual([
      'recv',
      'recvReduce',
      'recvReduce',
      'recvReduceCopySend',
      'send',
      'send',
      'send',
    ]);
    expect(byName('innetwork').unsupported(params(4, 100, 1, 0, layoutFor(4, false)))).toMatch(/needs one reduction-capable switch linked to every rank/);
  });

  it('innetwork spreads the switch channels\' sends over the downlinks: channel c, chunk k starts at rank (c + k) mod n', () => {
    // If every channel sent to ranks in the same order, all channels would queue on one
    // switch-to-rank link at a time and the result would come back n times slower.
    const s = byName('innetwork').plan(params(4, 1000, 1, 100));
    const destinations = sends(s)[4]!.map((msg) => Number(msg.split(':')[0]));
    // 4 channels × 3 chunks (100, 100, 50) × 4 copies; channel order, then chunk order.
    const firsts = Array.from({ length: 12 }, (_, i) => destinations[i * 4]);
    expect(firsts).toEqual([0, 1, 2, 1, 2, 3, 2, 3, 0, 3, 0, 1]);
    expect(destinations.slice(0, 4)).toEqual([0, 1, 2, 3]);
    expect(destinations.slice(4, 8)).toEqual([1, 2, 3, 0]);
  });

  it('ring runs every step of a rank whose block is empty under Simple (a zero-payload handshake, NCCL prims_simple), and drops it under LL/LL128 (their receiver waits for no flag)', () => {
    // 2 elements on 4 ranks: blocks of 1, 1, 0, 0. Per rank 2n - 1 = 7 steps (send, 2n - 3 receive-and-send, recv).
    const transfers = (protocol: PlanParams['protocol']) =>
      byName('ring')
        .plan({ ...params(4, 2), protocol })
        .participants.map((p) => p.channels[0]!.filter((st) => st.op !== 'copy').map((st) => ('dst' in st && st.dst ? st.dst.count : 'src' in st && st.src ? st.src.count : -1)));
    const simple = transfers('Simple');
    for (const steps of simple) expect(steps).toHaveLength(7);
    expect(simple.flat().filter((c) => c === 0).length).toBeGreaterThan(0);
    for (const protocol of ['LL', 'LL128'] as const) {
      const ll = transfers(protocol);
      expect(ll.flat()).not.toContain(0);
      expect(ll.flat()).toEqual(simple.flat().filter((c) => c > 0));
    }
    // The textbook ring keeps the builder's rule: empty transfers dropped.
    expect(sends(byName('ring-rankorder').plan(params(4, 2))).flat()).not.toContainEqual(expect.stringMatching(/\+0\]$/));
    // A short last loop iteration (1001 = 25·40 + 1 elements, 8 ranks, chunks of 5) too.
    const chunked = byName('ring').plan({ ...params(8, 1001, 1, 5), protocol: 'Simple' });
    for (const p of chunked.participants) expect(p.channels[0]!.filter((st) => st.op !== 'copy')).toHaveLength(26 * 15);
    expect(checkSchedule(chunked).ok).toBe(true);
    expect(checkReference(chunked, 'sum', 'float32').wrong).toBe(0);
  });
});

describe('predictNs (alpha-beta)', () => {
  const cost: CostParams = {
    alphaNs: 1000,
    bandwidthBytesPerSec: 25e9,
    intra: { alphaNs: 200, bandwidthBytesPerSec: 100e9 },
    inter: { alphaNs: 2000, bandwidthBytesPerSec: 25e9 },
  };
  const beta = 1e9 / 25e9; // 0.04 ns per byte

  // Per-hop α (cost.ts): a message inside a group pays intra.alphaNs = 200, between groups
  // inter.alphaNs = 2000; layoutFor(8) is two groups of four, layoutFor(n <= 5 or prime) one group.
  it('ring with one channel and no chunking: A + 2(p-1)/p·n·β, A the α of 2(p-1) consecutive ring hops', () => {
    // p = 8: ring edges 3→4 and 7→0 cross groups. 2(p-1) = 14 hops = one lap (2·2000 + 6·200 =
    // 5200) + the worst 6 consecutive edges (both crossings + 4 intra = 4800): A = 10000.
    // n = 1000 floats = 4000 bytes: 1.75·4000·0.04 = 280.
    // The step chain: each hop's α plus its own transfer of S/p = 500 bytes (intra 0.01, inter
    // 0.04 ns per byte): 205 per intra hop, 2020 per crossing; 14 hops = one lap (2·2020 +
    // 6·205 = 5270) + the worst 6 (2·2020 + 4·205 = 4860) = 10130 — below the textbook
    // A + 2(p-1)/p·S·β_worst = 10280, which charges every hop the slowest rate. The slowest
    // sender's bound, 14·20 + 2000, is far below.
    expect(byName('ring-rankorder').predictNs(params(8, 1000), cost)).toBeCloseTo(10130, 9);
    const bytes = 12345 * 4;
    const bw = (p: number, b = beta) => ((2 * (p - 1)) / p) * bytes * b;
    // One group: every hop intra, the textbook 2(p-1)α + 2(p-1)/p·n·β with the intra α and β
    // (100 GB/s: 0.01 ns per byte; each hop's own class, cost.ts channelRingsNsPerByte).
    for (const p of [2, 3, 5, 17]) expect(byName('ring-rankorder').predictNs(params(p, 12345), cost)).toBeCloseTo(2 * (p - 1) * 200 + bw(p, 0.01), 6);
    // p = 32, four groups of 8: 62 hops = one lap (4 crossings + 28 intra hops) + 30 edges
    // that can hold all four crossings (+ 26 intra), each hop its α plus S/32 bytes at its
    // own class's β (the chain beats the slowest sender's 62·S/32·0.04 + 2000).
    const intraHop = 200 + (bytes / 32) * 0.01;
    const interHop = 2000 + (bytes / 32) * beta;
    expect(byName('ring-rankorder').predictNs(params(32, 12345), cost)).toBeCloseTo(8 * interHop + 54 * intraHop, 6);
  });

  it('ring pays its hop latency per loop iteration: chunkElements 25 on 8 ranks, 1000 elements = 5 iterations', () => {
    // Steps of 100 bytes: 201 per intra hop, 2004 per crossing; lap 5214 + worst 6: 4812.
    expect(byName('ring-rankorder').predictNs(params(8, 1000, 1, 25), cost)).toBeCloseTo(5 * 10026, 9);
  });

  it('states the other closed forms', () => {
    const S = 4000; // 1000 float32; S·β = 160
    // rd on 8 ranks: partners at distance 1 and 2 stay in a group (α 200, β 0.01), 4 crosses
    // (α 2000, β 0.04): 200 + 200 + 2000 + 2·S·0.01 + S·β.
    expect(byName('rd').predictNs(params(8, 1000), cost)).toBeCloseTo(2400 + 2 * S * 0.01 + S * beta, 9);
    // rd on 6 ranks (groups {0,1,2}, {3,4,5}): fold pairs (0,1), (2,3); virtual ranks 1, 3, 4,
    // 5: distance 1 pairs (1,3) and distance 2 pairs (1,4) cross. The schedule's messages
    // replayed (message-replay.ts; a sum of rounds said 4·(2000 + S·β) = 8640): the fold 2→3
    // crosses (2000 + S·β), then 3→1 and 1→4 cross in turn; rank 4's distance-2 message has
    // long landed, and the fold out 1→0 (intra, 200 + S·0.01) lands first. 3·(2000 + S·β).
    expect(byName('rd').predictNs(params(6, 1000), cost)).toBeCloseTo(3 * (2000 + S * beta), 9);
    // rhd on 8 ranks: halving at distance 4 (crosses), 2, 1 (in a group), then the doubling
    // mirrors it: 2·(2000 + 200 + 200) + 2·(S/2·β + (S/4 + S/8)·0.01).
    expect(byName('rhd').predictNs(params(8, 1000), cost)).toBeCloseTo(4800 + 2 * ((S / 2) * beta + 0.375 * S * 0.01), 9);
    // direct: each phase's n-1 sends go back to back (eager) and the last lands α after it left.
    // On one group: two phases, 2α of the worst pair (cost.alphaNs), plus ring's volume 2(p-1)/p·S·β.
    expect(byName('direct').predictNs(params(5, 1000), cost)).toBeCloseTo(2 * 1000 + (8 / 5) * S * beta, 9);
    // Across two groups its messages are replayed (message-replay.ts): each phase's last message
    // crosses (2·2000), and the four ranks of a group reach the other group's ranks in one order,
    // 4, 5, 6, 7 (ranks 3, 2, 1, 0 after 0, 1, 2, 3 intra blocks of 5 ns), so up to four blocks
    // share a rank's NIC in-link: 322.5 ns of bytes, where a rank's own 7 blocks of 500 bytes
    // take 3·5 + 4·20 = 95 per phase (the sum said 2·1000 + 280: the worst pair's α from
    // cost.alphaNs and one β for every block).
    expect(byName('direct').predictNs(params(8, 1000), cost)).toBeCloseTo(2 * 2000 + 322.5, 9);
    // innetwork unchunked: two rank-switch hops of α/2 each, + 2Sβ.
    expect(byName('innetwork').predictNs(params(8, 1000), cost)).toBeCloseTo(1000 + 2 * S * beta, 9);
    // tree on 2 ranks (height 1, one group: its replay, tree-rankorder-fluid.ts), unchunked: each
    // tree's half goes up and comes back down over the intra links, the two halves on opposite
    // directions at once: 2·(α_intra + (S/2)·β_intra) — not the textbook 2·(α + S·β_worst).
    expect(byName('tree-rankorder').predictNs(params(2, 1000), cost)).toBeCloseTo(2 * (200 + (S / 2) * 0.01), 9);
    // tree on 8 ranks: NCCL's binary tree 0 ← 4 (crosses) … its deepest path sums α over the
    // path; every tree edge into the other group pays 2000. Bounded by the one-group forms:
    const flat = { ...cost, inter: cost.intra };
    const tree8 = byName('tree-rankorder').predictNs(params(8, 1000), cost);
    expect(tree8).toBeGreaterThan(byName('tree-rankorder').predictNs(params(8, 1000), flat));
    expect(tree8).toBeLessThan(byName('tree-rankorder').predictNs(params(8, 1000), { ...cost, intra: cost.inter }));
    // hierarchical, 2 groups of 4: 2·3·200 + 2·1·2000 + (6/4)·S/100e9·1e9 + (2/8)·S·0.04.
    expect(byName('hierarchical').predictNs(params(8, 1000), cost)).toBeCloseTo(1200 + 4000 + 1.5 * S * 0.01 + 0.25 * S * beta, 9);
  });

  it('is 0 for one rank or no data, and grows with the message size', () => {
    for (const a of algorithms) {
      // In-switch algorithms still send to and from the switch with one rank.
      if (!['innetwork', 'nvls', 'nvlstree'].includes(a.name)) expect(a.predictNs(params(1, 1000), cost)).toBe(0);
      expect(a.predictNs(params(8, 0), cost)).toBe(0);
      expect(a.predictNs(params(8, 2000), cost)).toBeGreaterThan(a.predictNs(params(8, 1000), cost));
    }
  });
});
