/**
 * NVLS and NVLSTree schedules (src/all-reduce/nvls-steps.ts): the symbolic checker over
 * server layouts, the traffic each rank exchanges with its switch (S + S/n each way, NVLS's
 * mechanism), the chain over same-index heads, and the one-line reasons where they cannot run.
 */
import { describe, expect, it } from 'vitest';
import { nvls, nvlstree } from '../src/all-reduce/index.js';
import { nvls as nvlsAllGather } from '../src/all-gather/index.js';
import { nvls as nvlsReduceScatter } from '../src/reduce-scatter/index.js';
import { NCCL_LATENCY_US } from '../src/protocols.js';
import { nvlsTreeSlots } from '../src/all-reduce/nvls-steps.js';
import { checkSchedule } from '../src/checker.js';
import { checkReference } from '../src/reference.js';
import type { PlanParams, RankLayout, Schedule } from '../src/types.js';

/** g servers of n ranks, each with its own reduction switch (and one across all when g = 1). */
function servers(g: number, n: number): RankLayout {
  const groups = Array.from({ length: g }, (_, s) => Array.from({ length: n }, (_, i) => s * n + i));
  return { groups, hasReductionSwitch: g === 1, groupReductionSwitches: true };
}

function params(layout: RankLayout, count: number, channels = 1, chunkElements = 0): PlanParams {
  const nranks = layout.groups.flat().length;
  return { nranks, count, root: 0, elementBytes: 4, channels, chunkElements, layout };
}

/** Elements participant `from` sends to participant `to`, over every channel (a fan-out's further peers too). */
function sent(s: Schedule, from: number, to: number): number {
  return s.participants[from]!.channels.flat().reduce((sum, st) => {
    const also = (st as { fanOut?: readonly number[] }).fanOut?.includes(to) === true;
    if (st.op === 'send' && (st.peer === to || also)) return sum + st.src.count;
    if ((st.op === 'recvCopySend' || st.op === 'recvReduceCopySend') && (st.sendPeer === to || also)) return sum + st.dst.count;
    return sum;
  }, 0);
}

describe('nvls and nvlstree pass the symbolic checker and the reference executor', () => {
  const cases: [string, typeof nvls, RankLayout][] = [
    ...[1, 2, 3, 5, 8].map((n): [string, typeof nvls, RankLayout] => [`nvls on ${n} ranks`, nvls, servers(1, n)]),
    // 40 ranks per domain: 32 heads (NCCL_MAX_NVLS_ARITY), 8 ranks that head nothing.
    ['nvls on 40 ranks (32 heads)', nvls, servers(1, 40)],
    ...([[2, 2], [2, 8], [3, 4], [4, 2], [2, 40]] as const).map(([g, n]): [string, typeof nvls, RankLayout] => [`nvlstree on ${g}×${n}`, nvlstree, servers(g, n)]),
  ];
  for (const [label, algorithm, layout] of cases) {
    it(label, () => {
      const failures: string[] = [];
      for (const count of [0, 1, 7, 200, 600]) {
        for (const channels of [1, 2, 3]) {
          for (const chunk of [0, 3, 64]) {
            const result = checkSchedule(algorithm.plan(params(layout, count, channels, chunk)));
            if (!result.ok) failures.push(`count=${count} channels=${channels} chunk=${chunk}: ${result.error}`);
          }
        }
      }
      const s = algorithm.plan(params(layout, 29, 2, 4));
      for (const op of ['sum', 'max'] as const) {
        const { wrong } = checkReference(s, op, 'float32');
        if (wrong > 0) failures.push(`${op}: ${wrong} wrong`);
      }
      expect(failures).toEqual([]);
    });
  }
});

describe('nvls reduce-scatter and all-gather pass the checker and the reference executor', () => {
  for (const algorithm of [nvlsReduceScatter, nvlsAllGather]) {
    it(`${algorithm.collective} nvls on 1, 2, 3, 5, 8 ranks`, () => {
      const failures: string[] = [];
      for (const n of [1, 2, 3, 5, 8]) {
        for (const count of [0, 1, 7, 200]) {
          for (const channels of [1, 3]) {
            for (const chunk of [0, 3, 64]) {
              const result = checkSchedule(algorithm.plan(params(servers(1, n), count, channels, chunk)));
              if (!result.ok) failures.push(`n=${n} count=${count} channels=${channels} chunk=${chunk}: ${result.error}`);
            }
          }
        }
        const { wrong } = checkReference(algorithm.plan(params(servers(1, n), 29, 2, 4)), 'sum', 'float64');
        if (wrong > 0) failures.push(`n=${n}: ${wrong} wrong`);
      }
      expect(failures).toEqual([]);
      expect(algorithm.unsupported(params(servers(2, 4), 10))).toMatch(/needs one .*switch reaching every rank/);
    });
  }

  it('NCCL runs them on at most 32 GPUs of a domain (NCCL_MAX_NVLS_ARITY): on 33, one line says why', () => {
    for (const algorithm of [nvlsReduceScatter, nvlsAllGather]) {
      expect(algorithm.unsupported(params(servers(1, 32), 10))).toBeNull();
      expect(algorithm.unsupported(params(servers(1, 33), 10))).toMatch(/at most 32 GPUs of one NVLink domain \(NCCL_MAX_NVLS_ARITY\); this one has 33/);
      expect(Number.isNaN(algorithm.predictNs(params(servers(1, 33), 10), { alphaNs: 1, bandwidthBytesPerSec: 1, intra: { alphaNs: 1, bandwidthBytesPerSec: 1 }, inter: { alphaNs: 1, bandwidthBytesPerSec: 1 } }))).toBe(true);
    }
  });

  it('reduce-scatter: each rank sends its whole input up and gets its block down; all-gather the reverse', () => {
    const n = 4;
    const count = 300;
    const rs = nvlsReduceScatter.plan(params(servers(1, n), count, 1, 100));
    const ag = nvlsAllGather.plan(params(servers(1, n), count, 1, 100));
    for (let r = 0; r < n; r++) {
      expect([sent(rs, r, n), sent(rs, n, r)]).toEqual([n * count, count]);
      expect([sent(ag, r, n), sent(ag, n, r)]).toEqual([count, n * count]);
    }
  });
});

describe('nvls moves what multimem load-reduce and multicast store move', () => {
  it('each rank sends S + S/n to the switch and receives S/n + S from it (n = 8)', () => {
    const n = 8;
    const count = 8 * 4 * 100; // 4 chunks of 100 per part, 8 parts
    const s = nvls.plan(params(servers(1, n), count, 1, 100));
    expect(s.participants.length).toBe(n + 1);
    expect(s.participants[n]!.kind).toBe('switch');
    for (let r = 0; r < n; r++) {
      expect(sent(s, r, n)).toBe(count + count / n);
      expect(sent(s, n, r)).toBe(count / n + count);
    }
  });

  /** The 32 heads of a 40-rank domain: the first rank of each multicast block of 40/32 ranks (nvls-steps.ts headIndex); 4, 9, …, 39 head nothing. */
  const heads40 = new Set(Array.from({ length: 32 }, (_, h) => Math.floor((h * 40) / 32)));

  it('on 40 ranks NCCL runs 32 heads (NCCL_MAX_NVLS_ARITY): a head sends and receives S + S/32, the 8 others S', () => {
    const n = 40;
    expect(heads40.size).toBe(32);
    const count = 32 * 4 * 100; // 32 parts (one per head), 4 chunks of 100 each
    const s = nvls.plan(params(servers(1, n), count, 1, 100));
    for (let r = 0; r < n; r++) {
      const share = heads40.has(r) ? count / 32 : 0;
      expect([r, sent(s, r, n), sent(s, n, r)]).toEqual([r, count + share, share + count]);
    }
  });

  it('nvlstree on 2 servers of 40: only the 32 heads of each cross, each NIC carrying S/32 each way', () => {
    const n = 40;
    const count = 32 * 2 * 100;
    const s = nvlstree.plan(params(servers(2, n), count, 2, 50));
    for (let r = 0; r < n; r++) {
      const share = heads40.has(r) ? count / 32 : 0;
      expect([r, sent(s, r, n + r), sent(s, n + r, r)]).toEqual([r, share, share]);
      // Every rank's switch link: its input up, its share's store up (heads); the multicast down, its share's sum (heads).
      expect([r, sent(s, r, 2 * n), sent(s, 2 * n, r)]).toEqual([r, count + share, share + count]);
    }
  });

  it('nvlstree: heads talk only to the same local index of other servers, each NIC carrying S/n each way', () => {
    const s = nvlstree.plan(params(servers(2, 4), 4 * 2 * 100, 2, 50));
    const count = 800;
    for (let r = 0; r < 8; r++) {
      for (let q = 0; q < 8; q++) {
        const crossing = Math.floor(r / 4) !== Math.floor(q / 4);
        const bytes = sent(s, r, q);
        if (crossing && r % 4 === q % 4) expect(bytes).toBe(count / 4);
        else expect(bytes).toBe(0);
      }
    }
    // One switch agent per server, each exchanging only with its own server's ranks.
    expect(sent(s, 8, 4)).toBe(0);
    expect(sent(s, 9, 0)).toBe(0);
  });
});

describe('where they cannot run, one line says why', () => {
  it('nvls needs one reduction switch reaching every rank', () => {
    expect(nvls.unsupported(params({ groups: [[0, 1, 2, 3]], hasReductionSwitch: false }, 10))).toMatch(/needs one reduction-capable switch reaching every rank/);
    expect(nvls.unsupported(params(servers(2, 4), 10))).toMatch(/needs one reduction-capable switch/);
    expect(Number.isNaN(nvls.predictNs(params(servers(2, 4), 10), { alphaNs: 1, bandwidthBytesPerSec: 1, intra: { alphaNs: 1, bandwidthBytesPerSec: 1 }, inter: { alphaNs: 1, bandwidthBytesPerSec: 1 } }))).toBe(true);
  });

  it('nvlstree needs 2+ servers of 2+ equal ranks, each with a reduction switch', () => {
    expect(nvlstree.unsupported(params(servers(1, 8), 10))).toMatch(/2 or more servers/);
    expect(nvlstree.unsupported(params(servers(4, 1), 10))).toMatch(/2 or more ranks per server/);
    expect(nvlstree.unsupported(params({ ...servers(2, 4), groupReductionSwitches: false }, 10))).toMatch(/reduction-capable switch .* in every server/);
    expect(nvlstree.unsupported(params({ groups: [[0, 1, 2], [3, 4]], hasReductionSwitch: false, groupReductionSwitches: true }, 10))).toMatch(/equal size/);
  });
});

describe('predictNs', () => {
  const NVLS_LAUNCH_NS = NCCL_LATENCY_US.hwLat.nvlink.NVLS.Simple * 1000;
  const NVLSTREE_NET_STEP_NS = NCCL_LATENCY_US.hwLat.net.NVLSTree.Simple * 1000;
  const cost = { alphaNs: 600, bandwidthBytesPerSec: 1e9, intra: { alphaNs: 600, bandwidthBytesPerSec: 1e9 }, inter: { alphaNs: 3000, bandwidthBytesPerSec: 1e8 }, reductionEfficiency: 0.5 };
  it('nvls: one chunk is up, sum, store, multicast: 2α + 2·S·(n+1)/n·β/e', () => {
    const S = 8000 * 4;
    // NCCL_LATENCY_US: NVLS's NVLink latency (25 µs) once per collective (protocols.ts).
    expect(nvls.predictNs(params(servers(1, 8), 8000), cost)).toBeCloseTo(NVLS_LAUNCH_NS + 1200 + (2 * S * 9) / 8 / 0.5, 6);
  });
  it('nvls: m > 4 chunks take m + 3 rounds on up to 7 heads', () => {
    // 5 parts of 1000, chunks of 100: m = 10, a round moves 5·100 elements.
    const round = (5 * 100 * 4 * 6) / 5 / 0.5;
    expect(nvls.predictNs(params(servers(1, 5), 5000, 1, 100), cost)).toBeCloseTo(NVLS_LAUNCH_NS + 1200 + 13 * round, 6);
  });
  it('nvls: from 8 heads the 4 inputs every rank posts ahead go up before the first multicast (the window)', () => {
    // 8 parts of 1000, chunks of 100: m = 10, b = 8·100·4 B a round, S = 8000·4 B: 4b up, then the
    // multicast (S) and the sums of chunks 4.. ((S − 4b)/8) down — (H − 7)/(H + 1) = 1/9 round more than 13.
    const S = 8000 * 4;
    const b = 8 * 100 * 4;
    const round = (b * 9) / 8 / 0.5;
    const window = ((S * 9) / 8 + (4 * b * 7) / 8) / 0.5;
    expect(window - 13 * round).toBeCloseTo(round / 9, 6);
    expect(nvls.predictNs(params(servers(1, 8), 8000, 1, 100), cost)).toBeCloseTo(NVLS_LAUNCH_NS + 1200 + window, 6);
  });
  it('nvls: 2 <= m <= 4 chunks run as a chain (2S + b/H), also where m + 3 rounds would be less (8 heads, m = 4)', () => {
    // 8 parts of 400, chunks of 100: m = 4. Rounds: 7·b·9/8 = 7.875b; the chain: 8b + b/8 = 8.125b.
    const b = 8 * 100 * 4;
    expect(nvls.predictNs(params(servers(1, 8), 3200, 1, 100), cost)).toBeCloseTo(NVLS_LAUNCH_NS + 1200 + (2 * 3200 * 4 + b / 8) / 0.5, 6);
  });
  /** nvlstree's fixed latency: the launch, 2α_intra as nvls and a third for the head's request of chunk 0 (to its switch and on to the group: the pull). */
  const NVLSTREE_FIXED_NS = NVLS_LAUNCH_NS + 3 * 600;
  it('nvlstree adds the chain: one chunk on 2 servers ends with the leaf side (its total 2 NIC hops of α_inter and half a NIC round each away)', () => {
    // 2 servers of 4, 2 channels: 8 parts of 1000, unchunked (m = 1); a head's NIC round (b/n = 2000·4 B at 0.1 B/ns)
    // carries its two parts' chunks, one up and one down: the tree is 2α + that round, once (one chunk, no pipeline).
    // A head's two parts are a root and a leaf (complementary trees). The root stores its total as it sends it down
    // (one pass), after the tree's up half, and its multicasts stream down while the leaf's total crosses the NIC; the
    // leaf stores (half the share) after the whole tree, then its half of the multicasts (half the input).
    const nic = ((8 * 1000 * 4) / 4) * 10;
    const input = 8000 * 4 * 2;
    const share = input / 4;
    const tree = 2 * NVLSTREE_NET_STEP_NS + nic;
    const rootSide = input + share + tree / 2 + share / 2 + input;
    const leafSide = input + share + tree + share / 2 + input / 2;
    expect(rootSide).toBeLessThan(leafSide);
    expect(nvlstree.predictNs(params(servers(2, 4), 8000, 2), cost)).toBeCloseTo(NVLSTREE_FIXED_NS + leafSide, 6);
  });
  /** 4 servers of 2, 2 channels (4 parts of 2000): a round moves b = 4·chunk·4 B; the double binary tree is D = 2 high, so a chunk crosses it in 2D = 4 pieces. */
  function fourServers(chunk: number) {
    const b = 4 * chunk * 4;
    const switchRound = (b * 3) / 2 / 0.5;
    const nic = (b / 2) * 10;
    const depth = 2 * (2 * NVLSTREE_NET_STEP_NS + nic / 4);
    return { switchRound, round: Math.max(switchRound, 2 * nic), depth, predicted: nvlstree.predictNs(params(servers(4, 2), 8000, 2, chunk), cost) };
  }
  it('nvlstree on 4 servers: the tree carries the first piece of 2D, NIC rounds only for chunks, one fill round at the switch', () => {
    // Chunks of 1000: m = 2 rounds carrying chunks across the NICs, 1 the switch's fill (the first inputs going up alone).
    // (Charging every level a whole chunk and every round the NIC's gave 1200 + 2·(28 µs + nic) + 4·round.)
    const { switchRound, round, depth, predicted } = fourServers(1000);
    expect(predicted).toBeCloseTo(NVLSTREE_FIXED_NS + depth + 2 * round + switchRound, 6);
  });
  it('nvlstree on 4 servers: each connection holds NCCL_STEPS chunks, so no window spans the tree and every chunk pays only its NIC round', () => {
    // Chunks of 250 (m = 8). main paced every rank's inputs 3 chunks ahead of the multicasts it had received,
    // a loop through the whole tree, and added (8 - 3)·2·α_inter/3 for the second level's hop up and down.
    const { switchRound, round, depth, predicted } = fourServers(250);
    expect(predicted).toBeCloseTo(NVLSTREE_FIXED_NS + depth + 8 * round + switchRound, 6);
  });
  it("nvlstree's NIC round per chunk is the busiest server's tree degrees over the two trees: 1, 1.5, 2 NIC rounds on 2, 3, 4 servers", () => {
    // Servers of 2, 2 channels: 4 parts, chunks of 250, so a round moves b = 4·250·4 B and a NIC round is (b/2)·10 ns;
    // doubling the count (m = 8 -> 16) adds 8 rounds. The switch round (b·3/2·2 ns) is shorter than all three.
    const nic = ((4 * 250 * 4) / 2) * 10;
    const grow = (g: number) => nvlstree.predictNs(params(servers(g, 2), 16000, 2, 250), cost) - nvlstree.predictNs(params(servers(g, 2), 8000, 2, 250), cost);
    expect(grow(2)).toBeCloseTo(8 * nic, 6);
    expect(grow(3)).toBeCloseTo(8 * 1.5 * nic, 6);
    expect(grow(4)).toBeCloseTo(8 * 2 * nic, 6);
  });
  /**
   * 2 servers of 4, 2 channels (8 parts of 1000) with a NIC 10x the switch link (e = 0.5, so a switch byte takes
   * 2·1e9/intra ns, a NIC byte 1e8/intra): the switch link binds, as on dgx-h100:nodes=2. A round moves b = 8·chunk·4 B:
   * a rank's inputs take b bytes of the switch link, its share (sums taken, totals stored) b/4.
   */
  function switchBound(chunk: number, intraBytesPerSec: number) {
    const switchCost = { ...cost, intra: { alphaNs: 600, bandwidthBytesPerSec: intraBytesPerSec }, inter: { alphaNs: 3000, bandwidthBytesPerSec: 10 * intraBytesPerSec } };
    const b = 8 * chunk * 4;
    const switchNsPerByte = (2 * 1e9) / intraBytesPerSec;
    const input = b * switchNsPerByte;
    const share = (b / 4) * switchNsPerByte;
    const nic = ((b / 4) * 1e8) / intraBytesPerSec;
    const tree = 2 * NVLSTREE_NET_STEP_NS + nic;
    return { input, share, tree, nic, predicted: nvlstree.predictNs(params(servers(2, 4), 8000, 2, chunk), switchCost) - NVLSTREE_FIXED_NS };
  }
  /**
   * The two bounds of a one-level tree: a head's parts are a root and a leaf. The root side: the root stores its total
   * as it sends it down (one pass), after the tree's up half (its store half the share), behind the inputs asked for
   * at once (a = min(m, 8) slots) or one flow among them (a whole switch round), whichever is sooner; then every
   * multicast and the sums not yet down (input k's is down at (k+1)·input + share). The leaf side: its last sum behind
   * the m inputs, a NIC round's half beside the root part's descent (m > 1), the whole tree, its store and its half
   * of the multicasts. m - 1 + f chunks after the first (f: the ragged last chunk's fraction).
   */
  function oneLevel(m: number, f: number, { input, share, tree, nic }: { input: number; share: number; tree: number; nic: number }) {
    const start = input + share + tree / 2;
    const inputsAhead = m <= 8 ? m - 1 + f : 8;
    const firstStore = Math.max(Math.min(inputsAhead * input + share, start + input + share), start + share / 2);
    const sumsDownEarly = Math.min(m, 8, Math.floor((firstStore - share) / input));
    const rootSide = firstStore + (m - 1 + f) * (input + share) - sumsDownEarly * share;
    const leafSide = (m - 1 + f) * input + share + (m > 1 ? nic / 2 : 0) + tree + (f * (share + input)) / 2;
    return { start, firstStore, sumsDownEarly, rootSide, leafSide };
  }
  it('nvlstree on 2 servers, switch-bound: the root\'s first store is one flow among the inputs and takes a switch round, then every multicast and the later sums stream down', () => {
    // Chunks of 125 (m = 8, all 8 asked for at once: NCCL_STEPS slots): beside the channels' inputs (the same chunk
    // each) the store gets 1/(P + P/n) of the uplink, a whole switch round; the sums of inputs 0-1 came down before it.
    const t = switchBound(125, 4e8);
    const { start, firstStore, sumsDownEarly, rootSide, leafSide } = oneLevel(8, 1, t);
    expect(start + t.input + t.share).toBeLessThan(8 * t.input + t.share);
    expect(firstStore).toBeCloseTo(start + t.input + t.share, 6);
    expect(sumsDownEarly).toBe(2);
    expect(leafSide).toBeLessThan(rootSide);
    expect(t.predicted).toBeCloseTo(start + t.input + t.share + 8 * (t.input + t.share) - 2 * t.share, 6);
  });
  it('nvlstree on 2 servers, switch-bound, 2 chunks: the root\'s first store lands behind both inputs', () => {
    // Chunks of 500 (m = 2): the store starts while input 1 still goes up and lands once the uplink has carried
    // both and itself; both sums came down before it; the leaf side is shorter.
    const t = switchBound(500, 1e9);
    const { start, rootSide, leafSide } = oneLevel(2, 1, t);
    expect(2 * t.input + t.share).toBeLessThan(start + t.input + t.share);
    expect(2 * t.input + t.share).toBeGreaterThan(start + t.share / 2);
    expect(leafSide).toBeLessThan(rootSide);
    expect(t.predicted).toBeCloseTo(2 * t.input + t.share + 2 * t.input, 6);
  });
  it('nvlstree on 2 servers, switch-bound, 2 chunks, a fast switch: the leaf\'s last chunk ends the run', () => {
    // The tree (2 NET steps) is long beside the switch rounds: the root side's multicasts are down before the leaf's
    // last total has come back, so the run is the leaf's chain: 2 inputs, its sum, half a NIC round (its climb
    // beside the root part's descent), the tree, its store and its half of the multicasts.
    const t = switchBound(500, 4e9);
    const { rootSide, leafSide } = oneLevel(2, 1, t);
    expect(rootSide).toBeLessThan(leafSide);
    expect(t.predicted).toBeCloseTo(2 * t.input + t.share + t.nic / 2 + t.tree + (t.share + t.input) / 2, 6);
  });
  it('nvlstree on 2 servers, switch-bound, a ragged last chunk: the stream counts it by its bytes', () => {
    // Chunks of 300 in parts of 1000: 3 whole chunks and one of 100 (a third); the first store one flow among the inputs, 2 sums down early.
    const t = switchBound(300, 4e8);
    const { start, sumsDownEarly, rootSide, leafSide } = oneLevel(4, 1 / 3, t);
    expect(sumsDownEarly).toBe(2);
    expect(leafSide).toBeLessThan(rootSide);
    expect(t.predicted).toBeCloseTo(start + t.input + t.share + (3 + 1 / 3) * (t.input + t.share) - 2 * t.share, 6);
  });
  it('nvlstree: a chunk larger than the part is one whole chunk, not a ragged fraction of one', () => {
    // Parts of 1000 with chunks of 4000 run unchunked (roundBytes takes the part); counting the part as a quarter of a
    // chunk made dgx-h100:nodes=2 at 1-2 MiB (NCCL's 256 KiB chunk, 64-128 KiB parts) 1.07x the prediction.
    const layout = servers(2, 4);
    expect(nvlstree.predictNs(params(layout, 8000, 2, 4000), cost)).toBeCloseTo(nvlstree.predictNs(params(layout, 8000, 2), cost), 6);
  });
  it('nvlstree on 2 servers, switch-bound, 2 chunks, the second ragged: the first store waits behind the inputs by their bytes', () => {
    // Chunks of 600 in parts of 1000: a whole chunk and two thirds of one, both asked for at once. The root's first
    // store lands once the uplink has carried 1 + 2/3 inputs (nvl72:racks=2 at 64-128 MiB, where counting 2 whole
    // inputs made the simulation 0.946x the prediction; 0.996x by bytes).
    const t = switchBound(600, 1e9);
    const { start, firstStore, sumsDownEarly, rootSide, leafSide } = oneLevel(2, 2 / 3, t);
    expect((5 / 3) * t.input + t.share).toBeLessThan(start + t.input + t.share);
    expect(firstStore).toBeCloseTo((5 / 3) * t.input + t.share, 6);
    expect(sumsDownEarly).toBe(1);
    expect(leafSide).toBeLessThan(rootSide);
    expect(t.predicted).toBeCloseTo(firstStore + (5 / 3) * (t.input + t.share) - t.share, 6);
  });
  it("nvlstree's slots: NCCL_STEPS chunks per connection at NCCL's chunk, fewer when a chunk fills several NVLS steps", () => {
    // 2 channels: a part's chunk is 8 NCCL chunks side by side; NCCL's NVLS step is 128 KiB.
    const layout = servers(2, 8);
    expect(nvlsTreeSlots(params(layout, 1 << 24, 2, (8 * 128 * 1024) / 4))).toBe(8);
    expect(nvlsTreeSlots(params(layout, 1 << 24, 2, (8 * 256 * 1024) / 4))).toBe(4);
    expect(nvlsTreeSlots(params(layout, 1 << 24, 2, (8 * 2048 * 1024) / 4))).toBe(1);
  });
  it('nvlstree on 2 servers, NIC-bound: the fill, m NIC rounds, then the last total\'s two hops of α_inter and the leaf\'s store and half the multicasts', () => {
    // 2 servers of 4, 2 channels: 8 parts of 1000, chunks of 100 (m = 10); the NIC round of b/n dominates. Each NIC
    // direction carries the leaf parts' chunks up and the root parts' totals down, m rounds in all, so the last
    // total's transfer is in them; after it the leaf stores (half the share) and takes its half of the multicasts
    // (half the input). (Charging the tree's whole NIC round there, as deeper trees do, made hgx-b200:nodes=2
    // 0.916 / 0.969x at 64 / 256 MiB; it is 1.000x with this drain.)
    const nic = ((8 * 100 * 4) / 4) * 10;
    const input = 100 * 8 * 4 * 2;
    const share = input / 4;
    const fill = input + share;
    expect(nvlstree.predictNs(params(servers(2, 4), 8000, 2, 100), cost)).toBeCloseTo(NVLSTREE_FIXED_NS + 2 * NVLSTREE_NET_STEP_NS + (share + input) / 2 + 10 * nic + fill, 6);
  });
});
