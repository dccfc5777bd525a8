/**
 * NCCL's per-pattern graphs, in weft's inputs: what ncclTopoCompute finds for the tree
 * (NCCL_TOPO_PATTERN_BALANCED_TREE) and NVLS (NCCL_TOPO_PATTERN_NVLS) searches beside the ring's
 * (search.ts searchGraph), i.e. the nChannels, bwIntra and bwInter that tuning.cc
 * ncclTopoTuneModel reads per algorithm (graphs[a]: Tree reads the tree graph, NVLS and
 * NVLSTree the NVLS graph). Closed forms of the search on weft's two link budgets — a GPU's
 * NVLink (`nvlinkGbs`) and its NIC (`nicGbs`, a rail grid's one NIC per GPU) — as search.ts does
 * for the ring; PCIe is not modelled (weft has none between GPU and NIC).
 *
 * Sources ([search] NVIDIA/nccl src/graph/search.cc at b6475625, [search-2.23] its 2.23+ form,
 * [init] src/init.cc at 48bb7fe); every pattern steps down search.ts speedLadderGbs, the one ladder
 * per GPU generation the ring's search reads too:
 * - [init] initTransportsRank: the tree graph is searched with minChannels = maxChannels = the
 *   ring graph's nChannels; the NVLS graph with minChannels 1, maxChannels MAXCHANNELS, and only
 *   with nvlsSupport (an NVSwitch, compute capability >= 9; [search] returns no channel otherwise).
 * - [search] ncclTopoCompute, both patterns: the start speed is the first of the ladder <= maxBw
 *   with speed × minChannels <= totalBw × ngpus/(ngpus−1) (non-ring patterns); pass 1 steps down
 *   the ladder until a solution; ncclTopoDupChannels leaves NVLS alone, and a tree already at
 *   maxChannels cannot duplicate. Pass 2 raises, for the tree, bwIntra alone (bwInter kept) while
 *   bwIntra < 2·bwInter and the channels still fit ("increase bwIntra for trees"); for NVLS,
 *   bwInter alone while bwInter < 2·bwIntra.
 * - Tree (ncclTopoSearchRecGpu with backToNet 0): NET → a chain through the server's GPUs, the
 *   first two GPUs sending back to the same NIC at bwInter/2 each. A channel takes bwInter on
 *   its NIC and bwIntra on the NVLink of G−1 of the G GPUs — the ring's budget (search.ts), at
 *   possibly another speed, for exactly the ring's channel count.
 * - NVLS (ncclTopoSearchTryNvls): every GPU of the server pulls and pushes bwIntra through the
 *   NVSwitch, the channel's head twice; maxChannels = min(NCCL_MAX_NVLS_ARITY 32, ngpus)
 *   ([search-2.23]). One server: minChannels = maxChannels (every head once), so the heads
 *   carry (H+1)·bwIntra. With NICs (ncclTopoSearchRecNet) channel c uses NIC c and that NIC's
 *   GPU as head, one channel per NIC: n channels fit while (n+1)·bw <= NVLink and bw <= NIC;
 *   ncclTopoCompareGraphs keeps more channels, or more channels × bwInter.
 */
import type { CostParams, RankLayout } from '../types.js';
import { NCCL_MAX_NVLS_ARITY } from '../protocols.js';
import { groupsOf, layoutRailGrid, searchGraph, speedLadderGbs } from './search.js';

/** One searched graph: what ncclTopoPrintGraph prints (`nChannels, bw intra/inter, type intra/inter`). */
export interface PatternGraph {
  readonly nChannels: number;
  readonly bwIntraGbs: number;
  readonly bwInterGbs: number;
  /**
   * typeIntra NVL (weft's GPUs inside a server meet over NVLink); typeInter PIX (a NIC per GPU
   * under its PCIe switch; without NICs the search never moves it from its start, PIX, either).
   */
  readonly typeIntra: 'NVL';
  readonly typeInter: 'PIX';
}

/** The graphs tuning.cc reads: graphs[TREE], graphs[RING], graphs[NVLS] (NVLS and NVLSTree); nvls null without nvlsSupport. */
export interface NcclGraphs {
  readonly ring: PatternGraph;
  readonly tree: PatternGraph;
  readonly nvls: PatternGraph | null;
  /** comm->nChannels after connect.cc (min(tree, ring) = the ring's, doubled). */
  readonly commChannels: number;
}

/** Pass 1 steps down while the next speed is more than this share of the best found ([search]). */
const STEP_DOWN_SHARE = 0.49;

/** One node as the search sees it (in weft's inputs; flat layouts have one budget per rank, no rail). */
interface SearchSystem {
  /** The architecture's speed ladder, GB/s, highest first: inter when the search has NICs, intra otherwise. */
  readonly ladder: readonly number[];
  /** system->maxBw: a GPU's fastest path to a NIC (or, without NICs, to another GPU), GB/s. */
  readonly maxGbs: number;
  /** system->totalBw: a GPU's NVLink (flat: the rank's bandwidth), GB/s. */
  readonly totalGbs: number;
  /** GPUs in the node (ngpus). */
  readonly gpus: number;
  /** NICs in the node: one per rail on a rail grid, else one. */
  readonly nics: number;
  /** Budget a channel's intra-node hops reserve on, GB/s per GPU. */
  readonly nvlinkGbs: number;
  /** One NIC's budget, GB/s. */
  readonly nicGbs: number;
  /** True on a rail grid (a NIC per GPU, the chain's G−1 of G GPUs send on NVLink). */
  readonly grid: boolean;
}

/** ncclTopoCompute's start index: the first speed <= maxBw whose minChannels fit totalBw × ngpus/(ngpus−1). */
function startIndex(sys: SearchSystem, minChannels: number): number {
  const totalGbs = sys.gpus > 1 ? (sys.totalGbs * sys.gpus) / (sys.gpus - 1) : sys.totalGbs;
  const i = sys.ladder.findIndex((gbs) => gbs <= sys.maxGbs && gbs * minChannels <= totalGbs);
  return i < 0 ? sys.ladder.length - 1 : i;
}

/** Tree channels that fit with bwIntra `intra` on NVLink (the chain's G−1 senders of G) — flat layouts: the rank's one budget. */
function treeFitsIntra(sys: SearchSystem, intra: number): number {
  return sys.grid ? Math.floor(sys.nvlinkGbs / ((intra * (sys.gpus - 1)) / sys.gpus)) : Math.floor(sys.nvlinkGbs / intra);
}
function treeFitsInter(sys: SearchSystem, inter: number): number {
  return sys.grid ? sys.nics * Math.floor(sys.nicGbs / inter) : Number.POSITIVE_INFINITY;
}

/** The tree graph: exactly the ring's `channels`, at the fastest ladder speed they fit, then bwIntra raised (pass 2). */
function treeGraph(sys: SearchSystem, channels: number): PatternGraph {
  let i = startIndex(sys, channels);
  while (i < sys.ladder.length - 1 && Math.min(treeFitsIntra(sys, sys.ladder[i]!), treeFitsInter(sys, sys.ladder[i]!)) < channels) i++;
  const inter = sys.ladder[i]!;
  if (Math.min(treeFitsIntra(sys, inter), treeFitsInter(sys, inter)) < channels) {
    return { nChannels: 1, bwIntraGbs: 0.1, bwInterGbs: 0.1, typeIntra: 'NVL', typeInter: 'PIX' };
  }
  let intra = inter;
  while (i > 0 && intra < 2 * inter && treeFitsIntra(sys, sys.ladder[i - 1]!) >= channels) intra = sys.ladder[--i]!;
  return { nChannels: channels, bwIntraGbs: intra, bwInterGbs: inter, typeIntra: 'NVL', typeInter: 'PIX' };
}

/** NVLS channels that fit at `gbs` on a server with NICs: one per NIC, heads carrying (n+1)·gbs of NVLink. */
function nvlsChannelsWithNics(sys: SearchSystem, heads: number, gbs: number): number {
  if (gbs > sys.nicGbs) return 0;
  return Math.max(0, Math.min(sys.nics, heads, Math.floor(sys.nvlinkGbs / gbs) - 1));
}

/** The NVLS graph (see the module comment); null when no speed gives a channel (NCCL then runs no NVLS). */
function nvlsGraph(sys: SearchSystem, withNics: boolean): PatternGraph | null {
  // [search-2.23] caps the NVLS graph's heads at NCCL_MAX_NVLS_ARITY (protocols.ts, where nvls takes its heads too).
  const heads = Math.min(NCCL_MAX_NVLS_ARITY, sys.gpus);
  let best = { n: 0, gbs: 0 };
  let i = startIndex(sys, withNics ? 1 : heads);
  for (; i < sys.ladder.length; i++) {
    const gbs = sys.ladder[i]!;
    if (best.n > 0 && gbs / best.gbs <= STEP_DOWN_SHARE) break;
    const n = withNics ? nvlsChannelsWithNics(sys, heads, gbs) : (heads + 1) * gbs <= sys.nvlinkGbs ? heads : 0;
    if (n > 0 && (n > best.n || n * gbs > best.n * best.gbs)) best = { n, gbs };
    if (best.n === heads || best.n * best.gbs >= sys.totalGbs) break;
  }
  if (best.n === 0) return null;
  // Pass 2: bwInter alone, while below twice bwIntra and (with NICs) the NIC carries it.
  let j = sys.ladder.findIndex((gbs) => gbs <= best.gbs);
  let inter = best.gbs;
  while (j > 0 && inter < 2 * best.gbs && (!withNics || sys.ladder[j - 1]! <= sys.nicGbs)) inter = sys.ladder[--j]!;
  return { nChannels: best.n, bwIntraGbs: best.gbs, bwInterGbs: inter, typeIntra: 'NVL', typeInter: 'PIX' };
}

/**
 * Whether NCCL would search an NVLS graph here (nvlsSupport: an NVSwitch with NVLink SHARP in the
 * node, Hopper or later): one node's switch reduces by NVLS, or with several nodes every node has one.
 */
function hasNvls(layout: RankLayout, cost: CostParams, nodes: number): boolean {
  if ((cost.computeCapability ?? 0) < 9) return false;
  if (nodes > 1) return layout.groupReductionSwitches === true;
  return layout.hasReductionSwitch && layout.inSwitchReduction === 'nvls';
}

/**
 * The ring, tree and NVLS graphs NCCL's search would leave for `layout` (see the module
 * comment). Without a compute capability (no ladder) the tree is the ring's graph and there is
 * no NVLS graph.
 */
export function searchGraphs(layout: RankLayout, nranks: number, cost: CostParams): NcclGraphs {
  const ringFound = searchGraph(layout, nranks, cost);
  const cc = cost.computeCapability;
  const groups = groupsOf(layout, nranks);
  const withNics = groups.length > 1;
  const ring: PatternGraph = { nChannels: ringFound.graphChannels, bwIntraGbs: ringFound.gbs, bwInterGbs: ringFound.gbs, typeIntra: 'NVL', typeInter: 'PIX' };
  if (cc === undefined) return { ring, tree: ring, nvls: null, commChannels: ringFound.commChannels };
  const grid = layoutRailGrid(layout, nranks);
  const gbsOf = (bytesPerSec: number): number => bytesPerSec / 1e9;
  const nvlinkGbs = gbsOf(cost.intra.bandwidthBytesPerSec);
  const nicGbs = grid === null ? gbsOf(cost.bandwidthBytesPerSec) : gbsOf(cost.inter.bandwidthBytesPerSec);
  const sys: SearchSystem = {
    ladder: speedLadderGbs(cc, withNics),
    maxGbs: nicGbs,
    totalGbs: grid === null ? nicGbs : nvlinkGbs,
    gpus: groups.reduce((most, g) => Math.max(most, g.length), 0),
    nics: grid === null ? 1 : grid[0]!.length,
    nvlinkGbs: grid === null ? nicGbs : nvlinkGbs,
    nicGbs,
    grid: grid !== null,
  };
  const tree = treeGraph(sys, ring.nChannels);
  const nvls = hasNvls(layout, cost, groups.length) ? nvlsGraph(sys, withNics) : null;
  return { ring, tree, nvls, commChannels: ringFound.commChannels };
}

/** NCCL_TOPO_PATTERN_* (graph.h) of each searched graph. */
const PATTERN_IDS = { tree: 1, ring: 4, nvls: 5 } as const;

/**
 * NCCL_DEBUG_SUBSYS=GRAPH's line per searched graph (search.cc ncclTopoPrintGraph: `Pattern %d,
 * nChannels %d, bw %f/%f, type %s/%s`), ring, tree, then NVLS when there is one; crossNic and
 * sameChannels are not modelled and left out. NCCL #1197's one-server H100 lines (NCCL 2.19.4, as
 * quoted by a third-party log-replay test): ring 12 × 30/30, tree 12 × 30/30, NVLS 8 × 40/60, all NVL/PIX.
 */
export function formatGraphs(graphs: NcclGraphs): string[] {
  const line = (name: keyof typeof PATTERN_IDS, g: PatternGraph): string =>
    `Pattern ${PATTERN_IDS[name]} (${name}), nChannels ${g.nChannels}, bw ${g.bwIntraGbs.toFixed(6)}/${g.bwInterGbs.toFixed(6)}, type ${g.typeIntra}/${g.typeInter}`;
  return [line('ring', graphs.ring), line('tree', graphs.tree), ...(graphs.nvls === null ? [] : [line('nvls', graphs.nvls)])];
}
