import { nvlsHeads, nvlsTreeChunkBytes, withProtocols } from '../protocols.js';
import { assertPlannable, invalidParams, nsPerByte } from '../kit.js';
import { clampChannels, doubleBinaryTree } from '../logical.js';
import { inSwitchReductionProblem } from '../in-switch-ops.js';
import type { Algorithm, CostParams, PlanParams } from '../types.js';
import { nvlsChunks } from './nvls.js';
import { nvlsTreeSlots, planNvlsTreeSplit, roundBytes, switchNsPerByte, treePieces, unequalGroups } from './nvls-steps.js';

/**
 * Switch rounds of nvlstree's NIC-bound pipeline that carry nothing across the NICs: the first
 * inputs going up alone. The rest of the fill and drain overlaps the NIC rounds, since every
 * head asks for its first NCCL_STEPS chunks at once (nvls-steps.ts nvlsTreeSlots).
 */
const NVLSTREE_FILL_ROUNDS = 1;

/** One pipeline round's parts of a rank's switch link (ns): its inputs, and its share (the sums it takes as a head, the totals it stores). */
interface SwitchRound {
  readonly inputNs: number;
  readonly shareNs: number;
}

/**
 * The switch-bound pipeline (ns, from the first input to the last multicast): on two servers
 * a head's switch link, (H+1)/H of a round's bytes each way, is slower than its NIC, and its
 * downlink streams multicasts from the first one on. What goes before that first multicast is
 * the fill, from the schedule (nvls-steps.ts planNvlsTreeSplit; trace in predictor-error.md,
 * "NVLSTree's fill"): every head asks for its first a = min(m, slots) chunks at once, so every
 * rank sends its first a inputs one after another on each channel and input 0 lands after one
 * input round; the head takes chunk 0's sum, runs the tree and stores the total — and that store
 * shares the uplink with the inputs still going up, so it lands once the uplink has carried all
 * a inputs and itself, or a whole switch round after it started if that is sooner (one flow among
 * the inputs, which it is from a = 3 on at NCCL's chunk), but not before the chain input, sum,
 * tree, store (the chunk's own). From then the downlink carries every chunk's multicast and the
 * sums not already delivered: those of the inputs that landed before the first store did (input
 * k's sum is down at (k+1)·input + share) came down during the fill: m·(input + share) − d·share.
 *
 * On a one-level tree (two servers, two racks) a head's two parts are a root and a leaf of the
 * complementary trees, and their stores are far apart (predictor-error.md, "NVLSTree at 1–16 MiB
 * on 2 servers", re-derived for this schedule): the root stores each total as it sends it down
 * (one pass), after the tree's up half, its store half the share; the leaf only once the total
 * has come back. Two bounds then: the stream from the root's first store, and the leaf's last
 * chunk — its sum behind m inputs, the tree (where it climbs beside the root part's previous chunk
 * descending: m > 1, half a NIC round more), its store and its half of the multicasts. With one
 * chunk the leaf's chain is the run (dgx-h100:nodes=2 1–8 MiB exact). Deeper trees (4+ servers)
 * rarely bind here; their first multicast is taken at the mean of a root's and a leaf's.
 */
function switchBoundNs(chunks: number, chunkFraction: number, slots: number, round: SwitchRound, tree: TreeTiming): number {
  const ahead = Math.min(chunks, slots);
  const { inputNs, shareNs } = round;
  const streamNs = (firstStoreNs: number): number => {
    const sumsDownEarly = Math.min(ahead, Math.floor((firstStoreNs - shareNs) / inputNs));
    return firstStoreNs + (chunks - 1 + chunkFraction) * (inputNs + shareNs) - sumsDownEarly * shareNs;
  };
  // The inputs asked for at once, by their bytes: when they are every chunk, the last is ragged.
  const inputsAhead = ahead < chunks ? ahead : chunks - 1 + chunkFraction;
  // Under max-min sharing the store is one more flow among the channels' inputs, of the same
  // chunk, so beside a full set of them it takes a whole switch round (input + share).
  const firstStoreNs = (startNs: number, storeNs: number): number => Math.max(Math.min(inputsAhead * inputNs + shareNs, startNs + inputNs + shareNs), startNs + storeNs);
  if (!tree.oneLevel) {
    // The root stores each total as it sends it down (one pass), once chunk 0 has climbed the
    // tree (its up half); a leaf once the total has come back down (all of it): on the mean, a
    // server's multicasts start after three quarters of the tree.
    return streamNs(firstStoreNs(inputNs + shareNs + (3 * tree.ns) / 4, shareNs));
  }
  const rootNs = streamNs(firstStoreNs(inputNs + shareNs + tree.ns / 2, shareNs / 2));
  const climbBesideDescentNs = chunks > 1 ? tree.nicRoundNs / 2 : 0;
  const leafLastNs = (chunks - 1 + chunkFraction) * inputNs + shareNs + climbBesideDescentNs + tree.ns + (chunkFraction * (shareNs + inputNs)) / 2;
  return Math.max(rootNs, leafLastNs);
}

/** The NIC tree as the switch bound sees it (ns): one chunk's climb and descent, whether it is one level (two servers or racks), one NIC round (both parts' chunks). */
interface TreeTiming {
  readonly ns: number;
  readonly oneLevel: boolean;
  readonly nicRoundNs: number;
}

/**
 * Chunks a head's NIC carries each way per round, per part: a head has as many parts in each of
 * the two complementary trees, and in a tree it sends one chunk up to its parent and one down
 * to each child (and receives as many): the busiest server's tree degrees summed, over the two
 * trees. 1 on two servers (a leaf and a root of one child in each); 2 from four (inner in one
 * tree: a parent and two children, a leaf in the other); 1.5 on three (the root of two leaves
 * in one tree, a leaf in the other).
 */
function nicChunksPerPart(trees: readonly { readonly parent: readonly number[]; readonly children: readonly (readonly number[])[] }[]): number {
  const servers = trees[0]!.parent.length;
  let busiest = 0;
  for (let g = 0; g < servers; g++) {
    busiest = Math.max(busiest, trees.reduce((sum, t) => sum + (t.parent[g]! >= 0 ? 1 : 0) + t.children[g]!.length, 0));
  }
  return busiest / trees.length;
}

/** The largest part's last chunk as a fraction of a whole one (1 when the part is whole chunks), channels · heads parts. */
function lastChunkFraction(params: PlanParams, heads: number): number {
  const perPart = Math.ceil(params.count / clampChannels(params.channels * heads, params.count));
  // A part no larger than a chunk is one whole chunk (roundBytes takes the part's size).
  if (params.chunkElements <= 0 || perPart <= params.chunkElements) return 1;
  const rest = perPart % params.chunkElements;
  return rest === 0 ? 1 : rest / params.chunkElements;
}

/**
 * NCCL's NVLSTree all-reduce: NVLS inside every server (one reduction-switch agent each)
 * and, between the load-reduce and the multicast store, a reduce and broadcast over the
 * NICs among the heads of one local index (one rail). Schedule: ./nvls-steps.ts.
 */
export const nvlstree: Algorithm = withProtocols({
  name: 'nvlstree',
  collective: 'allReduce',
  description: "NCCL's NVLSTree: NVLS inside each server, its per-head sums reduced and broadcast across servers along a chain of same-rail heads over the NICs.",
  constraints: 'needs 2+ servers of equal size, each with its own reduction-capable NVSwitch (dgx-h100:nodes>=2); uses heads·channels channels, heads = min(32, ranks per server) (NCCL_MAX_NVLS_ARITY)',
  unsupported(params) {
    const invalid = invalidParams(params);
    if (invalid !== null) return invalid;
    const groups = params.layout.groups;
    if (groups.length < 2) return params.layout.hasReductionSwitch ? 'needs 2 or more servers (on one server use nvls)' : 'needs 2 or more servers, each with a reduction-capable NVSwitch (NVLink SHARP); this topology has one server';
    if (groups[0]!.length < 2) return 'needs 2 or more ranks per server (NVLS inside each server)';
    if (!params.layout.groupReductionSwitches) return 'needs a reduction-capable switch (NVSwitch with NVLink SHARP) in every server; this topology lacks one';
    return unequalGroups(groups) ?? inSwitchReductionProblem(params, 'nvls');
  },
  /**
   * Two: a head then has two parts, so its NIC sends one part's sums up its chain while it
   * receives the other's totals down (a channel's steps run in order; NCCL runs the reduce
   * and the broadcast in separate warps for the same reason).
   */
  defaultChannels: () => 2,
  /** NCCL's NVLSTree chunk for this size and server count, as one part's share of NCCL's NVLS channels (16 on Hopper, 24/32 on Blackwell) (protocols.ts nvlsTreeChunkBytes). */
  defaultChunkBytes: nvlsTreeChunkBytes,
  plan(params: PlanParams) {
    assertPlannable(nvlstree.unsupported(params));
    return planNvlsTreeSplit(params, 'nvlstree', params.layout.groups);
  },
  /**
   * T = 3α_intra + max(T_nic, T_switch)
   * T_nic = D·(2α_inter + N/k) + m·d·N + R_switch; on one level (D = 1) 2α_inter + (share + input)/2 + m·N + R_switch,
   *   and none for one chunk there (its chain is T_switch's leaf side);
   * T_switch = switchBoundNs (switch-bound: 2 servers, nvl72 racks)
   * G servers of n ranks, H = nvlsHeads(n) heads each (NCCL's: min(32, n)); c, m, b, e as for
   * nvls; N = (b/H)·β_inter, one round of a head's NIC, which carries its parts' chunks (b/H)
   * each way per round, d of them per part
   * (nicChunksPerPart: the busiest server's tree degrees over the two trees — 1 on 2 servers,
   * 1.5 on 3, 2 from 4); R_switch = b·(H+1)/H·β_intra/e (as nvls). The NIC-bound pipeline pays
   * d·N per chunk; its fill (the first inputs going up alone) carries nothing across the NICs
   * and costs R_switch (NVLSTREE_FILL_ROUNDS). Where the switch link binds (2 servers: R_switch
   * > N) T_switch is the larger: its fill is the first store, one flow among the inputs asked for
   * at once (predictor-error.md, "NVLSTree's fill"). The last chunk also climbs and descends the
   * tree, D = the double binary tree's height in NIC hops each way: α_inter each, and a piece's
   * transfer each — the schedule cuts a chunk into k = treePieces(D + 1) pieces (2 per hop once
   * D ≥ 2) that cut through the tree, so only the first piece's hops wait (its other pieces'
   * transfers are in the m NIC rounds); a piece is half a NIC round over k (the head's two parts
   * use complementary trees, so one part's chunk crosses each way at a time). (Charging every
   * level the whole chunk and every fill round the NIC's round made 4–16 servers 0.68–0.88×
   * pessimistic at 4–256 MiB; predictor-error.md, "Ring lockstep".) On one level the last chunk's
   * transfer is already in the m rounds (each NIC direction carries the leaf parts' chunks up and the
   * root parts' totals down), so after them come only its two hops' α_inter and the leaf's store and
   * half of the multicasts: hgx-b200:nodes=2 (NIC-bound) 1.000x at 64 MiB–4 GiB, 0.916–0.991x with
   * the tree's NIC round there. α_inter is the worst
   * inter-server pair; the tree's hops are rail-local and shorter, so small messages simulate
   * faster than predicted. No term for a window: each connection holds NCCL_STEPS chunks
   * (nvls-steps.ts nvlsTreeSlots), and one hop's round trip (pull, sum, the NIC hop, the credit
   * back: ~2α_inter + R_switch + N) is well inside 8 rounds, so only bandwidth paces a round. (When
   * every rank's inputs waited for its multicast 3 chunks back, a loop through the whole tree, a
   * round paid 2(D−1)·α_inter/3 more: 4, 16, 128 servers 1.17×, 1.58×, 2.14× slower; nvls.md,
   * "NVLSTree paced per connection".) At NCCL's chunk (nvlsTreeChunkBytes) the simulation is, on
   * dgx-h100, 1.000x this on 2 servers from 1 to 8 MiB, 0.989x at 16 MiB, 1.053x at 32 MiB (4
   * chunks asked for at once; the leaf parts do not store their last totals together, which
   * neither bound models) and 1.000–1.016x from 64 MiB to 8 GiB; 0.93–0.99x on 3 (1–16 MiB), 1.01–1.06x
   * (32–512 MiB), 1.00–1.01x (1–4 GiB); 0.95–0.99x (1–64 MiB) and 0.98–1.00x (128 MiB–8 GiB) on 4;
   * 0.945–0.998x (1–64 MiB) and 0.99–1.00x (128 MiB–8 GiB) on 16, 0.998x on 128 (1 GiB); nvl72:racks=2 1.000x at 1–32 MiB,
   * 0.996–0.997x at 64–128 MiB (the inputs ahead of the first store counted by their bytes: 0.946x
   * with the ragged last one whole) and 1.000–1.001x from 256 MiB (nvls.md, "NVLSTree
   * paced per connection, adopted"). The third α_intra is the head's request for chunk 0 (to its
   * switch and on to the group: NCCL's pull, multimem.ld_reduce), which nvls does not wait for.
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    if (nvlstree.unsupported(params) !== null) return Number.NaN;
    if (params.count === 0) return 0;
    const groups = params.layout.groups;
    const g = groups.length;
    const heads = nvlsHeads(groups[0]!.length);
    const bytes = roundBytes(params, params.channels * heads);
    const round: SwitchRound = { inputNs: bytes * switchNsPerByte(cost), shareNs: (bytes / heads) * switchNsPerByte(cost) };
    const intraNs = round.inputNs + round.shareNs;
    const interNs = (bytes / heads) * nsPerByte(cost.inter.bandwidthBytesPerSec);
    const trees = doubleBinaryTree(g);
    const nicRoundNs = interNs * nicChunksPerPart(trees);
    const depth = Math.max(...trees.map((t) => t.height[t.root]!));
    const treeNs = depth * (2 * cost.inter.alphaNs + interNs / treePieces(depth + 1));
    const chunks = nvlsChunks(params, heads);
    // One level: after the fill, each NIC direction carries the leaf parts' chunks up and the
    // root parts' totals down, m·N in all; the last total then waits its hops' α_inter only (its
    // transfer is in the m rounds) and the leaf's store and its half of the multicasts.
    const drainNs = depth === 1 ? 2 * cost.inter.alphaNs + (round.shareNs + round.inputNs) / 2 : treeNs;
    const nicBoundNs = drainNs + chunks * nicRoundNs + NVLSTREE_FILL_ROUNDS * intraNs;
    const switchBound = switchBoundNs(chunks, lastChunkFraction(params, heads), nvlsTreeSlots(params), round, { ns: treeNs, oneLevel: depth === 1, nicRoundNs: interNs });
    // One chunk on one level: no pipeline, and the tree's piece is the whole chunk (treePieces(2)
    // = 1), so nicBoundNs' NIC round is the tree's own transfer counted twice; the chain (the
    // switch bound's leaf side) is the whole run.
    const nicBound = depth === 1 && chunks === 1 ? 0 : nicBoundNs;
    return 3 * cost.intra.alphaNs + Math.max(nicBound, switchBound);
  },
}, 'NVLSTree', ['Simple']);
