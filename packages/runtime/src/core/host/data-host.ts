/**
 * Everything a host thread holds for data-mode runs: its participants' buffer views over the
 * shared arenas, its staging pool, the tensor backend, and the participant host that speaks
 * to the coordinator. A worker wraps one of these (node/worker.ts); the main thread holds
 * one for in-network agents. Inputs are filled and outputs checked here, in each host's own
 * thread, so data-mode checking runs in parallel (as nccl-tests checks on each GPU).
 */
import { dtypeInfo, type DType, type Element, type Participant, type RankLayout, type ScheduleProtocol } from '@weft/collectives';
import type { NumericArray, TensorBackend } from '../../backends/types.js';
import { WasmSimdBackend } from '../../backends/wasm-simd.js';
import { ArenaSet, StagingPool, type BufferPlace, type ParticipantPlace } from '../data/arena.js';
import { ctorOf, DataPlane, dtypeCode } from '../data/data-plane.js';
import { countWrong, fillInput, type BytesEqual, type CheckSpec } from '../data/test-pattern.js';
import { ScheduleExecutor, type ParticipantBuffers } from '../schedule/executor.js';
import { ParticipantHost } from './participant-host.js';
import { FreeRunHost, type FreeRunOutcome } from './free-run-host.js';
import type { FreeRunPlan } from './free-run-plan.js';
import { prepareProgramHost, type RankProgram } from '../program/context.js';
import type { ScheduleRun } from '../cluster/cluster.js';
import type { StepRecord } from '../types.js';

export type { CheckSpec };

/** One host's part of a schedule run (sent to each worker). */
export interface HostSchedulePlan extends CheckSpec, Pick<ScheduleRun, 'iters' | 'warmupIters' | 'trace' | 'localBytesPerSec'> {
  /** This host's participants' parts of the schedule, in `places` order. */
  readonly parts: readonly Participant[];
  readonly places: readonly ParticipantPlace[];
  readonly staging: BufferPlace;
  /** Element counts of each rank's buffers (agents: scratch only). */
  readonly bufferCounts: { readonly input: number; readonly output: number; readonly scratch: number };
  /** `pattern`: inputs from inputValue, outputs poisoned; `none`: leave the buffers as they are. */
  readonly fill: 'pattern' | 'none';
  /** The schedule's NCCL protocol (Schedule.protocol), when it has one. */
  readonly protocol?: ScheduleProtocol;
  /** Present: move the bytes in a free run (free-run-host.ts), not round by round with the coordinator. */
  readonly freeRun?: FreeRunPlan;
}

/** What every host's part of `run` shares (HostSchedulePlan without its participants and places). */
export function schedulePlanBase(run: ScheduleRun): Omit<HostSchedulePlan, 'parts' | 'places' | 'staging'> {
  const { schedule } = run;
  return {
    collective: schedule.collective,
    root: schedule.root,
    count: schedule.count,
    nranks: run.nranks,
    dtype: run.dtype,
    op: run.op,
    iters: run.iters,
    warmupIters: run.warmupIters,
    trace: run.trace,
    bufferCounts: schedule.bufferCounts,
    fill: run.inputs ? 'none' : 'pattern',
    localBytesPerSec: run.localBytesPerSec,
    ...(schedule.protocol ? { protocol: schedule.protocol } : {}),
  };
}

/**
 * Fills an output with a value no correct output should hold: NaN for floats (half and
 * bfloat16: their quiet-NaN bits), the most negative value for signed integers, the largest
 * for unsigned ones.
 */
function fillPoison(dtype: DType, output: NumericArray): void {
  (output as { fill(value: Element): unknown }).fill(dtypeInfo(dtype).poison);
}

export function countsOf(plan: { readonly nranks: number; readonly bufferCounts: HostSchedulePlan['bufferCounts'] }, participant: number) {
  const { input, output, scratch } = plan.bufferCounts;
  return participant < plan.nranks ? { input, output, scratch } : { input: 0, output: 0, scratch };
}

export class DataHost {
  /** What speaks to the coordinator: this host's ranks, plus a program run's agents where it holds rank 0. */
  host: ParticipantHost;
  private readonly ranksHost: ParticipantHost;
  arenas: ArenaSet;
  private pool: StagingPool;
  private plane: DataPlane;
  private buffers = new Map<number, ParticipantBuffers>();
  private trace: StepRecord[] = [];
  /** The prepared free run, if the last schedule was prepared for one. */
  private free: FreeRunHost | undefined;

  constructor(
    readonly participants: readonly number[],
    readonly backend: TensorBackend,
    memories: readonly WebAssembly.Memory[],
    /** Byte comparison at memcmp speed for the #wrong check, where the platform has one. */
    private readonly bytesEqual?: BytesEqual,
    /** Where the hosts keep how many coroutines of each rank run (ParticipantHost; a worker's is shared with its WorkerLink). */
    private readonly runningOf?: Int32Array,
  ) {
    this.ranksHost = new ParticipantHost(participants, runningOf);
    this.host = this.ranksHost;
    this.arenas = new ArenaSet(memories);
    this.pool = new StagingPool(this.arenas);
    this.plane = new DataPlane(this.arenas, this.pool, backend);
  }

  /** Adopts the cluster's arenas (new ones appended, old ones possibly grown). */
  setArenas(memories: readonly WebAssembly.Memory[]): void {
    this.arenas = new ArenaSet(memories);
    this.pool = new StagingPool(this.arenas);
    this.plane = new DataPlane(this.arenas, this.pool, this.backend);
    if (this.backend instanceof WasmSimdBackend) for (const memory of memories) this.backend.attach(memory);
  }

  viewOf(place: BufferPlace, dtype: DType, count: number): NumericArray {
    return this.arenas.view(place, ctorOf(dtypeCode(dtype)), count);
  }

  prepareSchedule(plan: HostSchedulePlan): void {
    this.arenas.refresh();
    this.plane.reset(plan.staging);
    this.trace = [];
    this.buffers.clear();
    this.host = this.ranksHost;
    const trace = plan.trace ? this.trace : null;
    const free = plan.freeRun ? new FreeRunHost(this.participants, plan.freeRun, dtypeCode(plan.dtype)) : undefined;
    this.free = free;
    const poster = free ?? this.host;
    const starters = plan.places.map((place, i) => {
      const participant = place.participant;
      const counts = countsOf(plan, participant);
      const buffers: ParticipantBuffers = {
        input: this.viewOf(place.input, plan.dtype, counts.input),
        output: this.viewOf(place.output, plan.dtype, counts.output),
        scratch: this.viewOf(place.scratch, plan.dtype, counts.scratch),
      };
      this.buffers.set(participant, buffers);
      if (plan.fill === 'pattern' && participant < plan.nranks) {
        fillInput(plan, participant, buffers.input);
        fillPoison(plan.dtype, buffers.output);
      }
      const spec = {
        participant,
        nranks: plan.nranks,
        part: plan.parts[i]!,
        collective: plan.collective,
        root: plan.root,
        dtype: plan.dtype,
        op: plan.op,
        iters: plan.iters,
        warmupIters: plan.warmupIters,
        channelBase: 0,
        trace,
        localBytesPerSec: plan.localBytesPerSec,
        ...(plan.protocol ? { protocol: plan.protocol } : {}),
        ...(free ? { barrierEachIteration: true } : {}),
      };
      return () => new ScheduleExecutor(poster, spec, { plane: this.plane, buffers }, () => (free ?? this.host).finish(participant)).start();
    });
    if (free) free.setStarters(starters);
    else this.host.setStarters(starters);
  }

  /** Moves the prepared schedule's bytes in a free run (blocks this thread until done, failed or aborted). */
  freeRun(): FreeRunOutcome {
    const free = this.free;
    if (!free) throw new Error('freeRun: the last schedule was not prepared for a free run');
    this.free = undefined;
    return free.run();
  }

  /** `agents`: the run's in-network agents, for the host of rank 0 (empty elsewhere); `agentCount`: how many the run has. */
  prepareProgram(program: RankProgram, args: unknown, nranks: number, layout: RankLayout, staging: BufferPlace, agentCount: number, agents: readonly number[]): void {
    this.arenas.refresh();
    this.plane.reset(staging);
    this.free = undefined;
    this.host = agents.length === 0 ? this.ranksHost : new ParticipantHost([...this.participants, ...agents], this.runningOf);
    prepareProgramHost(this.host, { nranks, layout, backend: this.backend, plane: this.plane, agentCount }, this.participants, agents, program, args);
  }

  /** #wrong over this host's ranks (nccl-tests style: every element of every output), from the test pattern. */
  check(spec: CheckSpec): number {
    let wrong = 0;
    for (const [participant, buffers] of this.buffers) {
      if (participant < spec.nranks) wrong += countWrong(spec, participant, buffers.output, this.bytesEqual);
    }
    return wrong;
  }

  takeTrace(): StepRecord[] {
    const trace = this.trace;
    this.trace = [];
    return trace;
  }

  stats(): { stagingOverflowMessages: number; stagingBlocksInUse: number; movedBytes: number } {
    return { stagingOverflowMessages: this.pool.overflowMessages, stagingBlocksInUse: this.pool.blocksInUse(), movedBytes: this.plane.movedBytes };
  }
}
