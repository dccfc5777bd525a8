/**
 * Everything a host thread holds for data-mode runs: its participants' buffer views over the
 * shared arenas, its staging pool, the tensor backend, and the participant host that speaks
 * to the coordinator. A worker wraps one of these (node/worker.ts); the main thread holds
 * one for in-network agents. Inputs are filled and outputs checked here, in each host's own
 * thread, so data-mode checking runs in parallel (as nccl-tests checks on each GPU).
 */
import { collectiveOf, fillExpectedOutput, inputValue, type CollectiveName, type DType, type Participant, type RankLayout, type ReduceOp, type ScheduleProtocol } from '@weft/collectives';
import type { NumericArray, TensorBackend } from '../../backends/types.js';
import { WasmSimdBackend } from '../../backends/wasm-simd.js';
import { ArenaSet, StagingPool, type BufferPlace, type ParticipantPlace } from '../data/arena.js';
import { ctorOf, DataPlane, dtypeCode } from '../data/data-plane.js';
import { ScheduleExecutor, type ParticipantBuffers } from '../schedule/executor.js';
import { ParticipantHost } from './participant-host.js';
import { startProgram, type RankProgram } from '../program/context.js';
import type { ScheduleRun } from '../cluster/cluster.js';
import type { StepRecord } from '../types.js';

/** What a #wrong check compares against: the collective's postcondition for this shape. */
export interface CheckSpec {
  readonly collective: CollectiveName;
  readonly op: ReduceOp;
  readonly dtype: DType;
  readonly nranks: number;
  readonly root: number;
  readonly count: number;
}

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

/** A value no correct output holds: NaN for floats, INT32_MIN for int32. */
function poison(dtype: DType): number {
  return dtype === 'int32' ? -2147483648 : NaN;
}

export function countsOf(plan: { readonly nranks: number; readonly bufferCounts: HostSchedulePlan['bufferCounts'] }, participant: number) {
  const { input, output, scratch } = plan.bufferCounts;
  return participant < plan.nranks ? { input, output, scratch } : { input: 0, output: 0, scratch };
}

/** True when the collective defines rank `rank`'s output (reduce and gather: the root only). */
function definesOutput(spec: CheckSpec, rank: number): boolean {
  return collectiveOf(spec.collective).outputBlocks(rank, spec).length > 0;
}

export class DataHost {
  readonly host: ParticipantHost;
  arenas: ArenaSet;
  private pool: StagingPool;
  private plane: DataPlane;
  private buffers = new Map<number, ParticipantBuffers>();
  private trace: StepRecord[] = [];
  /**
   * Test-pattern inputs and expected outputs of the last shape, by rank: a sweep runs many
   * algorithms on one shape, and inputValue/expectedOutput per element cost more than the
   * collective itself at 2^20 elements.
   */
  private patternKey = '';
  private readonly patterns = new Map<number, NumericArray>();
  private expectedKey = '';
  private readonly expected = new Map<number, Float64Array>();

  constructor(
    readonly participants: readonly number[],
    readonly backend: TensorBackend,
    memories: readonly WebAssembly.Memory[],
  ) {
    this.host = new ParticipantHost(participants);
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
    this.pool.reset(plan.staging);
    this.trace = [];
    this.buffers.clear();
    const trace = plan.trace ? this.trace : null;
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
        buffers.input.set(this.pattern(plan, participant) as never);
        buffers.output.fill(poison(plan.dtype));
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
      };
      return () => new ScheduleExecutor(this.host, spec, { plane: this.plane, buffers }, () => this.host.finish(participant)).start();
    });
    this.host.setStarters(starters);
  }

  private pattern(plan: HostSchedulePlan, rank: number): NumericArray {
    const key = `${plan.op}/${plan.dtype}/${plan.nranks}/${plan.bufferCounts.input}`;
    if (key !== this.patternKey) {
      this.patternKey = key;
      this.patterns.clear();
    }
    let pattern = this.patterns.get(rank);
    if (!pattern) {
      const Ctor = ctorOf(dtypeCode(plan.dtype)) as unknown as new (length: number) => NumericArray;
      pattern = new Ctor(plan.bufferCounts.input);
      for (let k = 0; k < pattern.length; k++) pattern[k] = inputValue(plan.op, plan.dtype, rank, k, plan.nranks);
      this.patterns.set(rank, pattern);
    }
    return pattern;
  }

  /** Expected output of `rank` (NaN: don't care), computed here for rank-specific collectives. */
  private expectedOf(spec: CheckSpec, rank: number, length: number): Float64Array {
    const key = `${spec.collective}/${spec.op}/${spec.dtype}/${spec.nranks}/${spec.root}/${spec.count}`;
    if (key !== this.expectedKey) {
      this.expectedKey = key;
      this.expected.clear();
    }
    let values = this.expected.get(rank);
    if (!values) {
      values = new Float64Array(length);
      fillExpectedOutput(spec.collective, spec.op, spec.dtype, rank, spec, values);
      this.expected.set(rank, values);
    }
    return values;
  }

  prepareProgram(program: RankProgram, args: unknown, nranks: number, layout: RankLayout, staging: BufferPlace): void {
    this.arenas.refresh();
    this.pool.reset(staging);
    const env = { host: this.host, nranks, layout, backend: this.backend, plane: this.plane };
    this.host.setStarters(this.participants.map((rank) => () => startProgram(env, rank, program, args)));
  }

  /**
   * #wrong over this host's ranks (nccl-tests style: every element of every output).
   * `shared` holds the expected output when it is the same on every rank that has one
   * (`outputsAgree`), filled in parallel by all hosts (`fillShared`).
   */
  check(spec: CheckSpec, shared?: SharedArrayBuffer): number {
    let wrong = 0;
    const sharedValues = shared ? new Float64Array(shared) : undefined;
    for (const [participant, buffers] of this.buffers) {
      if (participant >= spec.nranks) continue;
      if (!definesOutput(spec, participant)) continue;
      const out = buffers.output;
      const expected = sharedValues ?? this.expectedOf(spec, participant, out.length);
      for (let i = 0; i < out.length; i++) {
        const e = expected[i]!;
        // NaN marks "undefined by the collective"; a correct output is never NaN (inputs are
        // finite), so the NaN poison always counts as wrong.
        if (e !== e) continue;
        if (out[i] !== e) wrong += 1;
      }
    }
    return wrong;
  }

  /** Fills elements [from, to) of a shared expected output (see `check`): any rank's that has one. */
  fillShared(spec: CheckSpec, shared: SharedArrayBuffer, from: number, to: number): void {
    let rank = 0;
    while (rank < spec.nranks - 1 && !definesOutput(spec, rank)) rank += 1;
    fillExpectedOutput(spec.collective, spec.op, spec.dtype, rank, spec, new Float64Array(shared), from, to);
  }

  takeTrace(): StepRecord[] {
    const trace = this.trace;
    this.trace = [];
    return trace;
  }

  stats(): { stagingOverflowMessages: number; stagingBlocksInUse: number } {
    return { stagingOverflowMessages: this.pool.overflowMessages, stagingBlocksInUse: this.pool.blocksInUse() };
  }
}
