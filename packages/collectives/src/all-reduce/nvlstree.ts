import { nvlsTreeChunkBytes, withProtocols } from '../protocols.js';
import { assertPlannable, invalidParams, nsPerByte } from '../kit.js';
import { doubleBinaryTree } from '../logical.js';
import type { Algorithm, CostParams, PlanParams } from '../types.js';
import { nvlsChunks } from './nvls.js';
import { INPUTS_AHEAD, planNvlsTreeSplit, roundBytes, switchNsPerByte, treePieces, unequalGroups } from './nvls-steps.js';

/**
 * Switch rounds of nvlstree's NIC-bound pipeline that carry nothing across the NICs: the first
 * inputs going up alone. The rest of the fill and drain overlaps the NIC rounds, since every
 * rank's inputs run INPUTS_AHEAD chunks ahead of its multicasts (nvls-steps.ts), the head's too.
 */
const NVLSTREE_FILL_ROUNDS = 1;

/** One pipeline round's parts of a rank's switch link (ns): its inputs, and its share (the sums it takes as a head, the totals it stores). */
interface SwitchRound {
  readonly inputNs: number;
  readonly shareNs: number;
}

/**
 * The switch-bound pipeline (ns, from the first input to the last multicast): on two servers
 * a rank's switch link, (n+1)/n of a round's bytes each way, is slower than its NIC, and its
 * downlink streams multicasts from the first one on. What goes before that first multicast is
 * the fill, from the schedule (nvls-steps.ts planNvlsTreeSplit; trace in predictor-error.md,
 * "NVLSTree's fill"): every rank sends its first a = min(m, INPUTS_AHEAD) inputs at once, one
 * after another on each channel, so input 0 lands after one input round; the head takes chunk
 * 0's sum, runs the tree and stores the total — and that store shares the uplink with the
 * inputs still going up, so it lands once the uplink has carried all a inputs and itself, or a
 * whole switch round after it started if that is sooner (one flow among the inputs, nvl72's
 * 144 channels), but not before the chain input, sum, tree, store (the chunk's own). From then the
 * downlink carries every chunk's multicast and the sums not already delivered (the first a
 * came down during the fill): m·(input + share) − a·share.
 *
 * With few chunks the chain binds, and on a one-level tree (two servers) it is not the same for
 * a head's two parts (complementary trees: a root and a leaf; predictor-error.md, "NVLSTree at
 * 1–16 MiB"): the root stores its total as soon as it has sent it down, α_inter before the leaf
 * has it, so the root parts' multicasts stream down while the leaf's total crosses the NIC. Two
 * bounds then: the downlink from the root's first store (its store half the share), and the
 * leaf's last chunk — its sum behind m inputs, the tree, where it climbs beside the other part's
 * previous chunk descending (m > 1: a NIC round, not half), its store, and its half of the
 * multicasts.
 */
function switchBoundNs(chunks: number, round: SwitchRound, tree: OneLevelTree): number {
  const ahead = Math.min(chunks, INPUTS_AHEAD);
  const { inputNs, shareNs } = round;
  const storeStartNs = inputNs + shareNs + tree.ns;
  // Under max-min sharing the store is one more flow among the channels' inputs, of the same
  // chunk, so beside a full set of them it takes a whole switch round (input + share).
  const behindInputsNs = Math.min(ahead * inputNs + shareNs, storeStartNs + inputNs + shareNs);
  const downlinkNs = chunks * (inputNs + shareNs) - ahead * shareNs;
  if (tree.rootLeadNs === 0) return Math.max(behindInputsNs, storeStartNs + shareNs) + downlinkNs;
  const rootStoreNs = Math.max(behindInputsNs, storeStartNs - tree.rootLeadNs + shareNs / 2);
  const climbBesideDescentNs = chunks > 1 ? tree.nicRoundNs / 2 : 0;
  const leafLastNs = chunks * inputNs + shareNs + climbBesideDescentNs + tree.ns + shareNs / 2 + inputNs / 2;
  return Math.max(rootStoreNs + downlinkNs, leafLastNs);
}

/**
 * The NIC tree as the switch bound sees it (ns): its climb and descent for one chunk, how much
 * sooner the root side stores than the leaf side (α_inter on a one-level tree, 0 deeper, where
 * a head's parts are not simply a root and a leaf), and one NIC round (both parts' chunks).
 */
interface OneLevelTree {
  readonly ns: number;
  readonly rootLeadNs: number;
  readonly nicRoundNs: number;
}

/**
 * What each tree level below the first adds to a round once the pipeline's window binds (ns).
 * A rank sends chunk k + INPUTS_AHEAD's input only when chunk k's multicast has reached it, so
 * from the (INPUTS_AHEAD+1)-th chunk on a round is at least a chunk's round trip over
 * INPUTS_AHEAD: input, switch sum, up the tree, down it, store, multicast. On two servers
 * (height 1) that round trip just fills the window (measured 178.7 µs in steady state at 1 GiB,
 * 3 rounds of 59.9), so the round is the bandwidth round R. Each further level adds one hop
 * up and one down, each paying the NIC hop's latency α_inter (NCCL's NET step latency), and
 * the window spreads them over INPUTS_AHEAD rounds: 2·(D−1)·α_inter / INPUTS_AHEAD per round.
 * Measured per round at 4 / 16 / 128 servers: 51.5 / 70.4 / 97 µs against R = 43.7 and this
 * 9.3 / 28.0 / 56.0 on top (predictor-error.md, "NVLSTree's window").
 */
function windowNsPerRound(depth: number, cost: CostParams): number {
  return (2 * Math.max(0, depth - 1) * cost.inter.alphaNs) / INPUTS_AHEAD;
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
  constraints: 'needs 2+ servers of equal size, each with its own reduction-capable NVSwitch (dgx-h100:nodes>=2); uses n·channels channels',
  unsupported(params) {
    const invalid = invalidParams(params);
    if (invalid !== null) return invalid;
    const groups = params.layout.groups;
    if (groups.length < 2) return 'needs 2 or more servers (on one server use nvls)';
    if (groups[0]!.length < 2) return 'needs 2 or more ranks per server (NVLS inside each server)';
    if (!params.layout.groupReductionSwitches) return 'needs a reduction-capable switch (NVSwitch with NVLink SHARP) in every server; this topology lacks one';
    return unequalGroups(groups);
  },
  /**
   * Two: a head then has two parts, so its NIC sends one part's sums up its chain while it
   * receives the other's totals down (a channel's steps run in order; NCCL runs the reduce
   * and the broadcast in separate warps for the same reason).
   */
  defaultChannels: () => 2,
  /** NCCL's NVLSTree chunk for this size and server count, as one part's share of NCCL's 16 channels (protocols.ts nvlsTreeChunkBytes). */
  defaultChunkBytes: nvlsTreeChunkBytes,
  plan(params: PlanParams) {
    assertPlannable(nvlstree.unsupported(params));
    return planNvlsTreeSplit(params, 'nvlstree', params.layout.groups);
  },
  /**
   * T = 2α_intra + max(T_nic, T_switch) + max(0, m − A)·2(D−1)·α_inter/A
   * T_nic = D·(2α_inter + N/k) + m·R + R_switch (none for one chunk on one level: its chain is T_switch's leaf side);
   * T_switch = switchBoundNs (switch-bound: 2 servers, nvl72 racks)
   * G servers of n ranks; c, m, b, e as for nvls; N = (b/n)·β_inter, one round of a head's
   * NIC, which carries its parts' chunks (b/n) each way per round; R_switch = b·(n+1)/n·β_intra/e
   * (as nvls), R = N (2N on 3+ servers, below): the NIC-bound pipeline (4+ servers) pays a NIC
   * round per chunk; its fill (the first inputs going up alone) carries nothing across the NICs
   * and costs R_switch (NVLSTREE_FILL_ROUNDS; with the head's inputs held back by its tree work,
   * the fill and drain took min(m, LAG + 1) such rounds). Where the switch link binds (2 servers:
   * R_switch > N) T_switch is the larger: its fill is the first A inputs sent together and the
   * first store behind them on the uplink (one R_switch fill round made 2 servers 1.04 / 1.03x at
   * 64 / 128 MiB, 0.97x at 32 MiB; predictor-error.md, "NVLSTree's fill"). The
   * last chunk also climbs and descends the tree, D = the double binary tree's height in NIC
   * hops each way: α_inter each, and a piece's transfer each — the schedule cuts a chunk into
   * k = treePieces(D + 1) pieces (2 per hop once D ≥ 2) that cut through the tree, so only the
   * first piece's hops wait (its other pieces' transfers are in the m NIC rounds); a piece is
   * half a NIC round over k (the head's two parts use complementary trees, so one part's chunk
   * crosses each way at a time). (Charging every level the whole chunk and every fill round the
   * NIC's round made 4–16 servers 0.68–0.88× pessimistic at 4–256 MiB; predictor-error.md,
   * "Ring lockstep".) α_inter is the worst inter-server pair; the
   * tree's hops are rail-local and shorter, so small messages simulate faster than predicted.
   * On more than two servers a head that is inner in one tree carries 2·b/n per round (R uses
   * 2N). The schedule splits each part's reduce and broadcast over two channels as NCCL's warps
   * do (planNvlsTreeSplit) and a head forwards each total to all its children at once (the
   * steps' fan-out, as NCCL's prims). The last term is the inputs' window (A = INPUTS_AHEAD,
   * windowNsPerRound): past the first A chunks a round is at least a chunk's round trip over A,
   * and every tree level beyond the first adds a hop up and one down to it. At NCCL's chunk
   * (nvlsTreeChunkBytes) on dgx-h100 the simulation is 1.000x this on 2 servers from 8 B to
   * 8 MiB (one chunk), 0.989x at 16 MiB (2 chunks) and 1.000–1.004x from 32 MiB to 4 GiB, 0.85–1.03x on 3 (64 KiB–4 GiB);
   * 0.95 (16 MiB) and 0.97–1.03x (32 MiB–4 GiB) on 4 servers,
   * 0.975–1.02x on 16 (16 MiB–4 GiB) and 0.975x on 128 (1 GiB); nvl72:racks=2 0.89–1.01x (1.000x at 1–16 MiB, 0.89x at
   * 64–128 MiB, whose ragged last chunk T_switch charges whole; 0.98–1.01x from 256 MiB); without the window term 4, 16
   * and 128 servers were 1.10–1.17x, 1.29–1.60x and 2.14x (predictor-error.md, "NVLSTree's window").
   */
  predictNs(params: PlanParams, cost: CostParams): number {
    if (nvlstree.unsupported(params) !== null) return Number.NaN;
    if (params.count === 0) return 0;
    const groups = params.layout.groups;
    const g = groups.length;
    const n = groups[0]!.length;
    const bytes = roundBytes(params, params.channels * n);
    const round: SwitchRound = { inputNs: bytes * switchNsPerByte(cost), shareNs: (bytes / n) * switchNsPerByte(cost) };
    const intraNs = round.inputNs + round.shareNs;
    const interNs = (bytes / n) * nsPerByte(cost.inter.bandwidthBytesPerSec);
    // With 3+ servers a head is inner in one of the double binary trees: over its two parts it
    // sends 4 chunks a round (up 1 and down 2 where inner, up 1 where a leaf), 2 per part.
    const nicRoundNs = g > 2 ? 2 * interNs : interNs;
    const depth = Math.max(...doubleBinaryTree(g).map((t) => t.height[t.root]!));
    const treeNs = depth * (2 * cost.inter.alphaNs + interNs / treePieces(depth + 1));
    const chunks = nvlsChunks(params, n);
    const nicBoundNs = treeNs + chunks * nicRoundNs + NVLSTREE_FILL_ROUNDS * intraNs;
    // The first INPUTS_AHEAD chunks go up without waiting for a multicast; the rest are paced by it.
    const windowNs = Math.max(0, chunks - INPUTS_AHEAD) * windowNsPerRound(depth, cost);
    const switchBound = switchBoundNs(chunks, round, { ns: treeNs, rootLeadNs: depth === 1 ? cost.inter.alphaNs : 0, nicRoundNs: interNs });
    // One chunk on one level: no pipeline, and the tree's piece is the whole chunk (treePieces(2)
    // = 1), so nicBoundNs' NIC round is the tree's own transfer counted twice; the chain (the
    // switch bound's leaf side) is the whole run.
    const nicBound = depth === 1 && chunks === 1 ? 0 : nicBoundNs;
    return 2 * cost.intra.alphaNs + Math.max(nicBound, switchBound) + windowNs;
  },
}, 'NVLSTree', ['Simple']);
