/**
 * NCCL's own tuner as a pure function: the (algorithm, protocol) NCCL would run a collective
 * of a given size with, and the time its cost model gives every candidate — a choice rule
 * beside weft's (auto.ts takes the argmin of weft's structural predictors instead).
 *
 * Rules followed: NVIDIA/nccl src/graph/tuning.cc as in the stored copy with
 * BLACKWELL_COMPCAP_IDX, PAT, NCCL_LL128_C2C and the all-gather/reduce-scatter NVLS bandwidth
 * rule — after 2.23 (which added PAT and the Blackwell rows) and before the model moved to
 * src/tuning/ with nvlsEfficiency; the copy does not name its release, taken here as 2.24–2.26
 * (the published GB200 NVL72 runs used 2.26.2). It differs from protocols.ts's [tuning] copy
 * (b647562) in Ring/LL (·0.5, there ·1/4), Ring/LL128 (0.92 always), Tree/Simple (8.4 µs base,
 * 4.0 / 14 µs per hop, there 28), the Blackwell rows, and MNNVL (no one-node rule here):
 * - ncclTopoTuneModel: per (function, algorithm, protocol) a bus bandwidth
 *   `graph.nChannels × bw` (bw = bwIntra on ≤ 2 nodes, else bwInter; NVLS min(bwIntra,
 *   bwInter); NVLSTree min(bwIntra, nNodes ≤ 2 ? bwInter : bwInter/2)), the model refinements
 *   (Ring/LL min(llMaxBw, ·0.5); Ring/LL128 min(·0.92, nCh·perChMaxRingLL128Bw); Tree
 *   min(·0.92, nCh·perChMaxTreeBw), then LL min(/3.8, llMaxBw), LL128 min(·(1 node ? 7/9 :
 *   120/128), nCh·perChMaxTreeLL128Bw)), the bus-to-algorithm ratio (Ring nRanks/nsteps, NVLS
 *   and NVLSTree 5/6, Tree 0.5; none for non-ring all-gather/reduce-scatter), and a latency
 *   baseLat + hops × hwLat (Ring: (nsteps − nInterSteps)·max(intraLat, netOverhead) +
 *   nInterSteps·interLat; Tree: 2·((nRanks/nNodes − 1)·intraLat + log2i(nNodes)·interLat);
 *   NVLS: intraLat (+ interLat on several nodes); NVLSTree: intraLat + 2·log2i(nNodes)·interLat;
 *   PAT: 8 + log2i(nNodes)·interLat/3.5 + nRanks·2.8, its bus bandwidth the tree graph's × 0.75),
 *   interLat from the Tree NET row when there is one GPU per node.
 *   Enable rules: NVLSTree off on one node; NVLS off across nodes (it needs CollNet, which
 *   weft does not have); NVLS and NVLSTree Simple only, and Hopper or later only (nvlsSupport);
 *   Tree all-reduce only; PAT all-gather and reduce-scatter, Simple, one GPU per node only
 *   (ncclPatEnable: nNodes == nRanks, SM60+).
 * - ncclTopoGetAlgoTime: time = lat + nBytes / (1000 · bw) µs, Tree all-reduce's bandwidth ×
 *   treeCorrectionFactor[proto][log2i(nBytes >> 6)] (below 256 MiB), Ring/Simple all-reduce's
 *   latency × 1.4 on several nodes once nBytes / (comm nChannels · nRanks) ≥ 64 ("plateau
 *   effect of ring"; ×1.9 before Ampere).
 * - enqueue.cc topoGetAlgoInfo: the smallest time wins, in NCCL's order (algorithms Tree,
 *   Ring, CollNet…, NVLS, NVLSTree; protocols LL, LL128, Simple), strictly (a tie keeps the first).
 *
 * weft's inputs for what NCCL reads from its topology search: each algorithm's own graph, as
 * init.cc searches them and tuning.cc reads graphs[a] — Ring the ring graph (channels/search.ts
 * searchGraph: one speed for NVLink and NIC, so bwIntra = bwInter), Tree the BALANCED_TREE graph
 * (the ring's channel count, its own speed, bwIntra raised up to 2·bwInter), NVLS and NVLSTree the
 * NVLS graph (heads, bwIntra, bwInter; none without an NVLink SHARP switch, which disables both
 * rows as nvlsSupport does) — channels/pattern-graphs.ts searchGraphs;
 * latencies from protocols.ts NCCL_LATENCY_US (the same table); the LL cap from
 * llMaxBusBwGBps; nodes are the layout's groups, servers or NVL72 racks (ncclTuneInputs says why
 * that is NCCL's nNodes); a node's NICs reach it through PCIe switches,
 * so LL128 is enabled (typeInter ≤ PXN on Hopper and later; typeIntra NVLink). Not modelled:
 * Tree's ×0.85 when the tree search falls back to NCCL_TOPO_PATTERN_TREE (weft models no PCIe,
 * the only budget on which the two tree patterns differ), graph latencyInter (0 for IB), numPipeOps (one collective per launch).
 */
import { WeftInputError } from '@weft/sim';
import { searchGraphs, type PatternGraph } from './channels/pattern-graphs.js';
import { isFlat } from './channels/search.js';
import { collectiveOf } from './registry.js';
import { algBwPerBusBw, llMaxBusBwGBps, ncclInterLatUs, NCCL_LATENCY_US, NCCL_MAX_NVLS_ARITY, PAT_INTER_LATENCY_DIVISOR, PAT_LATENCY_PER_RANK_US, PROTOCOL_NAMES, type NcclAlgorithmRow, type ProtocolName } from './protocols.js';
import type { CollectiveName, CostParams, RankLayout } from './types.js';

/** NCCL's algorithm order (NCCL_ALGO_TREE 0, RING 1, [COLLNET 2, 3], NVLS 4, NVLS_TREE 5, PAT 6): ties go to the earlier. */
export const NCCL_ROW_ORDER: readonly NcclAlgorithmRow[] = ['Tree', 'Ring', 'NVLS', 'NVLSTree', 'PAT'];

/** Per-channel caps, GB/s, rows Volta, Ampere, Hopper, Blackwell; columns 1 node, 2 nodes, more (tuning.cc 2.24–2.26). */
type CapTable = readonly (readonly [number, number, number])[];
const PER_CH_MAX_RING_LL128_GBPS: CapTable = [
  [20.0, 20.0, 20.0],
  [20.0, 20.0, 20.0],
  [36.7, 36.7, 36.7],
  [2 * 36.7, 2 * 36.7, 2 * 36.7],
];
const PER_CH_MAX_TREE_LL128_GBPS: CapTable = [
  [20.0, 20.0, 20.0],
  [20.0, 20.0, 20.0],
  [36.7, 36.7, 29.0],
  [2 * 36.7, 2 * 36.7, 2 * 29.0],
];
const PER_CH_MAX_TREE_GBPS: CapTable = [
  [26.5, 18.5, 10.0],
  [24.0, 23.6, 17.8],
  [38.7, 41.4, 36.0],
  [2 * 38.7, 2 * 41.4, 2 * 36.0],
];

/**
 * treeCorrectionFactor (tuning.cc 2.24–2.26): Tree all-reduce's bandwidth scale by protocol
 * (LL, LL128, Simple) and log2i(nBytes >> 6), i.e. powers of two from 64 B to 256 MiB.
 */
const TREE_CORRECTION: Readonly<Record<ProtocolName, readonly number[]>> = {
  LL: [1.0, 1.0, 1.0, 1.0, 0.9, 0.8, 0.7, 0.7, 0.7, 0.7, 0.6, 0.5, 0.4, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.0, 1.0, 1.0],
  LL128: [1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.8, 0.8, 0.8, 0.7, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.8, 0.9, 0.9, 0.9, 0.9, 1.0, 1.0],
  Simple: [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8, 0.7, 0.6, 0.6, 0.5, 0.5, 0.5, 0.5, 0.6, 0.7, 0.8, 0.7, 0.7, 0.8, 0.9, 0.9],
};

/** NVLS's and NVLSTree's bus-to-algorithm ratio (tuning.cc: `ratio *= 5.0/6.0`). */
const NVLS_ALGBW_PER_BUSBW = 5 / 6;
/** Ring/Simple all-reduce's "plateau effect" latency factor on several nodes, Ampere and later (ncclTopoGetAlgoTime). */
const RING_PLATEAU_LATENCY_FACTOR = 1.4;
const RING_PLATEAU_LATENCY_FACTOR_PRE_AMPERE = 1.9;

/** What NCCL's topology search and communicator give the model, in weft's terms. */
export interface NcclTuneInputs {
  readonly nranks: number;
  /** comm->nNodes: NCCL's topology systems — hosts, or NVLink cliques under MNNVL (weft: the layout's groups; see ncclTuneInputs). */
  readonly nodes: number;
  readonly computeCapability: number;
  /** graphs[a] per algorithm: nChannels, bwIntra, bwInter (GB/s) of the ring, tree and NVLS searches; nvls null without nvlsSupport. */
  readonly ring: NcclGraph;
  readonly tree: NcclGraph;
  readonly nvls: NcclGraph | null;
  /** comm->nChannels (the ring plateau rule divides by it). */
  readonly commChannels: number;
  /** llMaxBws[index1][index2], GB/s. */
  readonly llMaxGbs: number;
  /** graph->sameChannels (broadcast and reduce latency): every channel the same ring. */
  readonly sameChannels: boolean;
}

/** What tuning.cc reads of one searched graph. */
export type NcclGraph = Pick<PatternGraph, 'nChannels' | 'bwIntraGbs' | 'bwInterGbs'>;

/** One row of NCCL's tuning table: its algorithm bandwidth (what NCCL_DEBUG_SUBSYS=TUNING prints) and latency. */
export interface NcclTableEntry {
  readonly row: NcclAlgorithmRow;
  readonly protocol: ProtocolName;
  /** comm->bandwidths: bus bandwidth × the bus-to-algorithm ratio, GB/s; 0 when disabled. */
  readonly algBwGBps: number;
  /** comm->latencies, µs. */
  readonly latencyUs: number;
}

/**
 * The tuner's inputs for `layout` and `cost`: throws WeftInputError when the topology names no
 * GPU (the tables are per GPU generation).
 *
 * Nodes are the layout's groups, as NCCL counts them. init.cc (NVIDIA/nccl src/init.cc at
 * 00ad458b, initTransportsRank) sets comm->nNodes to the number of distinct first ranks of the
 * ring inside a topology system (`topoRanks.ringRecv[0]`), i.e. the number of systems; a system is
 * a host, except under MNNVL, where src/graph/topo.cc ncclTopoGetSystem (stored 2.2x copies; not
 * in NVIDIA/nccl b6475625, which predates it) fuses the XML of every rank of the
 * rank's NVLink clique (`nLocalRanks = comm->clique.size`) into one. MNNVL is checked when the
 * ranks span several hosts and is set when the rank's clique — same fabric cluster UUID and
 * clique id — holds more than one rank (src/mnnvl.cc at 192610c9 ncclMnnvlCheck; the older rule,
 * MNNVL only when one clique holds every rank, is the pre-Blackwell init.cc at 48bb7fe). So on
 * NVL72 racks (18 trays of 4 GPUs, one clique per rack) NCCL 2.2x counts one node per rack, 72
 * local ranks, for 1, 2 or 20 racks alike; one rack holds every rank, so its search runs as one
 * node's, on the intra ladder (paths.cc ncclTopoTrimSystem at 04cdb808: `system->inter` is 0 when
 * the system holds every rank; older copies remove its NET nodes).
 * nvlsSupport holds across racks too (src/transport/nvls.cc at 178b6b75 ncclNvlsInit: under MNNVL
 * the clique must exceed 2 ranks, then the GPU's multicast attribute), so NVLSTree is weighed on
 * R >= 2 racks (nNodes > 1) and NVLS on one. The 2.24–2.26 tuning.cc reads comm->nNodes as is
 * (no MNNVL one-node rule, which the pre-Blackwell copy had). Counting trays (360 nodes of 4 at
 * 20 racks) would be NCCL with MNNVL off — which the one-rack published runs rule out: their NVLS
 * spans all 72 GPUs of 18 trays.
 */
export function ncclTuneInputs(layout: RankLayout, nranks: number, cost: CostParams): NcclTuneInputs {
  const cc = cost.computeCapability;
  const llMaxGbs = llMaxBusBwGBps(layout, cc);
  if (cc === undefined || llMaxGbs === undefined) {
    throw new WeftInputError("--tuner nccl: this topology names no GPU, and NCCL's tuning tables are per GPU generation; use a GPU preset or --tuner weft");
  }
  const graphs = searchGraphs(layout, nranks, cost);
  return {
    nranks,
    nodes: Math.max(1, layout.groups.length),
    computeCapability: cc,
    ring: graphs.ring,
    tree: graphs.tree,
    nvls: graphs.nvls,
    commChannels: graphs.commChannels,
    llMaxGbs,
    sameChannels: isFlat(layout, nranks),
  };
}

const log2i = (n: number): number => (n >= 1 ? Math.floor(Math.log2(n)) : 0);

/** The table's rows, Volta / Ampere / Hopper / Blackwell, by compute capability. */
function compCapIndex(cc: number): number {
  return cc >= 10 ? 3 : cc >= 9 ? 2 : cc >= 8 ? 1 : 0;
}

/** nsteps of a ring (tuning.cc): all-reduce 2(n−1), all-gather and reduce-scatter n−1, the others n. */
function ringSteps(collective: CollectiveName, nranks: number): number {
  return collective === 'allReduce' ? 2 * (nranks - 1) : collective === 'reduceScatter' || collective === 'allGather' ? nranks - 1 : nranks;
}

/** NVLS needs NVLink SHARP multicast: Hopper and later (init.cc's nvlsSupport; Volta and Ampere have no NVLS). */
const NVLS_MIN_COMPUTE_CAPABILITY = 9;
/** PAT needs SM60 or later ("for CUDA atomics", tuning.cc ncclPatEnable). */
const PAT_MIN_COMPUTE_CAPABILITY = 6;
/** PAT's bus bandwidth refinement (tuning.cc: `if (a == NCCL_ALGO_PAT) busBw *= .75`). */
const PAT_BUSBW_FACTOR = 0.75;

/** Whether NCCL weighs `row` for `collective` at all (tuning.cc's `continue`s and enable rules), with weft's algorithms. */
function rowApplies(row: NcclAlgorithmRow, collective: CollectiveName, t: NcclTuneInputs): boolean {
  const nodes = t.nodes;
  if ((row === 'NVLS' || row === 'NVLSTree') && (t.computeCapability < NVLS_MIN_COMPUTE_CAPABILITY || t.nvls === null || t.nvls.nChannels === 0)) return false;
  // ncclPatEnable: one GPU per node only (nNodes == nRanks), all-gather and reduce-scatter only.
  if (row === 'PAT') return (collective === 'allGather' || collective === 'reduceScatter') && t.nranks === nodes && t.computeCapability >= PAT_MIN_COMPUTE_CAPABILITY;
  if (row === 'Tree' || row === 'NVLSTree') return collective === 'allReduce' && (row === 'Tree' || nodes > 1);
  // enqueue.cc updateCollCostTable: NVLS reduce-scatter / all-gather only up to NCCL_MAX_NVLS_ARITY local ranks.
  if (row === 'NVLS' && collective !== 'allReduce' && t.nranks / nodes > NCCL_MAX_NVLS_ARITY) return false;
  if (row === 'NVLS') return (collective === 'allReduce' || collective === 'allGather' || collective === 'reduceScatter') && nodes === 1;
  return RING_COLLECTIVES.has(collective);
}

/** The functions NCCL's tuner weighs a Ring for (ncclFunc*: broadcast, reduce, all-gather, reduce-scatter, all-reduce). */
const RING_COLLECTIVES: ReadonlySet<CollectiveName> = new Set<CollectiveName>(['broadcast', 'reduce', 'allGather', 'reduceScatter', 'allReduce']);

/** Bus bandwidth before the ratio (ncclTopoTuneModel's busBw after the model refinements), GB/s. */
function busBwGBps(row: NcclAlgorithmRow, protocol: ProtocolName, collective: CollectiveName, t: NcclTuneInputs): number {
  const idx = compCapIndex(t.computeCapability);
  const col = t.nodes <= 2 ? t.nodes - 1 : 2;
  const ppn = t.nranks / t.nodes;
  if (row === 'NVLS' || row === 'NVLSTree') {
    const { nChannels, bwIntraGbs: bwIntra, bwInterGbs: bwInter } = t.nvls!;
    if (row === 'NVLSTree') return nChannels * Math.min(bwIntra, t.nodes <= 2 ? bwInter : bwInter / 2);
    const bw = collective === 'allReduce' ? Math.min(bwIntra, bwInter) : Math.min((bwIntra * (ppn - 1)) / ppn, bwInter * 0.9);
    return nChannels * bw;
  }
  // PAT reads the tree graph (init.cc: graphs[NCCL_ALGO_PAT] = &treeGraph).
  const graph = row === 'Tree' || row === 'PAT' ? t.tree : t.ring;
  const nCh = graph.nChannels;
  const bwIntra = graph.bwIntraGbs;
  const bwInter = graph.bwInterGbs;
  let busBw = nCh * (t.nodes <= 2 ? bwIntra : bwInter);
  if (row === 'PAT') return busBw * PAT_BUSBW_FACTOR;
  if (row === 'Ring') {
    if (protocol === 'LL') busBw = Math.min(t.llMaxGbs, busBw * 0.5);
    if (protocol === 'LL128') busBw = Math.min(busBw * 0.92, nCh * PER_CH_MAX_RING_LL128_GBPS[idx]![col]);
    return busBw;
  }
  busBw = Math.min(busBw * 0.92, nCh * PER_CH_MAX_TREE_GBPS[idx]![col]);
  if (protocol === 'LL') busBw = Math.min(busBw / 3.8, t.llMaxGbs);
  if (protocol === 'LL128') busBw = Math.min(busBw * (t.nodes === 1 ? 7 / 9 : 120 / 128), nCh * PER_CH_MAX_TREE_LL128_GBPS[idx]![col]);
  return busBw;
}

/** comm->latencies for one entry, µs (ncclTopoTuneModel). */
function latencyUs(row: NcclAlgorithmRow, protocol: ProtocolName, collective: CollectiveName, t: NcclTuneInputs): number {
  const { baseLat, hwLat, netOverhead } = NCCL_LATENCY_US;
  const ppn = t.nranks / t.nodes;
  const intraLat = hwLat.nvlink[row][protocol];
  const interLat = ncclInterLatUs(row, protocol, ppn === 1);
  if (row === 'Ring') {
    const nsteps = ringSteps(collective, t.nranks);
    if (collective === 'broadcast' || collective === 'reduce') {
      const hw = t.nodes === 1 ? hwLat.nvlink : hwLat.net;
      if (t.sameChannels) return baseLat.Ring[protocol] + hw.Ring[protocol];
      return baseLat.Ring[protocol] + nsteps * (protocol === 'Simple' ? hw.Tree.Simple : hw.Ring[protocol]);
    }
    const overhead = t.nodes > 1 ? netOverhead * (protocol === 'Simple' ? 3 : 1) : 0;
    const interSteps = t.nodes === 1 ? 0 : collective === 'allReduce' ? 2 * (t.nodes - 1) : t.nodes - 1;
    return baseLat.Ring[protocol] + (nsteps - interSteps) * Math.max(intraLat, overhead) + interSteps * interLat;
  }
  if (row === 'Tree') return baseLat.Tree[protocol] + 2 * ((Math.floor(ppn) - 1) * intraLat + log2i(t.nodes) * interLat);
  // tuning.cc sets (not adds) PAT's latency: 8 µs base, a log part and a linear part.
  if (row === 'PAT') return baseLat.PAT[protocol] + log2i(t.nodes) * (interLat / PAT_INTER_LATENCY_DIVISOR) + t.nranks * PAT_LATENCY_PER_RANK_US;
  if (row === 'NVLS') return intraLat + (t.nodes > 1 ? interLat : 0);
  return baseLat.NVLSTree[protocol] + intraLat + 2 * log2i(t.nodes) * interLat;
}

/**
 * NCCL's tuning table for `collective` (ncclTopoTuneModel): every (row, protocol) it weighs,
 * in its order. Rows NCCL does not run for this collective or topology are left out;
 * NVLS and NVLSTree have Simple only.
 */
export function ncclTuneModel(collective: CollectiveName, t: NcclTuneInputs): NcclTableEntry[] {
  const entries: NcclTableEntry[] = [];
  if (t.nranks <= 1) return entries;
  for (const row of NCCL_ROW_ORDER) {
    if (!rowApplies(row, collective, t)) continue;
    for (const protocol of PROTOCOL_NAMES) {
      if ((row === 'NVLS' || row === 'NVLSTree' || row === 'PAT') && protocol !== 'Simple') continue;
      const busBw = busBwGBps(row, protocol, collective, t);
      const nonRingGather = row !== 'Ring' && (collective === 'allGather' || collective === 'reduceScatter');
      const ratio = nonRingGather ? 1 : row === 'Ring' ? algBwPerBusBw('Ring', collective, t.nranks) : row === 'Tree' ? 0.5 : NVLS_ALGBW_PER_BUSBW;
      entries.push({ row, protocol, algBwGBps: busBw * ratio, latencyUs: latencyUs(row, protocol, collective, t) });
    }
  }
  return entries;
}

/**
 * ncclTopoGetAlgoTime: the time NCCL's model gives `entry` for a collective of `bytes`
 * (NCCL's nBytes: ncclTuneBytes), µs; NaN when disabled.
 */
export function ncclAlgoTimeUs(entry: NcclTableEntry, collective: CollectiveName, bytes: number, t: NcclTuneInputs): number {
  let bw = entry.algBwGBps;
  let lat = entry.latencyUs;
  if (!(bw > 0)) return Number.NaN;
  const logSize = log2i(Math.floor(bytes / 64));
  const correction = TREE_CORRECTION[entry.protocol];
  if (entry.row === 'Tree' && collective === 'allReduce' && bytes >= 64 && logSize < correction.length) bw *= correction[logSize]!;
  if (entry.row === 'Ring' && entry.protocol === 'Simple' && t.nodes > 1 && collective === 'allReduce' && bytes / (t.commChannels * t.nranks) >= 64) {
    lat *= t.computeCapability < 8 ? RING_PLATEAU_LATENCY_FACTOR_PRE_AMPERE : RING_PLATEAU_LATENCY_FACTOR;
  }
  return lat + bytes / (1000 * bw);
}

/** One candidate under NCCL's rule: its table entry and modelled time. */
export interface NcclCandidate extends NcclTableEntry {
  readonly timeUs: number;
}

/**
 * Every candidate NCCL weighs for `collective` of `bytes` on `t`, timed, in NCCL's order; and
 * the one it runs (topoGetAlgoInfo: the smallest time, strictly) among those `runnable` accepts
 * (weft's algorithms that can run here), null when none can.
 */
export function ncclChoose(
  collective: CollectiveName,
  bytes: number,
  t: NcclTuneInputs,
  runnable: (row: NcclAlgorithmRow, protocol: ProtocolName) => boolean = () => true,
): { readonly candidates: readonly NcclCandidate[]; readonly best: NcclCandidate | null } {
  const candidates = ncclTuneModel(collective, t).map((e) => ({ ...e, timeUs: ncclAlgoTimeUs(e, collective, bytes, t) }));
  let best: NcclCandidate | null = null;
  for (const c of candidates) {
    if (!Number.isFinite(c.timeUs) || !runnable(c.row, c.protocol)) continue;
    if (best === null || c.timeUs < best.timeUs) best = c;
  }
  return { candidates, best };
}

/**
 * NCCL's nBytes for a collective of `count` elements of `elementBytes` on `nranks` ranks (count
 * as NCCL's API takes it, as weft's PlanParams does): enqueue.cc ncclGetAlgoInfo takes
 * elementSize × ncclFuncMaxSendRecvCount (enqueue.h), the larger of the send and receive
 * buffers — nranks·count for all-gather and reduce-scatter, count otherwise (the collective
 * descriptor's sizeCounts, as nccl-tests sizes them).
 */
export function ncclTuneBytes(collective: CollectiveName, count: number, elementBytes: number, nranks: number): number {
  // For the five collectives NCCL's tuner weighs this is nccl-tests' size count, the descriptor's.
  return count * elementBytes * collectiveOf(collective).sizeCounts(nranks);
}
