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

/** Elements participant `from` sends to participant `to`, over every channel. */
function sent(s: Schedule, from: number, to: number): number {
  return s.participants[from]!.channels.flat().reduce((sum, st) => {
    if (st.op === 'send' && st.peer === to) return sum + st.src.count;
    if ((st.op === 'recvCopySend' || st.op === 'recvReduceCopySend') && st.sendPeer === to) return sum + st.dst.count;
    return sum;
  }, 0);
}

describe('nvls and nvlstree pass the symbolic checker and the reference executor', () => {
  const cases: [string, typeof nvls, RankLayout][] = [
    ...[1, 2, 3, 5, 8].map((n): [string, typeof nvls, RankLayout] => [`nvls on ${n} ranks`, nvls, servers(1, n)]),
    ...([[2, 2], [2, 8], [3, 4], [4, 2]] as const).map(([g, n]): [string, typeof nvls, RankLayout] => [`nvlstree on ${g}×${n}`, nvlstree, servers(g, n)]),
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
  it('nvls: 2 chunks run as a chain, every input up, the first store, every multicast down: (2S + b/n)·β/e, not 4 rounds', () => {
    // 8 parts of 1000, chunks of 500: m = 2, b = 8·500·4 bytes; the rounds would charge 4·b·9/8.
    const S = 8000 * 4;
    const b = 8 * 500 * 4;
    const chain = (2 * S + b / 8) / 0.5;
    expect(chain).toBeLessThan((4 * b * 9) / 8 / 0.5);
    expect(nvls.predictNs(params(servers(1, 8), 8000, 1, 500), cost)).toBeCloseTo(NVLS_LAUNCH_NS + 1200 + chain, 6);
  });
  it('nvls: m chunks take m + 3 rounds once m >= 5', () => {
    // 8 parts of 1000, chunks of 100: m = 10, a round moves 8·100 elements.
    const round = (8 * 100 * 4 * 9) / 8 / 0.5;
    expect(nvls.predictNs(params(servers(1, 8), 8000, 1, 100), cost)).toBeCloseTo(NVLS_LAUNCH_NS + 1200 + 13 * round, 6);
  });
  it('nvlstree adds the chain: 2(G-1) NIC hops of α_inter (at least NCCL\'s 14 µs NET step) and half a NIC round each', () => {
    // 2 servers of 4, 2 channels: 8 parts of 1000, unchunked (m = 1); a head's NIC round (b/n = 2000·4 B at 0.1 B/ns)
    // carries its two parts' chunks, one up and one down: the tree is 2α + that round, once (one chunk, no pipeline).
    // The root side stores α before the leaf and the downlink streams every multicast from then on: input, sum,
    // tree less α, the root's store (half the share), all multicasts (the input). (Main added a second NIC round.)
    const nic = ((8 * 1000 * 4) / 4) * 10;
    const input = 8000 * 4 * 2;
    const share = input / 4;
    expect(input / 2).toBeGreaterThan(NVLSTREE_NET_STEP_NS);
    expect(nvlstree.predictNs(params(servers(2, 4), 8000, 2), cost)).toBeCloseTo(NVLS_LAUNCH_NS + 1200 + input + share + (NVLSTREE_NET_STEP_NS + nic) + share / 2 + input, 6);
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
    expect(predicted).toBeCloseTo(NVLS_LAUNCH_NS + 1200 + depth + 2 * round + switchRound, 6);
  });
  it('nvlstree on 4 servers: past the inputs\' window of 3 chunks, each round also pays the second level\'s hop up and down over 3', () => {
    // Chunks of 250 (m = 8): chunks 4..8 wait for the multicast 3 chunks back, whose round trip has D - 1 = 1 level more than on 2 servers.
    const { switchRound, round, depth, predicted } = fourServers(250);
    const window = (8 - 3) * ((2 * 1 * NVLSTREE_NET_STEP_NS) / 3);
    expect(predicted).toBeCloseTo(NVLS_LAUNCH_NS + 1200 + depth + 8 * round + switchRound + window, 6);
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
    const tree = 2 * NVLSTREE_NET_STEP_NS + ((b / 4) * 1e8) / intraBytesPerSec;
    return { input, share, tree, predicted: nvlstree.predictNs(params(servers(2, 4), 8000, 2, chunk), switchCost) - NVLS_LAUNCH_NS - 1200 };
  }
  it('nvlstree on 2 servers, switch-bound: the first store waits behind the 3 inputs sent together, then every multicast and the later sums stream down', () => {
    // Chunks of 125 (m = 8): the store starts after input, sum and tree and shares the uplink with inputs 1-2, so it
    // lands once the uplink has carried inputs 0-2 and itself (3·input + share), before a whole switch round after it
    // started, after its own chain (input + 2·share + tree). Then 8 multicasts and the 5 sums not yet down.
    // (One fill round and the tree before 8 switch rounds, as main charged, is 3.25 µs more here.)
    const { input, share, tree, predicted } = switchBound(125, 4e8);
    const storeStart = input + share + tree;
    expect(3 * input + share).toBeLessThan(storeStart + input + share);
    expect(3 * input + share).toBeGreaterThan(storeStart + share);
    expect(predicted).toBeCloseTo(3 * input + share + 8 * input + 5 * share, 6);
  });
  it('nvlstree on 2 servers, switch-bound, a short tree: the first store is one flow among the inputs and takes a switch round', () => {
    // Chunks of 125, a switch link 4x slower: the store starts early in input 1's round; beside the channels' inputs
    // (the same chunk each) it gets 1/(P + P/n) of the link, a whole switch round (nvl72:racks=2, 144 channels).
    const { input, share, tree, predicted } = switchBound(125, 1e8);
    const storeStart = input + share + tree;
    expect(storeStart + input + share).toBeLessThan(3 * input + share);
    expect(predicted).toBeCloseTo(storeStart + input + share + 8 * input + 5 * share, 6);
  });
  it('nvlstree on 2 servers, switch-bound, 2 chunks: both inputs go up together and the root\'s first store waits behind them', () => {
    // Chunks of 500 (m = 2): the leaf's first store lands after input, sum, tree, store, but the root's, α_inter
    // sooner, only waits for both inputs on the uplink; then 2 multicasts (both sums came down before). The leaf's
    // last chunk (2 inputs, sum, a NIC round beside the root's descent, tree, its store and half the multicasts) is shorter.
    const { input, share, tree, predicted } = switchBound(500, 1e9);
    expect(input + 2 * share + tree).toBeGreaterThan(2 * input + share);
    expect(input + share + tree - NVLSTREE_NET_STEP_NS + share / 2).toBeLessThan(2 * input + share);
    expect(2 * input + share + (tree - 2 * NVLSTREE_NET_STEP_NS) / 2 + tree + share / 2 + input / 2).toBeLessThan(2 * input + share + 2 * input);
    expect(predicted).toBeCloseTo(2 * input + share + 2 * input, 6);
  });
  it('nvlstree on 2 servers, one chunk: the root side multicasts while the leaf\'s total crosses the NIC, then the leaf\'s half', () => {
    // Chunks of 1000 (m = 1), a switch link of 4 GB/s: a head's two parts are a root and a leaf (complementary trees).
    // The root stores as soon as it has sent its total down, α_inter (NCCL's NET step) before the leaf has it, and its
    // parts' multicasts (half the input) stream down meanwhile; the run ends with the leaf's store (half the share) and
    // its parts' multicasts. (Main charged both stores after the tree, then every multicast: share/2 + input/2 more.)
    const { input, share, tree, predicted } = switchBound(1000, 4e9);
    expect(input / 2).toBeLessThan(NVLSTREE_NET_STEP_NS);
    expect(predicted).toBeCloseTo(input + share + tree + share / 2 + input / 2, 6);
  });
  it('nvlstree on 2 servers: a one-level tree\'s round trip fits the window, many chunks pay only their rounds', () => {
    // 2 servers of 4, 2 channels: 8 parts of 1000, chunks of 100 (m = 10); the NIC round of b/n dominates.
    const nic = ((8 * 100 * 4) / 4) * 10;
    expect(nvlstree.predictNs(params(servers(2, 4), 8000, 2, 100), cost)).toBeCloseTo(NVLS_LAUNCH_NS + 1200 + (2 * NVLSTREE_NET_STEP_NS + nic) + 10 * nic + (100 * 8 * 4 * 5) / 4 / 0.5, 6);
  });
});
