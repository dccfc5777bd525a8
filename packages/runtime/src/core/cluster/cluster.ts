/**
 * A cluster: one run pipeline for every mode. A run validates its inputs, has the hosts
 * prepare their participants, drives them with the coordinator over a fresh network and
 * engine, counts #wrong, and builds its result record in one place (`runRecord`). Where the
 * participants run is the hosts strategy (`Hosts`): in-process (ghost mode; the browser
 * lab) or worker threads over shared arenas (data mode, node/thread-hosts.ts).
 */
import type { DType, RankLayout, ReduceOp, Schedule } from '@weft/collectives';
import { deviceMemoryBandwidth, type Network, type Topology } from '@weft/fabric';
import { WeftInputError } from '@weft/sim';
import { backendFor, NATIVE_DTYPES, type BackendName, type NumericArray } from '../../backends/types.js';
import type { CoordinatorOutcome, CoordinatorWatch } from '../coordinator/coordinator.js';
import type { RecurrenceWatch } from '../schedule/recurrence.js';
import type { CheckSpec } from '../host/data-host.js';
import { coordinate, defaultNetworkFactory, layoutOf, participantNodes, programAgentCount, routerOf } from '../coordinator/simulation.js';
import { findRankClasses, type NoClasses, type RankClasses } from '../schedule/rank-classes.js';
import { checkDtype, checkOp } from '../inputs.js';
import { isApproximateCut } from '../schedule/fast-forward.js';
import type { HostLink } from '../protocol.js';
import type { ClusterMode, ClusterOptions, Fault, NetworkFactory, ProgramResult, RankBuffers, RunProgramOptions, RunResult, RunScheduleOptions, RunStats, StepRecord } from '../types.js';

/** A schedule run as the hosts see it: options resolved and checked. */
export interface ScheduleRun {
  readonly schedule: Schedule;
  readonly nranks: number;
  readonly dtype: DType;
  readonly op: ReduceOp;
  readonly iters: number;
  readonly warmupIters: number;
  readonly trace: boolean;
  readonly check: boolean;
  readonly inputs: readonly NumericArray[] | undefined;
  /** Device memory bandwidth (bytes/s): what a participant with only local steps (1 rank) is charged. */
  readonly localBytesPerSec: number;
  /** The steady-state recurrence check, if any (in-process hosts show it their executors). */
  readonly watch?: RecurrenceWatch;
  /** Rank classes: the hosts start only their representatives (in-process hosts only). */
  readonly classes?: RankClasses;
  /** A fast-forward cut (schedule/fast-forward.ts isApproximateCut): a message may be received into a slice of another size. */
  readonly approximate?: boolean;
}

/** Where a cluster's participants run, and what they hold between runs. */
export interface Hosts {
  readonly mode: ClusterMode;
  /** The reduction backend runs use (`result.backend`). */
  readonly backend: string;
  /** A failed run leaves these hosts unusable (threads stopped mid-round): the cluster closes itself. */
  readonly closeOnFailure: boolean;
  /** Places and prepares every participant of `run`; the hosts the coordinator then drives. */
  prepareSchedule(run: ScheduleRun): readonly HostLink[] | Promise<readonly HostLink[]>;
  /**
   * Prepares `exportName` of `moduleUrl` as every rank's program, and `agentCount` in-network
   * agents (participants nranks … nranks + agentCount - 1) on rank 0's host (ProgramAgents).
   */
  prepareProgram(moduleUrl: string | URL, exportName: string, args: unknown, nranks: number, layout: RankLayout, agentCount: number): readonly HostLink[] | Promise<readonly HostLink[]>;
  /**
   * Joins what a schedule run does beside the coordinator (data mode's free run: the workers
   * moving the bytes while the model decides virtual time); throws the first rank's error.
   */
  settle?(): Promise<void>;
  /** #wrong over every rank's output of the last schedule run. */
  countWrong(spec: CheckSpec): Promise<number>;
  /** The last run's step records (any order), and its staging overflows. */
  collect(trace: boolean): Promise<{ readonly steps: StepRecord[]; readonly stagingOverflows: number }>;
  buffers(rank: number): RankBuffers;
  close(): Promise<void>;
}

/**
 * Runs of fewer ranks are simulated whole: they take well under a second anyway, and a class
 * run equals the whole run only to float rounding where the order of equal-time events sums
 * differently (1e-15 relative on switch:16, speed.md §41).
 */
const MIN_CLASS_RANKS = 256;

export function checkIters(iters: number | undefined, warmupIters: number | undefined): { iters: number; warmupIters: number } {
  const i = iters ?? 1;
  const w = warmupIters ?? 0;
  if (!(Number.isInteger(i) && i >= 1)) throw new WeftInputError(`iters must be an integer >= 1, got ${iters}`);
  if (!(Number.isInteger(w) && w >= 0)) throw new WeftInputError(`warmupIters must be an integer >= 0, got ${warmupIters}`);
  return { iters: i, warmupIters: w };
}

function validateSchedule(schedule: Schedule, nranks: number): void {
  if (schedule.nranks !== nranks) {
    throw new WeftInputError(`the schedule is for ${schedule.nranks} ranks but the cluster's topology has ${nranks}`);
  }
  if (schedule.participants.length < nranks) {
    throw new WeftInputError(`the schedule has ${schedule.participants.length} participants, fewer than its ${nranks} ranks`);
  }
}

/**
 * Steps in (participant, channel, start) order. The sort is stable and every host records
 * a channel's steps in execution order, so the result is the same in every mode.
 */
export function sortSteps<T extends { participant: number; channel: number; startNs: number }>(steps: T[]): T[] {
  return steps.sort((a, b) => a.participant - b.participant || a.channel - b.channel || a.startNs - b.startNs);
}

/** Wall-clock marks of one run (ms, performance.now()). */
interface Marks {
  readonly start: number;
  readonly simulate: number;
  readonly check: number;
  readonly checkEnd: number;
}

/** The figures every run reports, whatever it ran: the one place a result record is built. */
function runRecord(outcome: CoordinatorOutcome, network: Network, iters: number, marks: Marks, backend: string, stagingOverflows: number, classes?: RankClasses): RunStats {
  // Over the run (it started at 0: warm-up included), not up to a fault scheduled after its end.
  const linkStats = network.linkStats(outcome.endNs);
  return {
    timeNs: (outcome.endNs - outcome.startNs) / iters,
    wallMs: performance.now() - marks.start,
    phasesMs: { prepareMs: marks.simulate - marks.start, simulateMs: marks.check - marks.simulate, checkMs: marks.checkEnd - marks.check },
    backend,
    linkStats: classes === undefined ? linkStats : classes.expandLinkStats(linkStats),
    flows: network.flows(),
    events: outcome.events,
    rounds: outcome.rounds,
    stagingOverflows,
    ...(classes !== undefined ? { simulatedRanks: classes.reps.length } : {}),
  };
}

export class Cluster {
  readonly mode: ClusterMode;
  readonly nranks: number;
  readonly topology: Topology;
  /** The reduction backend runs use (what `result.backend` will say). */
  readonly backend: string;
  private readonly factory: NetworkFactory;
  private closed: Error | null = null;
  /** findRankClasses per schedule (a schedule is not changed once planned): a budget's look and the run share one search. */
  private readonly classesBySchedule = new WeakMap<Schedule, RankClasses | NoClasses>();

  constructor(
    private readonly options: ClusterOptions,
    private readonly hosts: Hosts,
  ) {
    this.topology = options.topology;
    this.nranks = options.topology.ranks.length;
    this.mode = hosts.mode;
    this.backend = hosts.backend;
    this.factory = options.networkFactory ?? defaultNetworkFactory();
  }

  runSchedule(schedule: Schedule, options: RunScheduleOptions): Promise<RunResult> {
    return this.guarded(async () => {
      const start = performance.now();
      validateSchedule(schedule, this.nranks);
      const dtype = checkDtype(options.dtype);
      const op = checkOp(options.op);
      const { iters, warmupIters } = checkIters(options.iters, options.warmupIters);
      const hasData = this.mode === 'data';
      const check = options.check ?? (hasData && options.inputs === undefined);
      if (check && !hasData) throw new WeftInputError('check needs data: ghost mode moves no payload; use mode: data to count #wrong');
      if (check && options.inputs) throw new WeftInputError('check compares against the test pattern; it cannot check caller-provided inputs');
      const trace = options.trace === true;
      const localBytesPerSec = deviceMemoryBandwidth(this.topology);
      const found = this.classesFor(schedule, options, trace);
      const classes = found !== undefined && !('reason' in found) ? found : undefined;
      // With classes the representatives' run is the whole run: no steady state is looked for.
      const watch = classes === undefined ? options.watch : undefined;
      const run: ScheduleRun = { schedule, nranks: this.nranks, dtype, op, iters, warmupIters, trace, check, inputs: options.inputs, localBytesPerSec, ...(watch ? { watch } : {}), ...(classes ? { classes } : {}), ...(isApproximateCut(schedule) ? { approximate: true } : {}) };
      const links = await this.hosts.prepareSchedule(run);
      const simulate = performance.now();
      const { outcome, network } = await this.simulate(schedule.participants.length, links, options.faults, watch, options.onSimulatedTime, classes);
      await this.hosts.settle?.();
      const checkStart = performance.now();
      const { collective, root, count } = schedule;
      const wrong = check ? await this.hosts.countWrong({ collective, op, dtype, nranks: this.nranks, root, count }) : -1;
      const checkEnd = performance.now();
      const { steps, stagingOverflows } = await this.hosts.collect(trace);
      // A type the backend's own kernels do not take ran the typed loops: the result says so.
      const backend = this.backend in NATIVE_DTYPES ? backendFor(this.backend as BackendName, dtype) : this.backend;
      const stats = runRecord(outcome, network, iters, { start, simulate, check: checkStart, checkEnd }, backend, stagingOverflows, classes);
      return { ...stats, ...(found !== undefined && 'reason' in found ? { noClassesReason: found.reason } : {}), wrong, steps: sortSteps(steps) };
    });
  }

  /** Runs `exportName` of the module at `moduleUrl` as every rank's program. */
  runProgram<T = unknown>(moduleUrl: string | URL, exportName: string, args?: unknown, options?: RunProgramOptions): Promise<ProgramResult<T>> {
    return this.guarded(async () => {
      const start = performance.now();
      const agentCount = programAgentCount(this.topology);
      const links = await this.hosts.prepareProgram(moduleUrl, exportName, args, this.nranks, layoutOf(this.topology), agentCount);
      const simulate = performance.now();
      const { outcome, network } = await this.simulate(this.nranks + agentCount, links, options?.faults);
      const end = performance.now();
      const { stagingOverflows } = await this.hosts.collect(false);
      const stats = runRecord(outcome, network, 1, { start, simulate, check: end, checkEnd: end }, this.backend, stagingOverflows);
      return { ...stats, results: outcome.values.slice(0, this.nranks) as T[] };
    });
  }

  /** Data mode: rank `rank`'s buffers from the last runSchedule (shared memory, no copy). */
  buffers(rank: number): RankBuffers {
    return this.hosts.buffers(rank);
  }

  /** Ends every worker; the cluster cannot run afterwards. Safe to call twice. */
  async close(): Promise<void> {
    this.closed ??= new Error('this cluster is closed');
    await this.hosts.close();
  }

  /** One simulation: fresh engine and network at virtual time 0, the coordinator loop over `links`. */
  private simulate(nparticipants: number, links: readonly HostLink[], faults: readonly Fault[] | undefined, watch?: CoordinatorWatch, onSimulatedTime?: (nowNs: number) => void, classes?: RankClasses) {
    return coordinate(this.factory, this.topology, this.options.network, participantNodes(this.topology, nparticipants), links, faults, this.options.roundTimeoutMs, watch, onSimulatedTime, classes);
  }

  /**
   * The run's rank classes, or why it has none, when it may have them: ghost mode on the default
   * network, without faults or a trace (which read every rank), and when they cut the ranks
   * simulated enough. Undefined: not looked for.
   */
  private classesFor(schedule: Schedule, options: RunScheduleOptions, trace: boolean): RankClasses | NoClasses | undefined {
    if (this.mode !== 'ghost' || options.rankClasses === false || schedule.nranks < MIN_CLASS_RANKS) return undefined;
    if (trace) return { reason: 'a trace records every rank' };
    if ((options.faults?.length ?? 0) > 0) return { reason: 'faults break the symmetry' };
    if (this.options.networkFactory !== undefined) return { reason: 'a custom network model' };
    let found = this.classesBySchedule.get(schedule);
    if (found === undefined) {
      found = findRankClasses({ schedule, topology: this.topology, groups: layoutOf(this.topology).groups, network: this.options.network, router: routerOf(this.topology) });
      this.classesBySchedule.set(schedule, found);
    }
    return found;
  }

  /**
   * The participants a ghost run of `schedule` (no faults, no trace) simulates: its rank classes'
   * representatives, or undefined when it simulates every participant. A budget of simulated
   * transfers (bench --explain, train --scale: --exact-limit) counts these: at 4,096 GPUs a run
   * that simulates 32 ranks was priced as 4,096 and left to its prediction.
   */
  simulatedParticipants(schedule: Schedule): readonly number[] | undefined {
    const found = this.classesFor(schedule, { dtype: 'float32', op: 'sum' }, false);
    return found !== undefined && !('reason' in found) ? found.reps : undefined;
  }

  /** Runs `body`; when it fails and the hosts cannot recover, closes the cluster first. */
  private async guarded<T>(body: () => Promise<T>): Promise<T> {
    if (this.closed) throw this.closed;
    try {
      return await body();
    } catch (error) {
      if (this.hosts.closeOnFailure) {
        this.closed = new Error(`this cluster was closed after an error: ${(error as Error).message}`);
        await this.hosts.close();
      }
      throw error;
    }
  }
}
