import type { RecurrenceWatch } from './schedule/recurrence.js';
/**
 * The runtime's public types: cluster options, run options and results. Browser-safe.
 */
import type { DType, DTypeName, ReduceOp } from '@weft/collectives';
import type { FlowRecord, LinkStats, Network, NetworkOptions, Topology } from '@weft/fabric';
import type { BackendChoice, NumericArray } from '../backends/types.js';

export type ClusterMode = 'data' | 'ghost';

/** Builds the network of one run (a fresh one per run, virtual time 0). */
export type NetworkFactory = (topology: Topology, options: NetworkOptions) => Network;

export interface ClusterOptions {
  readonly topology: Topology;
  readonly network: NetworkOptions;
  /** `data` (default): real bytes in worker threads. `ghost`: byte counts only, in-process. */
  readonly mode?: ClusterMode;
  /** Data mode: ranks per worker thread (default: ceil(ranks / cores), one thread per core). */
  readonly ranksPerWorker?: number;
  readonly backend?: BackendChoice;
  /**
   * Data mode: lower V8's background threads (TurboFan compiles, GC helpers) to nice 19 when
   * the cluster starts, so they take only the cores the workers leave idle (Linux; once per
   * process, and it cannot be undone without privileges: runtime node/background-priority.ts).
   * Default true; an embedding whose own main-thread work matters more passes false.
   */
  readonly lowerBackgroundThreads?: boolean;
  /**
   * Data mode: refuse runs whose rank buffers (input + output + scratch of every rank) exceed
   * this many bytes. Default: half of the machine's memory.
   */
  readonly memoryBudgetBytes?: number;
  /**
   * Data mode: bytes per shared arena (default, and at most, 4 GiB − 64 KiB). Hosts that do
   * not fit one arena get standalone buffers; smaller values exercise those paths in tests.
   */
  readonly arenaMaxBytes?: number;
  /**
   * Watchdog: wall-clock milliseconds a host may take to answer one round (a rank program in
   * an infinite loop or awaiting a promise that never resolves) before the run ends with a
   * RankTimeoutError. Default 300 000 (5 min); 0 disables it.
   */
  readonly roundTimeoutMs?: number;
  /** Replaces @weft/fabric's createNetwork (tests, other models). */
  readonly networkFactory?: NetworkFactory;
}

export type Fault = LinkFault | RankFault;

/** A link fails (strands transfers pinned to it) or loses capacity, at a virtual time. */
export type LinkFault =
  | { readonly kind: 'failLink'; readonly linkId: string; readonly atNs: number }
  | { readonly kind: 'degradeLink'; readonly linkId: string; readonly factor: number; readonly atNs: number };

/**
 * A rank misbehaves: it starts late (`delayRank`: its first operations are posted `delayNs`
 * later), computes slower (`slowRank`: every compute duration × `factor`), or stops at a
 * virtual time (`crashRank`: it posts nothing more and takes no completions; the run ends
 * with a RankCrashedError once nobody can move).
 */
export type RankFault =
  | { readonly kind: 'delayRank'; readonly rank: number; readonly delayNs: number }
  | { readonly kind: 'slowRank'; readonly rank: number; readonly factor: number }
  | { readonly kind: 'crashRank'; readonly rank: number; readonly atNs: number };

export interface RunScheduleOptions {
  /** weft's name (float32, float16, …) or nccl-tests' (float, half, bfloat16, int8, …; collectives DTypeName). */
  readonly dtype: DType | DTypeName;
  readonly op: ReduceOp;
  /** Data mode: count wrong output elements (nccl-tests #wrong). Default true in data mode. */
  readonly check?: boolean;
  /** Timed iterations run back to back in one simulation; timeNs is their mean. Default 1. */
  readonly iters?: number;
  /** Untimed iterations first; the timed ones start when every participant has finished them. */
  readonly warmupIters?: number;
  /** Record every step (participant, channel, start, end) in `steps`. Default false. */
  readonly trace?: boolean;
  readonly faults?: readonly Fault[];
  /**
   * Data mode: each rank's input (its `input` buffer's length) instead of the test pattern.
   * Incompatible with `check`.
   */
  readonly inputs?: readonly NumericArray[];
  /**
   * Ghost mode: a steady-state recurrence check watching the run (schedule/recurrence.ts,
   * made by runRecurrent); it may end the run early by throwing SteadyStateFound.
   */
  readonly watch?: RecurrenceWatch;
  /**
   * Told the simulated time reached while the run is under way, at most about once a second of
   * wall time (weft bench's progress bar on a long run). Changes nothing simulated.
   */
  readonly onSimulatedTime?: (nowNs: number) => void;
  /**
   * Ghost mode: simulate one representative per class of ranks proved to run alike
   * (schedule/rank-classes.ts) when that cuts the ranks simulated MIN_CLASS_SIZE-fold; the
   * results are the full run's. Default true; false runs every rank (tests compare the two).
   */
  readonly rankClasses?: boolean;
}

/** One step of one participant's channel, in simulated time (Chrome-trace friendly). */
export interface StepRecord {
  readonly participant: number;
  readonly channel: number;
  readonly op: string;
  /** The peer it receives from; for a step that only sends, the peer it sends to. */
  readonly peer?: number;
  /** Every peer it sends to (a forwarding step's next hop, a tree node's children): absent when it sends nothing. */
  readonly sendPeers?: readonly number[];
  readonly startNs: number;
  readonly endNs: number;
  readonly bytes?: number;
}

export interface RunStats {
  /** Simulated time: the mean per timed iteration (ns). */
  readonly timeNs: number;
  /** Wall-clock time of the run, setup included (ms). */
  readonly wallMs: number;
  /**
   * Where wallMs went: placing and filling buffers (prepare), the coordinated run that moves
   * the data (simulate), counting #wrong (check). nccl-tests' busbw corresponds to simulate.
   */
  readonly phasesMs: { readonly prepareMs: number; readonly simulateMs: number; readonly checkMs: number };
  readonly backend: string;
  readonly linkStats: LinkStats[];
  readonly flows: FlowRecord[];
  /** Simulated events handled: transfer events (sent, delivered) and timers. */
  readonly events: number;
  /** Coordinator rounds (wake, run to idle, collect requests). */
  readonly rounds: number;
  /**
   * Data mode: messages that found their host's staging region full and took a standalone
   * SharedArrayBuffer (correct but slower: a sign the region is too small). 0 in ghost mode.
   */
  readonly stagingOverflows: number;
  /** Ghost mode with rank classes (schedule/rank-classes.ts): how many ranks were simulated, one per class. Absent: every rank. */
  readonly simulatedRanks?: number;
  /** Ghost mode, looked for rank classes and found none (every rank simulated): why (schedule/rank-classes.ts). */
  readonly noClassesReason?: string;
}

export interface RunResult extends RunStats {
  /** #wrong output elements; -1 when not checked. */
  readonly wrong: number;
  readonly steps: StepRecord[];
}

export interface ProgramResult<T = unknown> extends RunStats {
  /** Each rank's return value, by rank. */
  readonly results: T[];
}

export interface RunProgramOptions {
  readonly faults?: readonly Fault[];
  /**
   * Ghost mode in Node: run the program in this thread (trusted code, e.g. weft train's own
   * program: no thread start-up, but a synchronous infinite loop cannot be stopped). Default:
   * a thread of its own, under the watchdog; its return values must be structured-cloneable.
   */
  readonly inProcess?: boolean;
}

/** A rank's buffers after a data-mode run (views of shared memory, no copy). */
export interface RankBuffers {
  readonly input: NumericArray;
  readonly output: NumericArray;
  readonly scratch: NumericArray;
}
