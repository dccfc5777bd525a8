import type { FaultOutcome } from './fault-runs.js';

/**
 * A sweep returns rows; table, JSON, CSV, plots and traces format them (STYLE.md #7).
 * Field names are the JSON schema documented in docs/bench-json.md.
 */
import type { LinkQueueStats, PacketOptions } from '@weft/fabric';
import type { EnergyReport, EnergyRow } from './energy.js';
import type { ReferenceComparison } from './reference.js';

export interface LinkRow {
  readonly linkId: string;
  readonly from: string;
  readonly to: string;
  readonly bandwidthGBps: number;
  readonly bytesCarried: number;
  readonly busyUs: number;
  readonly utilization: number;
  readonly peakConcurrentFlows: number;
  /** Queue depth, ECN marks and PFC pauses (`--network packet` only); the depth over time is the trace's and the queue plot's, not the row's. */
  readonly queue?: Omit<LinkQueueStats, 'depthTimeline'>;
}

/** One (algorithm, protocol) candidate of a row, with --explain. */
export interface CandidateRow {
  readonly algorithm: string;
  /** null for algorithms without NCCL protocols. */
  readonly protocol: string | null;
  /** null when it cannot run here (see `unsupported`). */
  readonly predictedUs: number | null;
  /** NCCL's own tuning model's time (tuning.cc, nccl-tuner.ts); null where NCCL does not weigh it or the topology names no GPU. */
  readonly ncclPredictedUs: number | null;
  /** The candidate NCCL's tuner would run (its model's argmin among those weft can run). */
  readonly ncclChoice: boolean;
  /** Simulated time: the chosen one always, the others in ghost mode; null when not run. */
  readonly simulatedUs: number | null;
  /** The candidate the row ran. */
  readonly chosen: boolean;
  readonly unsupported?: string;
  /** Why a candidate that can run was not simulated (over --exact-limit); absent when it was. */
  readonly notSimulated?: string;
}

export interface BenchRow {
  readonly algorithm: string;
  readonly bytes: number;
  readonly count: number;
  readonly dtype: string;
  readonly redop: string;
  readonly root: number;
  /** Simulated time of one iteration on the emulated hardware. */
  readonly timeUs: number;
  readonly algBwGBps: number;
  readonly busBwGBps: number;
  /** Elements that differ from the expected result; null when not checked (ghost mode, -c 0). */
  readonly wrong: number | null;
  /** Alpha-beta prediction for the algorithm, without contention. */
  readonly predictedUs: number;
  /** NCCL protocol the row ran (LL, LL128, Simple); null for textbook algorithms (hardware timing only). */
  readonly protocol: string | null;
  /** Channels the algorithm ran (NCCL nChannels). */
  readonly channels: number;
  /** Pipelining chunk the algorithm ran, bytes (0: unchunked). */
  readonly chunkBytes: number;
  /** How long weft took on this machine for the row (all iterations). */
  readonly wallMs: number;
  readonly events: number;
  /** Ghost runs with rank classes: the ranks simulated, one per class (runtime rank-classes.ts); absent when every rank ran. */
  readonly simulatedRanks?: number;
  /** Ghost runs of 256+ ranks that found no rank classes (every rank ran, so the row took longer): why. */
  readonly noClassesReason?: string;
  /** Most utilized links of this row's run, when --links is given. */
  readonly links?: readonly LinkRow[];
  /** With --explain: every candidate weighed for this size. */
  readonly candidates?: readonly CandidateRow[];
  /** With --energy: the estimated energy of one operation. */
  readonly energy?: EnergyRow;
}

export interface BenchReport {
  readonly collective: string;
  readonly topology: { readonly spec: string; readonly ranks: number };
  readonly model: string;
  readonly routing: string;
  /** Packet model settings (`--network packet` only). */
  readonly packet?: PacketOptions;
  readonly qps: number;
  readonly seed: number;
  readonly mode: 'data' | 'ghost';
  readonly backend: string;
  readonly iters: number;
  readonly warmupIters: number;
  /** As asked: a count, or 'auto' (each row's `channels` says what ran). */
  readonly channels: number | 'auto';
  /** As asked: bytes, or 'auto' (each algorithm's own; each row's `chunkBytes` says what ran). */
  readonly chunkBytes: number | 'auto';
  /** --proto as asked: a protocol, or 'auto' (each row's `protocol` says what ran). */
  readonly proto: string;
  /** --tuner as asked: the rule `auto` picks by ('auto': NCCL's tuning model where the topology names its GPUs, weft's predictions elsewhere). */
  readonly tuner: string;
  /** The rule `auto` picks by on this topology: 'nccl' or 'weft' (--tuner auto resolved: nccl where the topology names its GPUs' computeCapability). */
  readonly tunerRule: string;
  /** Algorithms from `--algo all` that cannot run on this topology, and why. */
  readonly skipped: readonly { readonly algorithm: string; readonly reason: string }[];
  readonly rows: readonly BenchRow[];
  /** Mean busbw over all rows (nccl-tests' "Avg bus bandwidth"). */
  readonly avgBusBwGBps: number;
  readonly avgBusBwGBpsByAlgorithm: Readonly<Record<string, number>>;
  /** With --fault/--straggler/--crash/--scenario: the faults, and what each run did (rows hold the faulted runs that completed). */
  readonly faults?: { readonly scenario: readonly string[]; readonly outcomes: readonly FaultOutcome[] };
  /** With --energy: the figures behind the rows' energy, their sources, and what has no figure. */
  readonly energy?: EnergyReport;
  /** With --confidential: confidential-computing mode was modelled. */
  readonly confidential?: boolean;
  /** With --reference: the user's nccl-tests rows beside weft's of the same size (bench/reference.ts). */
  readonly reference?: ReferenceComparison;
  /** NCCL_* variables set: those applied as NCCL reads them, those ignored and why, those not modelled. */
  readonly environment?: { readonly applied: readonly string[]; readonly ignored: readonly string[]; readonly notModelled: readonly string[] };
}

export function averageBusBw(rows: readonly BenchRow[]): number {
  if (rows.length === 0) return 0;
  return rows.reduce((sum, row) => sum + row.busBwGBps, 0) / rows.length;
}

export function averageBusBwByAlgorithm(rows: readonly BenchRow[]): Record<string, number> {
  const byAlgorithm: Record<string, BenchRow[]> = {};
  for (const row of rows) (byAlgorithm[baseAlgorithm(row.algorithm)] ??= []).push(row);
  return Object.fromEntries(Object.entries(byAlgorithm).map(([name, list]) => [name, averageBusBw(list)]));
}

/** 'auto(ring)' groups under 'auto': the user asked for auto, whatever it picked per size. */
export function baseAlgorithm(name: string): string {
  const paren = name.indexOf('(');
  return paren < 0 ? name : name.slice(0, paren);
}
