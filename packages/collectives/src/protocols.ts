/**
 * NCCL's three protocols — LL, LL128, Simple — as data, and what they change in a run.
 *
 * A protocol changes time, never data: it wraps each payload byte in flags (more bytes on
 * the wire), pays a per-step software latency (flag polling, fences, proxy posts) and a
 * launch latency once per collective. weft simulates the first physically (the fabric
 * carries the wire bytes) and charges the other two as NCCL's tuning model states them
 * (NVIDIA/nccl src/graph/tuning.cc): those latencies are measured software costs, not
 * something the fabric could derive.
 *
 * Sources (every number below cites one of these):
 * - [tuning] NVIDIA/nccl src/graph/tuning.cc at b6475625fbcaa2c3c0e50eed2fa1255d7514d4a2
 *   (baseLat, hwLat, llMaxBws, perChMax*Bws, getNetOverhead). Tree/Simple there is 28 µs
 *   per hop, commented "the latency of a 256kB chunk": a stand-in for the chunk's transfer
 *   time, which weft simulates, so weft takes Tree/Simple from [tuning-2.23] instead.
 * - [tuning-2.23] NCCL 2.23+ src/graph/tuning.cc (the table with BLACKWELL_COMPCAP_IDX and
 *   PAT): Tree/Simple baseLat 8.4 µs, hwLat NVLink 4.0 / PCI 4.0 / NET 14 µs per hop; the
 *   Ring rows and Tree LL/LL128 rows are the same as [tuning].
 * - [device] NVIDIA/nccl src/include/device.h: union ncclLLFifoLine (16 bytes: data1, flag1,
 *   data2, flag2 — 8 data bytes per 16-byte line), NCCL_LL128_LINEELEMS 16 ×8 B = 128-byte
 *   line with NCCL_LL128_DATAELEMS 15 (one 8-byte flag per line: 120 data bytes), NCCL_STEPS 8.
 * - [comm] NVIDIA/nccl src/include/comm.h / init.cc: NCCL_SIMPLE buffer 4 MiB (DEFAULT_BUFFSIZE
 *   1<<22), LL buffer NCCL_LL_LINES_PER_THREAD 8 × NCCL_LL_MAX_NTHREADS 512 × NCCL_STEPS 8 ×
 *   16 B = 512 KiB, LL128 buffer NCCL_LL128_ELEMS_PER_THREAD 120 × NCCL_LL128_MAX_NTHREADS 640
 *   × NCCL_STEPS 8 × 8 B = 4,915,200 B.
 * - [collectives] NVIDIA/nccl src/include/collectives.h and src/enqueue.cc: ALLREDUCE_SLICESTEPS
 *   (NCCL_STEPS/4), ALLREDUCE_CHUNKSTEPS (NCCL_STEPS/2), applied to Ring/Simple only.
 * - [prims] NVIDIA/nccl src/device/prims_simple.h (stored copy at 06de78e), genericOp: a
 *   chunk of nelem elements moves in slices of sliceSize = max(divUp(nelem,
 *   16·SlicePerChunk)·16, stepSize·StepPerSlice/32), each waited for (waitPeer), copied,
 *   fenced and posted (postPeer) before the next; src/device/all_reduce.h runRing:
 *   ProtoSimple<ALLREDUCE_CHUNKSTEPS/ALLREDUCE_SLICESTEPS, ALLREDUCE_SLICESTEPS>.
 * - [nvls] NVIDIA/nccl src/enqueue.cc (2.19+, computeColl/getChunkSize, NCCL_ALGO_NVLS:
 *   maxChunkSize = nvlsChunkSize; concurrentOps = nChannels·nvls.nHeads; chunk 64 KiB when
 *   nBytes < 64·concurrentOps·chunk, 32 KiB when < 8·…, 16 KiB when < 2·…) and
 *   src/transport/nvls.cc (NVLS_NCHANNELS 16, NVLS_CHUNKSIZE 128 KiB).
 * - [nvls-ctas] NVIDIA/nccl src/transport/nvls.cc ncclNvlsInit (stored copies of 2.27+, e.g.
 *   the one with `NVLS multicast support is %savailable on dev %d (NVLS_NCHANNELS %d)`):
 *   NVLS_NCHANNELS_SM90 16; compCap >= 100: NVLS_NCHANNELS_SM100_NVL 24 unless multiNode
 *   (MNNVL: clique.size < nRanks; else ranks on more than one host), then NVLS_NCHANNELS_SM100
 *   32; comm->nvlsChannels = that clamped to [minCTAs, maxCTAs]. src/enqueue.cc (getAlgoInfo /
 *   topoGetAlgoInfo): NVLS and NVLSTree run nc = comm->nvlsChannels. 2.19–2.24 had one
 *   NCCL_PARAM(NvlsChannels, "NVLS_NCHANNELS", 16) for every GPU; a 2.26 fork (sii-research/VCCL,
 *   makefiles/version.mk 2.26) gives compCap >= 100 32 whether one domain or not, so the
 *   NVL72 anchors' 2.26.2 most likely ran 32 on one rack where this rule runs 24
 *   (benchmarks/results/nvls.md, "NCCL's NVLS channels on Blackwell"). GB200 logs of 2.27 print
 *   NVLS_NCHANNELS 24 on one MNNVL clique and 32 for a communicator across nodes.
 * - [chunking] NVIDIA/nccl src/enqueue.cc at 01e6dd915fdd2627a7205f5aa1c7f14d46990226,
 *   calcCollChunking: the NVLS rule of [nvls] for every function with the NVLS pattern
 *   (all-reduce, reduce-scatter, all-gather; the latter two take the Simple step, 512 KiB,
 *   only when the user registered the buffers, which nccl-tests does not by default); nBytes
 *   is ncclFuncMaxSendRecvCount × element size (getAlgoInfo): reduce-scatter's input and
 *   all-gather's output, all n blocks. NCCL_ALGO_NVLS_TREE: chunk = nvlsChunkSize, capped at
 *   NCCL_NVLSTREE_MAX_CHUNKSIZE (default −2: 64 KiB from 4 nodes, else no cap), then cut to
 *   256/128/64/32 KiB when nBytes < 32/16/4/1 × concurrentOps × chunk, each test on the chunk
 *   the previous one left. NVLS's own multi-node cap (nNodes > 1 and NVLS all-reduce bus
 *   bandwidth < 150 GB/s: 32 KiB) is for NVLS across nodes, which needs CollNet (IB SHARP):
 *   weft's nvls runs on one NVLink domain only, so it never applies.
 * - [heads] NCCL 2.20+ (2.26.3 at 0524aef, the release after the NVL72 anchors' 2.26.2)
 *   src/include/device.h `#define NCCL_MAX_NVLS_ARITY 32` (8 in 2.17–2.19, whose NVLS ran on
 *   8-GPU servers only); src/graph/search.cc ncclTopoCompute: the NVLS graph's maxChannels =
 *   min(NCCL_MAX_NVLS_ARITY, ngpus), and with no NIC (one NVLink domain) minChannels =
 *   maxChannels; src/graph/connect.cc ncclTopoPreset / connectNvls: each NVLS graph channel's
 *   first GPU is a head, nvls.nHeads = their count, nvls.headRank = -1 on every other rank.
 * - [caps-2.23] NCCL 2.23+ src/graph/tuning.cc llMaxBws (rows Volta / Ampere / Hopper /
 *   Blackwell, columns 1 node / 2 nodes / more; {39.0, 39.0, 20.4}, {87.7, 22.5, 19.0},
 *   {141.0, 45.0, 35.0}, {2·141.0, 2·45.0, 2·35.0} GB/s) and ncclTopoTuneModel's index rule
 *   (index2 = nNodes ≤ 2 ? nNodes − 1 : 2; index1 = nNodes == 1 ? compCapIndex : the host
 *   CPU's row, 1 for AMD, else 0), its refinements `Ring/LL: busBw = min(llMaxBw, busBw/4)`,
 *   `Tree/LL: busBw = min(busBw/3.8, llMaxBw)`, and its bus-to-algorithm conversion (Ring
 *   nRanks/nsteps, Tree 0.5). At [tuning] the table has no Blackwell row and Hopper's copies
 *   Ampere's; the rows a multi-node run reads (Intel, AMD) are the same in both.
 */
import type { Algorithm, CollectiveName, CostParams, PlanParams, RankLayout, Schedule, ScheduleProtocol } from './types.js';

export type ProtocolName = 'LL' | 'LL128' | 'Simple';

/** In NCCL's order (NCCL_PROTO_LL, NCCL_PROTO_LL128, NCCL_PROTO_SIMPLE). */
export const PROTOCOL_NAMES: readonly ProtocolName[] = ['LL', 'LL128', 'Simple'];

/** NCCL's algorithm rows of the latency tables that weft's algorithms run as. */
export type NcclAlgorithmRow = 'Ring' | 'Tree' | 'NVLS' | 'NVLSTree' | 'PAT';

/** Per-protocol latencies of one algorithm row, in µs (NCCL's unit). */
type PerProtocolUs = Readonly<Record<ProtocolName, number>>;

export interface ProtocolSpec {
  readonly name: ProtocolName;
  /** A line on the wire and the payload bytes it carries ([device]). */
  readonly lineBytes: number;
  readonly dataBytesPerLine: number;
  /** The connection buffer per peer and channel, bytes on the wire ([comm]). */
  readonly bufferBytes: number;
  /** NCCL_STEPS: slots of the buffer in flight ([device]). */
  readonly steps: number;
  readonly note: string;
}

export const PROTOCOLS: Readonly<Record<ProtocolName, ProtocolSpec>> = {
  LL: {
    name: 'LL',
    lineBytes: 16,
    dataBytesPerLine: 8,
    bufferBytes: 8 * 512 * 8 * 16,
    steps: 8,
    note: 'low latency: every 8-byte store carries 4 data bytes and a 4-byte flag the receiver polls; no fence, half the wire bandwidth',
  },
  LL128: {
    name: 'LL128',
    lineBytes: 128,
    dataBytesPerLine: 120,
    bufferBytes: 120 * 640 * 8 * 8,
    steps: 8,
    note: 'a 128-byte line carries 120 data bytes and one 8-byte flag; needs NVLink stores that stay in order within 128 bytes',
  },
  Simple: {
    name: 'Simple',
    lineBytes: 1,
    dataBytesPerLine: 1,
    bufferBytes: 1 << 22,
    steps: 8,
    note: 'plain data, then a memory fence and one flag per step: full bandwidth, the highest per-step latency',
  },
};

/** NCCL's tuning latencies ([tuning], Tree/Simple from [tuning-2.23]), µs. */
export const NCCL_LATENCY_US: {
  readonly baseLat: Readonly<Record<NcclAlgorithmRow, PerProtocolUs>>;
  readonly hwLat: Readonly<Record<'nvlink' | 'pci' | 'net', Readonly<Record<NcclAlgorithmRow, PerProtocolUs>>>>;
  readonly netOverhead: number;
} = {
  /** Launch latency, once per collective. */
  baseLat: {
    Tree: { LL: 6.8, LL128: 14.0, Simple: 8.4 },
    Ring: { LL: 6.6, LL128: 14.0, Simple: 8.4 },
    // NVLS rows run Simple only ([tuning]: LL/LL128 entries 0, bandwidth 0).
    NVLS: { LL: 0, LL128: 0, Simple: 0 },
    NVLSTree: { LL: 0, LL128: 0, Simple: 0 },
    // PAT runs Simple only; [tuning-2.23] sets its latency to 8 µs plus its own terms (pat.ts).
    PAT: { LL: 0, LL128: 0, Simple: 8.0 },
  },
  /** Latency of one step (one hop of the algorithm) by the link it crosses. */
  hwLat: {
    nvlink: {
      Tree: { LL: 0.6, LL128: 1.25, Simple: 4.0 },
      Ring: { LL: 0.6, LL128: 1.9, Simple: 3.4 },
      NVLS: { LL: 0, LL128: 0, Simple: 25 },
      NVLSTree: { LL: 0, LL128: 0, Simple: 25 },
      PAT: { LL: 0, LL128: 0, Simple: 4.0 },
    },
    pci: {
      Tree: { LL: 1.0, LL128: 1.9, Simple: 4.0 },
      Ring: { LL: 1.0, LL128: 2.5, Simple: 5.7 },
      NVLS: { LL: 0, LL128: 0, Simple: 0 },
      NVLSTree: { LL: 0, LL128: 0, Simple: 0 },
      PAT: { LL: 0, LL128: 0, Simple: 4.0 },
    },
    net: {
      Tree: { LL: 5.0, LL128: 8.5, Simple: 14.0 },
      Ring: { LL: 2.7, LL128: 4.0, Simple: 14.0 },
      NVLS: { LL: 0, LL128: 0, Simple: 18 },
      NVLSTree: { LL: 0, LL128: 0, Simple: 14 },
      PAT: { LL: 0, LL128: 0, Simple: 14 },
    },
  },
  /**
   * getNetOverhead on x86 Intel hosts (the DGX H100's Xeons): a multi-server ring's
   * intra-server steps still pay it, three times for Simple ([tuning]).
   */
  netOverhead: 1.0,
};

/**
 * NCCL's latency of one inter-node hop of `row` ([tuning] `interLat`), µs: with one GPU per node
 * every step crosses the network with nothing inside a node to hide it ("latencies fully exposed"),
 * and NCCL charges the Tree NET row whatever the algorithm; else the algorithm's own NET row.
 */
export function ncclInterLatUs(row: NcclAlgorithmRow, protocol: ProtocolName, oneGpuPerNode: boolean): number {
  return (oneGpuPerNode ? NCCL_LATENCY_US.hwLat.net.Tree : NCCL_LATENCY_US.hwLat.net[row])[protocol];
}

/** PAT's linear latency term, µs per rank ([tuning-2.23]: `nRanks * 2.8`, "still a linear part"). */
export const PAT_LATENCY_PER_RANK_US = 2.8;
/** PAT's per-dimension latency is interLat / 3.5 ([tuning-2.23]: `log2i(nNodes) * (interLat/3.5)`). */
export const PAT_INTER_LATENCY_DIVISOR = 3.5;

/**
 * Bytes on the wire for `bytes` of payload in lines of `lineBytes` carrying `dataBytesPerLine`
 * each: whole lines ([device]), times the protocol's `stretch` when it has one.
 */
export function lineWireBytes(lines: { readonly lineBytes: number; readonly dataBytesPerLine: number; readonly stretch?: number }, bytes: number): number {
  const { lineBytes, dataBytesPerLine, stretch = 1 } = lines;
  return (lineBytes === dataBytesPerLine ? bytes : Math.ceil(bytes / dataBytesPerLine) * lineBytes) * stretch;
}

/**
 * What share of Simple's bus bandwidth NCCL's model gives `protocol` on algorithm `row`
 * ([tuning] ncclTopoTuneModel's "model refinements"; line format and thread-bound stores
 * together): Ring/LL 1/4 across servers and for all-reduce and reduce, 1/3 otherwise;
 * Ring/LL128 0.92 (0.7 with one GPU per server); Tree/LL 1/3.8; Tree/LL128 7/9 inside one
 * server, 120/128 across servers. Simple and the NVLS rows: 1. NCCL then caps LL's bus
 * bandwidth at a per-architecture total (llMaxBws): see llMaxBusBwGBps and capStretch.
 */
export function protocolEfficiency(row: NcclAlgorithmRow, protocol: ProtocolName, layout: RankLayout, collective?: CollectiveName): number {
  if (protocol === 'Simple' || row === 'NVLS' || row === 'NVLSTree') return 1;
  const servers = layout.groups.length;
  const perServer = Math.max(...layout.groups.map((g) => g.length), 1);
  if (row === 'Ring') {
    if (protocol === 'LL') return servers > 1 || collective === 'allReduce' || collective === 'reduce' ? 1 / 4 : 1 / 3;
    return perServer < 2 ? 0.7 : 0.92;
  }
  if (protocol === 'LL') return 1 / 3.8;
  return servers === 1 ? 7 / 9 : 120 / 128;
}

/**
 * llMaxBws ([caps-2.23]), GB/s of NCCL's bus bandwidth: rows Volta, Ampere, Hopper, Blackwell
 * (on one server) — or the host CPU's row on more (0: not AMD, 1: AMD) — columns 1 server,
 * 2 servers, more.
 */
const LL_MAX_BWS_GBPS: readonly (readonly [number, number, number])[] = [
  [39.0, 39.0, 20.4],
  [87.7, 22.5, 19.0],
  [141.0, 45.0, 35.0],
  [2 * 141.0, 2 * 45.0, 2 * 35.0],
];

/**
 * The row of LL_MAX_BWS_GBPS a multi-server run reads: NCCL indexes it by the host CPU (AMD
 * or mixed: 1, else 0). weft's hosts are not AMD (DGX H100's Xeons, GB200's Grace; the host
 * NCCL_LATENCY_US.netOverhead assumes), so 0.
 */
const HOST_CPU_ROW = 0;

/**
 * NCCL's cap on LL's bus bandwidth on `layout`, GB/s ([caps-2.23] llMaxBws): LL's data goes
 * in 8-byte stores that each carry a flag the receiver polls, so past some rate the GPU's
 * stores bind it, not the link. One server reads the GPU generation's row (compute
 * capability ≥ 10 Blackwell, ≥ 9 Hopper, ≥ 8 Ampere, else Volta), more servers the host's;
 * the column is the server count (1, 2, more). Undefined when the topology names no GPU:
 * the table describes NVIDIA GPUs.
 */
export function llMaxBusBwGBps(layout: RankLayout, computeCapability: number | undefined): number | undefined {
  if (computeCapability === undefined) return undefined;
  const servers = Math.max(1, layout.groups.length);
  const gpuRow = computeCapability >= 10 ? 3 : computeCapability >= 9 ? 2 : computeCapability >= 8 ? 1 : 0;
  return LL_MAX_BWS_GBPS[servers === 1 ? gpuRow : HOST_CPU_ROW]![servers <= 2 ? servers - 1 : 2];
}

/**
 * NCCL's bus-to-algorithm bandwidth ratio of `row` ([caps-2.23]): Ring nRanks / nsteps
 * (all-reduce 2(n−1) steps, reduce-scatter and all-gather n−1, the others n), Tree 0.5.
 */
export function algBwPerBusBw(row: NcclAlgorithmRow, collective: CollectiveName, nranks: number): number {
  if (row === 'Tree') return 0.5;
  const nsteps = collective === 'allReduce' ? 2 * (nranks - 1) : collective === 'reduceScatter' || collective === 'allGather' ? nranks - 1 : nranks;
  return nranks / nsteps;
}

/** `cost` with every α zero: what is left of a prediction is its bandwidth term. */
function bandwidthOnly(cost: CostParams): CostParams {
  return { ...cost, alphaNs: 0, intra: { ...cost.intra, alphaNs: 0 }, inter: { ...cost.inter, alphaNs: 0 } };
}

/**
 * The wire stretch, ≥ 1, that holds `algorithm` (NCCL row `row`) under params.protocol to
 * NCCL's LL cap (llMaxBusBwGBps; Ring/LL and Tree/LL, [caps-2.23]): the algorithm bandwidth
 * the schedule reaches when bandwidth-bound — its prediction under the protocol with every α
 * zero, between sizes k and 2k of whole chunks, so the pipeline's fill cancels — over the
 * cap as an algorithm bandwidth (llMaxBw × algBwPerBusBw). Wire bytes stretched by it divide
 * every bandwidth the schedule sees, so its bandwidth-bound busbw is min(uncapped, cap) as
 * NCCL's model has it, in the prediction and in the simulation alike. 1 where no cap applies
 * or it does not bind. Channels and chunk are the resolved ones of params (this size).
 */
export function capStretch(algorithm: Algorithm, row: NcclAlgorithmRow, params: PlanParams, cost: CostParams): number {
  const protocol = protocolOf(params);
  if (protocol !== 'LL' || (row !== 'Ring' && row !== 'Tree') || params.nranks < 2 || params.count === 0) return 1;
  const capGBps = llMaxBusBwGBps(params.layout, cost.computeCapability);
  if (capGBps === undefined) return 1;
  const bare = bandwidthOnly(protocolCost(cost, scheduleProtocol(row, protocol, params.layout, algorithm.collective)));
  // Whole chunks on every channel and rank, and many of them: the tree predictor is the larger
  // of two bounds, and only with many chunks in flight is its slope the bandwidth-bound one.
  const k = params.nranks * Math.max(1, params.channels) * Math.max(1, params.chunkElements) * 64;
  const ns = (count: number): number => algorithm.predictNs({ ...params, count, protocolCapStretch: 1 }, bare);
  const algBwBytesPerSec = (k * params.elementBytes * 1e9) / (ns(2 * k) - ns(k));
  const capBytesPerSec = capGBps * 1e9 * algBwPerBusBw(row, algorithm.collective, params.nranks);
  return Math.max(1, algBwBytesPerSec / capBytesPerSec);
}

// Appended in NCCL's order (NCCL_ALGO_PAT is 6): codes of the older rows stay as they were.
const ROWS: readonly NcclAlgorithmRow[] = ['Ring', 'Tree', 'NVLS', 'NVLSTree', 'PAT'];

/**
 * A (row, protocol) as one small number, for messages that carry their protocol through the
 * runtime's numeric request records: 0 for none, else 1 + row·3 + protocol (NCCL's order).
 */
export function protocolCode(protocol: { readonly row: NcclAlgorithmRow; readonly name: ProtocolName } | undefined): number {
  return protocol === undefined ? 0 : 1 + ROWS.indexOf(protocol.row) * PROTOCOL_NAMES.length + PROTOCOL_NAMES.indexOf(protocol.name);
}

/** The (row, protocol) of a `protocolCode`; undefined for 0. */
export function protocolFromCode(code: number): { readonly row: NcclAlgorithmRow; readonly name: ProtocolName } | undefined {
  if (!(code >= 1)) return undefined;
  const k = code - 1;
  return { row: ROWS[Math.floor(k / PROTOCOL_NAMES.length)]!, name: PROTOCOL_NAMES[k % PROTOCOL_NAMES.length]! };
}

/** Bytes on the wire for `bytes` of payload under `protocol`. */
export function wireBytes(protocol: ProtocolName, bytes: number): number {
  return lineWireBytes(PROTOCOLS[protocol], bytes);
}

/**
 * What a schedule of NCCL algorithm `row` under `protocol` charges beyond the fabric, on
 * `layout`: the launch latency (baseLat) and the per-step latency of an intra-server hop
 * (NVLink row; a multi-server ring's intra steps at least the net overhead, ×3 for Simple,
 * as NCCL's model has it) and of an inter-server hop (NET row). `cappedBy` (capStretch, ≥ 1)
 * multiplies the stretch where NCCL's bandwidth cap binds.
 */
export function scheduleProtocol(row: NcclAlgorithmRow, protocol: ProtocolName, layout: RankLayout, collective?: CollectiveName, cappedBy = 1): ScheduleProtocol {
  const { baseLat, hwLat, netOverhead } = NCCL_LATENCY_US;
  const multiServer = layout.groups.length > 1;
  const overheadUs = row === 'Ring' && multiServer ? netOverhead * (protocol === 'Simple' ? 3 : 1) : 0;
  const spec = PROTOCOLS[protocol];
  // The efficiency's part that the line format does not already give, and NCCL's cap (capStretch).
  const stretch = (spec.dataBytesPerLine / spec.lineBytes / protocolEfficiency(row, protocol, layout, collective)) * cappedBy;
  const stretched = stretch > 1 ? { stretch } : {};
  if (row === 'PAT') {
    // [tuning-2.23] (pat.ts): 8 + nRanks·2.8 µs once per collective, log2i(nNodes)·interLat/3.5
    // for the hops between servers — one per tree level, which weft's messages pay each (the
    // dimensions inside a server pay the fabric's latency only: NCCL's model has none there).
    const nranks = layout.groups.reduce((sum, g) => sum + g.length, 0);
    return {
      name: protocol,
      row,
      lineBytes: spec.lineBytes,
      dataBytesPerLine: spec.dataBytesPerLine,
      launchNs: (baseLat.PAT[protocol] + PAT_LATENCY_PER_RANK_US * nranks) * 1000,
      stepLatencyNs: { intra: 0, inter: (ncclInterLatUs(row, protocol, oneRankPerNode(layout)) / PAT_INTER_LATENCY_DIVISOR) * 1000 },
    };
  }
  if (row === 'NVLS' || row === 'NVLSTree') {
    // (NVLS rows: [tuning] at the cited commit; later releases raise NVLSTree's NET row to
    // 20.9 µs.) [tuning] charges NVLS's NVLink latency once per collective (latency = intraLat, not
    // per step: the switch's load-reduce and multicast are one step for all ranks), on top
    // of baseLat; NVLSTree's inter-server hops pay the NET row each (2·log2(nNodes) of them
    // in NCCL's model, one per message here). Messages to and from the switch agent are
    // intra-server: they pay the fabric's latency only.
    return {
      name: protocol,
      row,
      lineBytes: spec.lineBytes,
      dataBytesPerLine: spec.dataBytesPerLine,
      launchNs: (baseLat[row][protocol] + hwLat.nvlink[row][protocol]) * 1000,
      stepLatencyNs: { intra: 0, inter: hwLat.net[row][protocol] * 1000 },
    };
  }
  return {
    name: protocol,
    row,
    lineBytes: spec.lineBytes,
    dataBytesPerLine: spec.dataBytesPerLine,
    ...stretched,
    launchNs: baseLat[row][protocol] * 1000,
    stepLatencyNs: {
      intra: Math.max(hwLat.nvlink[row][protocol], overheadUs) * 1000,
      // With one GPU per node the ring's LL pays 5.0 µs a step, LL128 8.5, not 2.7, 4.0 (ncclInterLatUs).
      inter: ncclInterLatUs(row, protocol, oneRankPerNode(layout)) * 1000,
    },
  };
}

/** NCCL's ppn == 1 with several nodes: every group (server, host) holds one rank. */
function oneRankPerNode(layout: RankLayout): boolean {
  return layout.groups.length > 1 && layout.groups.every((g) => g.length === 1);
}

/**
 * The cost a protocol's schedule sees, for the alpha-beta predictors: each hop's α is the
 * larger of the fabric's latency and the protocol's step latency (the simulation delays a
 * message's delivery to sent + max(path latency, step latency): the software latency of a
 * step overlaps the wire's, it does not add to it), and every bandwidth is divided by the
 * wire factor lineBytes / dataBytesPerLine times the stretch (the fabric carries the flags too).
 */
export function protocolCost(cost: CostParams, protocol: ScheduleProtocol): CostParams {
  const factor = (protocol.lineBytes / protocol.dataBytesPerLine) * (protocol.stretch ?? 1);
  const intra = { alphaNs: Math.max(cost.intra.alphaNs, protocol.stepLatencyNs.intra), bandwidthBytesPerSec: cost.intra.bandwidthBytesPerSec / factor };
  const interAlphaNs = (pathNs: number): number => Math.max(pathNs, protocol.stepLatencyNs.inter);
  const rail = cost.inter.railAlphaNs;
  const inter = { alphaNs: interAlphaNs(cost.inter.alphaNs), bandwidthBytesPerSec: cost.inter.bandwidthBytesPerSec / factor, ...(rail !== undefined ? { railAlphaNs: interAlphaNs(rail) } : {}) };
  return {
    ...cost,
    alphaNs: Math.max(intra.alphaNs, inter.alphaNs, cost.alphaNs),
    bandwidthBytesPerSec: cost.bandwidthBytesPerSec / factor,
    intra,
    inter,
    ...(cost.allPeersBandwidthBytesPerSec !== undefined ? { allPeersBandwidthBytesPerSec: cost.allPeersBandwidthBytesPerSec / factor } : {}),
  };
}

/**
 * The slices a ring step moves its chunk in, per protocol. Simple: chunkSteps / sliceSteps =
 * ALLREDUCE_CHUNKSTEPS (NCCL_STEPS/2) / ALLREDUCE_SLICESTEPS (NCCL_STEPS/4) = 2 ([collectives]
 * src/include/collectives.h; enqueue.cc uses them for Ring/Simple only). LL and LL128: one
 * (enqueue.cc: chunkSteps = sliceSteps = 1); their per-line flags let a receiver consume a
 * step before it is whole, which weft does not model below a message.
 */
export function ringSlicesPerChunk(protocol: ProtocolName): number {
  return protocol === 'Simple' ? 2 : 1;
}

/**
 * The smallest slice NCCL's Simple prims cut a step's block into ([prims] genericOp:
 * sliceSize ≥ stepSize·StepPerSlice/32, stepSize the Simple step SIMPLE_STEP_BYTES, StepPerSlice
 * ALLREDUCE_SLICESTEPS = NCCL_STEPS/4 = 2): 512 KiB · 2 / 32 = 32 KiB, whatever the element type.
 */
export const SIMPLE_MIN_SLICE_BYTES = ((1 << 22) / 8) * 2 / 32;

/**
 * The element counts of the slices NCCL moves a ring step's block of `elements` in, one after
 * another ([prims] genericOp). Simple: sliceSize = max(divUp(nelem, 16·SlicePerChunk)·16,
 * SIMPLE_MIN_SLICE_BYTES of elements), slices of sliceSize until the block is done, at most
 * SlicePerChunk (ringSlicesPerChunk) — so a block of up to 32 KiB goes whole, one of up to
 * 64 KiB as 32 KiB and the rest, and a larger one in two halves (rounded to 16 elements).
 * LL and LL128: the block whole. A small block in one slice has nothing to hide its step
 * latency behind: its successor hop waits for the whole of it.
 */
export function ringSliceCounts(protocol: ProtocolName, elements: number, elementBytes: number): number[] {
  const perChunk = ringSlicesPerChunk(protocol);
  if (perChunk === 1 || elements <= 0) return [Math.max(0, elements)];
  const sliceElements = Math.max(Math.ceil(elements / (16 * perChunk)) * 16, Math.floor(SIMPLE_MIN_SLICE_BYTES / elementBytes));
  const counts: number[] = [];
  for (let done = 0; done < elements && counts.length < perChunk; done += sliceElements) counts.push(Math.min(sliceElements, elements - done));
  return counts;
}

/**
 * The pipelining chunk when the caller leaves it to the algorithm: NCCL's Ring/Simple chunk,
 * ALLREDUCE_CHUNKSTEPS (NCCL_STEPS/2 = 4) steps of the Simple buffer's step (4 MiB / NCCL_STEPS
 * = 512 KiB): 2 MiB ([collectives], [comm]).
 */
export const DEFAULT_CHUNK_BYTES = 4 * ((1 << 22) / 8);

/** One step of the Simple buffer: DEFAULT_BUFFSIZE 4 MiB / NCCL_STEPS 8 = 512 KiB ([comm]). */
export const SIMPLE_STEP_BYTES = (1 << 22) / 8;

/**
 * The payload of one step of `protocol`'s buffer (prims' calcBytePerStep): the buffer over
 * NCCL_STEPS, less the flags: Simple 512 KiB, LL 64 KiB of lines = 32 KiB of data, LL128
 * 614,400 B of lines = 576,000 B of data ([comm], [device]).
 */
export function stepDataBytes(protocol: ProtocolName): number {
  const spec = PROTOCOLS[protocol];
  return ((spec.bufferBytes / spec.steps) * spec.dataBytesPerLine) / spec.lineBytes;
}

/**
 * A chunk of NCCL's Ring under `protocol`: `chunkSteps` steps under Simple (all-reduce,
 * all-gather, reduce-scatter: NCCL_STEPS/2 = 4, i.e. 2 MiB; broadcast, reduce: 1), one step
 * under LL and LL128 (enqueue.cc applies chunkSteps to Ring/Simple only) ([collectives]).
 */
export function ringChunkBytes(protocol: ProtocolName, chunkSteps: number): number {
  return stepDataBytes(protocol) * (protocol === 'Simple' ? chunkSteps : 1);
}

/**
 * NCCL's NVLS channels (CTAs) per GPU generation and NVLink domains ([nvls-ctas]):
 * NVLS_NCHANNELS_SM90 16 on Hopper (and whatever names no GPU: NCCL_NVLS_NCHANNELS's default
 * before Blackwell); on Blackwell (compute capability 10+) NVLS_NCHANNELS_SM100_NVL 24 when the
 * communicator is one NVLink domain (one server, one MNNVL rack), NVLS_NCHANNELS_SM100 32
 * when it spans several. Each channel is one CTA running the whole NVLS loop over its slice
 * (src/device/all_reduce.h: loopSize = nChannels · nHeads · chunk), so the count sets the
 * chunk rule's concurrentOps and the bytes per pipeline round.
 */
const NVLS_CHANNELS_SM90 = 16;
const NVLS_CHANNELS_SM100 = 32;
const NVLS_CHANNELS_SM100_NVL = 24;
const BLACKWELL_COMPUTE_CAPABILITY = 10;

/** NCCL's NVLS channels for GPUs of `computeCapability` (undefined: none named) on `layout` ([nvls-ctas]). */
export function ncclNvlsChannels(computeCapability: number | undefined, layout: RankLayout): number {
  if (computeCapability === undefined || computeCapability < BLACKWELL_COMPUTE_CAPABILITY) return NVLS_CHANNELS_SM90;
  return layout.groups.length > 1 ? NVLS_CHANNELS_SM100 : NVLS_CHANNELS_SM100_NVL;
}

/** The NVLS channels a plan runs as NCCL's: params.nvlsChannels as resolveDefaults set it, else 16 (SM90). */
export function nvlsChannelsOf(params: PlanParams): number {
  return params.nvlsChannels ?? NVLS_CHANNELS_SM90;
}

export const NVLS_CHUNK_BYTES = 128 * 1024;

/** NCCL_MAX_NVLS_ARITY ([heads]): the most NVLS heads (NVLS graph channels) NCCL runs in one NVLink domain. */
export const NCCL_MAX_NVLS_ARITY = 32;

/**
 * NCCL's NVLS heads in an NVLink domain of `ranks` GPUs ([heads]): min(NCCL_MAX_NVLS_ARITY,
 * ranks) — every GPU of an 8-GPU server, 32 of a 72-GPU NVL72 rack. Each head owns one chunk
 * of every channel's loop (src/device/all_reduce.h, NVLS: loopSize = nChannels · nHeads ·
 * chunk); the other ranks only scatter their input to the heads' buffers and gather the
 * multicasts (their reduce warps idle, headRank -1), so they carry S each way, a head
 * S + S/heads.
 */
export function nvlsHeads(ranks: number): number {
  return Math.max(1, Math.min(NCCL_MAX_NVLS_ARITY, ranks));
}

/**
 * The chunk NCCL's NVLS moves per head and channel for a message of `bytes` (NCCL's nBytes)
 * over `heads` ranks ([nvls], [chunking]: algorithm NCCL_ALGO_NVLS): 128 KiB, cut while the
 * message would give the concurrentOps = nvlsChannels · heads work items too few chunks
 * each to fill the pipeline — to 64 KiB below 64 chunks per item, 32 KiB below 8, 16 KiB
 * below 2 (one node: see [chunking] for the multi-node cap weft never meets).
 */
export function ncclNvlsChunkBytes(bytes: number, heads: number, nvlsChannels = NVLS_CHANNELS_SM90): number {
  const concurrentOps = nvlsChannels * Math.max(1, heads);
  let chunk = NVLS_CHUNK_BYTES;
  if (bytes < 64 * concurrentOps * chunk && chunk > 65536) chunk = 65536;
  if (bytes < 8 * concurrentOps * chunk && chunk > 32768) chunk = 32768;
  if (bytes < 2 * concurrentOps * chunk && chunk > 16384) chunk = 16384;
  return chunk;
}

/** NCCL_NVLSTREE_MAX_CHUNKSIZE's default ([chunking]): 64 KiB from this many nodes up, no cap below. */
const NVLSTREE_CAPPED_FROM_NODES = 4;
const NVLSTREE_CAPPED_CHUNK_BYTES = 65536;

/**
 * The chunk NCCL's NVLSTree all-reduce moves per head and channel for `bytes` over `nodes`
 * nodes of `heads` ranks ([chunking], NCCL_ALGO_NVLS_TREE): NVLS_CHUNK_BYTES, at most 64 KiB
 * from 4 nodes (NCCL_NVLSTREE_MAX_CHUNKSIZE's default; enqueue.cc gives no reason), then cut to
 * 256/128/64/32 KiB below 32/16/4/1 chunks per work item (concurrentOps = nvlsChannels ·
 * heads). With the 128 KiB default the first cut never binds: 64 KiB below 4 chunks per item,
 * 32 KiB below one.
 */
export function ncclNvlsTreeChunkBytes(bytes: number, heads: number, nodes: number, nvlsChannels = NVLS_CHANNELS_SM90): number {
  const concurrentOps = nvlsChannels * Math.max(1, heads);
  let chunk = nodes >= NVLSTREE_CAPPED_FROM_NODES ? Math.min(NVLS_CHUNK_BYTES, NVLSTREE_CAPPED_CHUNK_BYTES) : NVLS_CHUNK_BYTES;
  if (bytes < 32 * concurrentOps * chunk && chunk > 262144) chunk = 262144;
  if (bytes < 16 * concurrentOps * chunk && chunk > 131072) chunk = 131072;
  if (bytes < 4 * concurrentOps * chunk && chunk > 65536) chunk = 65536;
  if (bytes < 1 * concurrentOps * chunk && chunk > 32768) chunk = 32768;
  return chunk;
}

/**
 * NCCL's NVLS chunk `ncclChunk` as weft's chunk per part: times NCCL's NVLS channels
 * (nvlsChannelsOf) over weft's channels. weft's NVLS schedules cut each head's share into
 * `channels` parts (one by default), where NCCL runs nvlsChannels channels per head; a part's
 * chunk of nvlsChannels/channels NCCL chunks moves the same bytes per pipeline round as NCCL's
 * channels do, so a message fills the pipeline in as many rounds as in NCCL.
 */
function perPartChunkBytes(ncclChunk: number, params: PlanParams): number {
  return (ncclChunk * nvlsChannelsOf(params)) / Math.max(1, params.channels);
}

/**
 * nvls all-reduce's chunk per part (ncclNvlsChunkBytes of the message over NCCL's heads,
 * nvlsHeads, and NCCL's NVLS channels C, nvlsChannelsOf; perPartChunkBytes). C × 128 KiB per
 * part (2 MiB on Hopper) from 64 · C · heads NCCL chunks up: 1 GiB on 8 H100s, 1.5 GiB on 8
 * B200s (C = 24), 6 GiB on one NVL72 rack (24 channels, 32 heads).
 */
export function nvlsChunkBytes(params: PlanParams): number {
  return perPartChunkBytes(ncclNvlsChunkBytes(params.count * params.elementBytes, nvlsHeads(params.nranks), nvlsChannelsOf(params)), params);
}

/**
 * nvls reduce-scatter's and all-gather's chunk per part: NCCL's nBytes for them is a rank's
 * n blocks (reduce-scatter's input, all-gather's output, [chunking]), and a part is one
 * block's share of a channel, so 2 MiB from 64 · 16 · n NCCL chunks of all blocks up (1 GiB
 * of output on 8 GPUs: 128 MiB per block).
 */
export function nvlsBlockChunkBytes(params: PlanParams): number {
  return perPartChunkBytes(ncclNvlsChunkBytes(params.nranks * params.count * params.elementBytes, params.nranks, nvlsChannelsOf(params)), params);
}

/**
 * nvlstree's chunk per part: ncclNvlsTreeChunkBytes of the message over the servers (NCCL's
 * nodes) of n ranks (nvlsHeads(n) heads), perPartChunkBytes. On nvlstree's default 2 channels that is
 * 1 MiB per part at most (512 KiB from 4 servers), where it ran DEFAULT_CHUNK_BYTES before.
 */
export function nvlsTreeChunkBytes(params: PlanParams): number {
  const groups = params.layout.groups;
  const heads = nvlsHeads(groups[0]?.length ?? params.nranks);
  return perPartChunkBytes(ncclNvlsTreeChunkBytes(params.count * params.elementBytes, heads, Math.max(1, groups.length), nvlsChannelsOf(params)), params);
}

/** Threads per channel (NCCL_LL_MAX_NTHREADS, NCCL_LL128_MAX_NTHREADS, NCCL_SIMPLE_MAX_NTHREADS; [device]). */
const MAX_THREADS_PER_CHANNEL: Readonly<Record<ProtocolName, number>> = { LL: 512, LL128: 640, Simple: 512 };

/** Bytes a thread must have before NCCL adds a channel (NCCL_*_THREAD_THRESHOLD, [comm]); Ring/LL's is × nRanks ([tuning]). */
const THREAD_THRESHOLD_BYTES: Readonly<Record<ProtocolName, number>> = { LL: 8, LL128: 8, Simple: 64 };

/**
 * The channels NCCL runs a collective of `bytes` on, out of the `searched` ones: enqueue.cc
 * drops channels while bytes < channels × threads × threshold, so a small message runs on
 * few channels (one below threads × threshold bytes) and only a large one on all of them.
 */
export function channelsForBytes(searched: number, bytes: number, row: NcclAlgorithmRow, protocol: ProtocolName, nranks: number): number {
  const threshold = THREAD_THRESHOLD_BYTES[protocol] * (row === 'Ring' && protocol === 'LL' ? nranks : 1);
  return Math.max(1, Math.min(searched, Math.floor(bytes / (MAX_THREADS_PER_CHANNEL[protocol] * threshold))));
}

/** The protocol a plan runs under: params.protocol, Simple when absent (NCCL_PROTO's default for large messages). */
export function protocolOf(params: PlanParams): ProtocolName {
  return params.protocol ?? 'Simple';
}

/**
 * `algorithm` as one of NCCL's, running under NCCL's protocols with the latencies of NCCL's
 * `row`: its schedule carries the protocol's timing (scheduleProtocol) and its prediction is
 *   T = launch + predictNs(params, protocolCost(cost))
 * — the same closed form on the protocol's α and β — so predicted and simulated stay together.
 */
export function withProtocols(algorithm: Algorithm, row: NcclAlgorithmRow, protocols: readonly ProtocolName[] = PROTOCOL_NAMES): Algorithm {
  const timing = (params: PlanParams, cappedBy = params.protocolCapStretch ?? 1): ScheduleProtocol =>
    scheduleProtocol(row, protocolOf(params), params.layout, algorithm.collective, cappedBy);
  return {
    ...algorithm,
    protocols,
    /** NCCL's bandwidth cap of the protocol on this topology, resolved into the params plan() sees. */
    resolveParams(params: PlanParams, cost: CostParams): PlanParams {
      return { ...params, protocolCapStretch: capStretch(algorithm, row, params, cost) };
    },
    unsupported(params: PlanParams): string | null {
      const protocol = protocolOf(params);
      if (!protocols.includes(protocol)) return `protocol ${protocol} is not one of ${algorithm.name}'s (${protocols.join(', ')})`;
      return algorithm.unsupported(params);
    },
    plan(params: PlanParams): Schedule {
      const schedule = algorithm.plan(params);
      // Nothing to move, nothing launched (NCCL returns at once): as predictNs says, 0.
      if (params.count === 0 || params.nranks === 1) return schedule;
      return { ...schedule, protocol: timing(params) };
    },
    predictNs(params: PlanParams, cost: CostParams): number {
      if (params.count === 0 || params.nranks === 1) return algorithm.predictNs(params, cost);
      const protocol = timing(params, params.protocolCapStretch ?? capStretch(algorithm, row, params, cost));
      return protocol.launchNs + algorithm.predictNs(params, protocolCost(cost, protocol));
    },
  };
}
