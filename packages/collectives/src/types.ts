/**
 * Schedules: what an algorithm produces and every executor consumes (data mode, ghost
 * mode, the symbolic checker, the predictor, the lab). Pure data — JSON-serializable, no
 * tensors, no I/O. Counts and offsets are in elements, never bytes.
 */

export type CollectiveName =
  | 'allReduce'
  | 'reduceScatter'
  | 'allGather'
  | 'broadcast'
  | 'reduce'
  | 'allToAll'
  | 'sendRecv'
  | 'barrier'
  | 'gather'
  | 'scatter';

export type ReduceOp = 'sum' | 'prod' | 'min' | 'max' | 'avg';
/** NCCL's element types (ncclDataType_t; nccl-tests' names in dtypes.ts NCCL_DTYPE_NAMES). */
export type DType = 'int8' | 'uint8' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'float16' | 'float32' | 'float64' | 'bfloat16';

/**
 * Each participant has three buffers. `input` holds what the caller passed in, `output`
 * what the caller gets back, `scratch` is the algorithm's own (size declared in the
 * schedule). Sizes of input/output per collective follow NCCL's API, with `count` as the
 * NCCL count argument:
 *   allReduce      input count,        output count
 *   reduceScatter  input count*nranks, output count          (rank r gets block r)
 *   allGather      input count,        output count*nranks   (block r comes from rank r)
 *   broadcast      input count,        output count          (root's input to everyone)
 *   reduce         input count,        output count          (only root's output defined)
 *   allToAll       input count*nranks, output count*nranks   (block j of rank i -> block i of rank j)
 *   sendRecv       input count,        output count          (rank r receives rank r-1's input; nccl-tests sendrecv)
 *   barrier        input 0,            output 0
 */
export type BufferName = 'input' | 'output' | 'scratch';

export interface Slice {
  readonly buffer: BufferName;
  readonly offset: number;
  readonly count: number;
}

/**
 * Steps (the primitive vocabulary, the Step type and its decoder) live in ./steps.ts. A send
 * snapshots its source slice when the step runs (eager: it does not wait for the receiver);
 * the channel moves on once the last byte has left. A recv waits for the matching message:
 * messages between a pair of participants are matched first-in first-out per channel index.
 * `peer` is a participant index: ranks 0..nranks-1, then agents (in-network switches).
 */
import type { Step } from './steps.js';
export type { Step, StepOp } from './steps.js';

/** A rank, or an agent such as a reduction-capable switch (NVLS / SHARP). */
export interface Participant {
  readonly kind: 'rank' | 'switch';
  /** Channels run concurrently; steps within a channel run in order. */
  readonly channels: readonly (readonly Step[])[];
}

export interface Schedule {
  readonly collective: CollectiveName;
  readonly algorithm: string;
  readonly nranks: number;
  readonly count: number;
  readonly root: number;
  /** Elements per participant in each buffer (agents have only scratch). */
  readonly bufferCounts: {
    readonly input: number;
    readonly output: number;
    readonly scratch: number;
  };
  /** `nranks` ranks first, then agents. */
  readonly participants: readonly Participant[];
  /**
   * The NCCL protocol the schedule runs under (./protocols.ts): the runtime puts whole
   * lines on the wire, delays each message's delivery to its step latency and waits the
   * launch latency at the start of every collective. Absent: hardware timing only.
   */
  readonly protocol?: ScheduleProtocol;
}

/** A protocol's timing as a schedule carries it (./protocols.ts scheduleProtocol). */
export interface ScheduleProtocol {
  readonly name: 'LL' | 'LL128' | 'Simple';
  /** NCCL's algorithm row of the latency tables (the step latency of a message depends on it and the hop). */
  readonly row: 'Ring' | 'Tree' | 'NVLS' | 'NVLSTree' | 'PAT';
  /** Wire bytes of a message = ceil(payload bytes / dataBytesPerLine) · lineBytes. */
  readonly lineBytes: number;
  readonly dataBytesPerLine: number;
  /**
   * Wire time beyond the line format, ≥ 1 (absent: 1): NCCL's measured LL/LL128 throughput
   * is below what their lines carry (thread-bound flag stores and polling); weft charges the
   * difference as extra bytes on the wire (protocols.ts protocolEfficiency).
   */
  readonly stretch?: number;
  /** Once per collective, before any channel starts. */
  readonly launchNs: number;
  /** A message is delivered no sooner than this after it was sent: between ranks of one group, of different groups. */
  readonly stepLatencyNs: { readonly intra: number; readonly inter: number };
}

/** Where ranks sit, as an algorithm sees the topology (no fabric types here). */
export interface RankLayout {
  /** groups[g] lists the ranks of server / NVLink domain g, in rank order. */
  readonly groups: readonly (readonly number[])[];
  /** True when a reduction-capable switch reaches every rank (in-network reduction). */
  readonly hasReductionSwitch: boolean;
  /**
   * How the switch reaching every rank reduces: 'nvls' for an NVSwitch (GPU-initiated
   * multimem load-reduce and multicast store), 'sharp' for a fabric switch that aggregates
   * what ranks push and sends the sum back. Absent: 'sharp' when hasReductionSwitch.
   */
  readonly inSwitchReduction?: 'nvls' | 'sharp';
  /**
   * True when every group has its own reduction-capable switch reaching all its ranks (one
   * NVSwitch per server: NVLSTree). Absent: false.
   */
  readonly groupReductionSwitches?: boolean;
  /**
   * rails[r] is the rail (NIC index) of rank r: ranks of different groups on one rail reach
   * each other through their NICs and that rail's leaf, without a spine. Undefined when the
   * topology has no rail structure. Channel search (src/channels/search.ts) aligns rings on it.
   */
  readonly rails?: readonly number[];
  /**
   * railLeaves[r] identifies the leaf rank r's NIC links to, where there are rails: two ranks
   * of one rail on one leaf talk through that leaf alone (cost.inter.railAlphaNs), on two
   * leaves (scalable units) through a spine. Undefined: every rail pair counts as one leaf's.
   */
  readonly railLeaves?: readonly number[];
  /**
   * The fabric's directed links, for the channel search on layouts without a rail grid
   * (channels/ring-search.ts): which links a ring's hops cross and what each can carry. Absent:
   * the search falls back to the rank order at the rank's injection bandwidth.
   */
  readonly linkGraph?: LinkGraph;
}

/**
 * A fabric's nodes and directed links as plain arrays (fabric's GraphIndex plus bandwidths):
 * node n's out-links are outLinks[outStart[n] .. outStart[n+1]); link l runs linkFrom[l] →
 * linkTo[l] at linkBytesPerSec[l]. Endpoint nodes (GPUs, hosts) never forward traffic.
 */
export interface LinkGraph {
  readonly nodeCount: number;
  /** The node rank r runs on. */
  readonly rankNode: Int32Array;
  /** 1 for nodes that never forward (gpu, host). */
  readonly isEndpoint: Uint8Array;
  readonly linkFrom: Int32Array;
  readonly linkTo: Int32Array;
  readonly linkBytesPerSec: Float64Array;
  /** Each link's latency (ns), where the fabric gives it: a flat fabric's hop pays its own path's (cost.ts hopAlpha). */
  readonly linkLatencyNs?: Float64Array;
  readonly outStart: Int32Array;
  readonly outLinks: Int32Array;
}

export interface PlanParams {
  readonly nranks: number;
  readonly count: number;
  readonly root: number;
  readonly elementBytes: number;
  /**
   * Concurrent channels (NCCL nChannels); algorithms may clamp it. 0 asks for the
   * algorithm's own default (`Algorithm.defaultChannels`), resolved by `resolveDefaults`
   * before planning.
   */
  readonly channels: number;
  /** Pipelining: elements per chunk; 0 means one chunk per step (no pipelining). */
  readonly chunkElements: number;
  /**
   * True when the caller left the chunk to the algorithm: `resolveDefaults` replaces
   * chunkElements by the algorithm's own (`Algorithm.defaultChunkBytes`, else
   * DEFAULT_CHUNK_BYTES) before planning.
   */
  readonly chunkAuto?: boolean;
  readonly layout: RankLayout;
  /**
   * NCCL protocol, for algorithms that declare `protocols`; absent means Simple. Others
   * ignore it.
   */
  readonly protocol?: 'LL' | 'LL128' | 'Simple';
  /**
   * Extra wire stretch (≥ 1) that holds the protocol to NCCL's bandwidth cap on this
   * topology (protocols.ts capStretch), resolved by `resolveDefaults`. Absent: 1.
   */
  readonly protocolCapStretch?: number;
  /**
   * NCCL's NVLS channels (CTAs) for this GPU generation and layout (protocols.ts
   * ncclNvlsChannels), resolved by `resolveDefaults` from the cost's computeCapability; NVLS
   * algorithms size their chunk by it. Absent: 16 (Hopper's).
   */
  readonly nvlsChannels?: number;
  /**
   * The reduction the collective computes, where the caller knows it: algorithms that reduce in a
   * switch (NVLS, NVLSTree, innetwork) run only the ops and types their switch computes
   * (in-switch-ops.ts). Absent: a sum, which every switch computes.
   */
  readonly reduction?: { readonly op: ReduceOp; readonly dtype: string };
}

/**
 * Alpha-beta cost inputs derived from a topology. `alphaNs` is the per-message latency of
 * the slowest rank-to-rank path; `bandwidthBytesPerSec` the per-rank injection bandwidth
 * the algorithm can use. Hierarchical algorithms read the intra/inter pair.
 */
export interface CostParams {
  readonly alphaNs: number;
  readonly bandwidthBytesPerSec: number;
  readonly intra: { readonly alphaNs: number; readonly bandwidthBytesPerSec: number };
  /**
   * railAlphaNs: between two ranks of one rail (layout.rails) and one rail leaf (layout.railLeaves) in different groups, where the
   * fabric has rails (a rail leaf, no spine: lower than alphaNs, the worst pair). Rail-aligned
   * rings' inter-server hops pay it (nccl-ring.ts ringCost). Absent: alphaNs.
   */
  readonly inter: { readonly alphaNs: number; readonly bandwidthBytesPerSec: number; readonly railAlphaNs?: number };
  /**
   * A rank's injection bandwidth toward all its peers at once, both classes (fabric's
   * alphaBetaCost: max-flow over links on shortest paths to any peer). Below intra + inter
   * where the two classes leave the rank by one link (a GPU whose one NIC reaches its
   * server's GPUs through the server's switch and the other servers through a spine): the
   * tree's predictors (all-reduce/tree-pipeline.ts, tree-fluid.ts) then load that link with
   * both classes' edges. Absent: intra + inter (separate links).
   */
  readonly allPeersBandwidthBytesPerSec?: number;
  /**
   * Fraction of the link bandwidth that traffic to and from a reduction switch achieves
   * (NVLS multimem; the topology's `reductionEfficiency`). Absent: 1.
   */
  readonly reductionEfficiency?: number;
  /**
   * The GPUs' CUDA compute capability when the topology names one: NCCL's channel search
   * picks its per-channel bandwidth ladder by it (channels/search.ts). Absent: no GPU named.
   */
  readonly computeCapability?: number;
}

export interface Algorithm {
  readonly name: string;
  readonly collective: CollectiveName;
  /** One sentence, printed by `weft algos`. */
  readonly description: string;
  /** Human-readable constraints, e.g. "any rank count" or "needs a reduction switch". */
  readonly constraints: string;
  /** null when the algorithm can run with these params; otherwise why not (one line). */
  unsupported(params: PlanParams): string | null;
  plan(params: PlanParams): Schedule;
  /** Predicted time in ns under the alpha-beta model. */
  predictNs(params: PlanParams, cost: CostParams): number;
  /**
   * The channels the algorithm runs when the caller leaves the count to it: NCCL's searched
   * count for algorithms that run on searched channels. Absent: 1.
   */
  defaultChannels?(params: PlanParams, cost: CostParams): number;
  /**
   * The pipelining chunk, in bytes, when the caller leaves it to the algorithm (params with
   * channels already resolved): NCCL's for its algorithms. Absent: DEFAULT_CHUNK_BYTES.
   */
  defaultChunkBytes?(params: PlanParams): number;
  /**
   * What the algorithm derives from the topology's cost once channels and chunk are resolved
   * (NCCL's protocol bandwidth caps: protocols.ts withProtocols); `resolveDefaults` calls it last.
   */
  resolveParams?(params: PlanParams, cost: CostParams): PlanParams;
  /**
   * The NCCL protocols the algorithm runs under (params.protocol), for NCCL's own
   * algorithms: `auto` chooses among the algorithms that declare them, as NCCL's tuner
   * among its own. Absent: a textbook algorithm with hardware timing only.
   */
  readonly protocols?: readonly ('LL' | 'LL128' | 'Simple')[];
}
