/**
 * Rank programs: `(ctx, args) => Promise<T>` run as a rank, with point-to-point operations,
 * virtual compute time, the collectives (planned with @weft/collectives and run by the same
 * executor as schedules) and coroutines. Every ctx operation that waits on the coordinator
 * marks its coroutine blocked (see host.ts for why the count must be exact), so a coroutine
 * awaits one operation at a time; concurrency comes from `ctx.spawn`, and a coroutine waits
 * for another with `ctx.join` (awaiting a Task directly is an error, because the host could
 * not tell that the awaiting coroutine is blocked).
 */
import { collectiveOf, elementBytes, type CollectiveName, type DType, type PlanParams, type RankLayout, type ReduceOp, type Schedule } from '@weft/collectives';
import { WeftInputError } from '@weft/sim';
import type { NumericArray, TensorBackend } from '../../backends/types.js';
import { COLLECTIVE_CHANNEL_BASE } from '../channel-names.js';
import { ctorOf, dtypeCode, type DataPlane } from '../data/data-plane.js';
import { ScheduleExecutor, type Continuation, type ExecuteData } from '../schedule/executor.js';
import { ghostBuffer, ghostByteLength, isGhostBuffer, type CollectiveData, type GhostBuffer } from './ghost-buffer.js';
import { planCollectiveCached } from '../schedule/plan-cache.js';
import { checkDtype, checkOp } from '../inputs.js';
import type { ParticipantHost } from '../host/participant-host.js';
import { NO_DATA, type PayloadRef } from '../protocol.js';

export { COLLECTIVE_CHANNEL_BASE } from '../channel-names.js';

export interface CollectiveCallOptions {
  /** Algorithm name from the registry (default: the collective's `defaultAlgorithm`). */
  readonly algorithm?: string;
  readonly op?: ReduceOp;
  readonly root?: number;
  readonly channels?: number;
  /** Pipelining chunk in elements (0: none). */
  readonly chunkElements?: number;
  /** NCCL protocol, for algorithms that declare protocols (absent: Simple). */
  readonly protocol?: PlanParams['protocol'];
  /** The protocol's bandwidth cap as a wire stretch, as `resolveDefaults` / `chooseAlgorithm` resolve it (absent: 1). */
  readonly protocolCapStretch?: number;
  /** NCCL's NVLS channels for the GPU generation, as `resolveDefaults` resolves them (absent: 16). */
  readonly nvlsChannels?: number;
}

export interface PointToPointOptions {
  readonly channel?: number;
}

export interface RankContext {
  readonly rank: number;
  readonly nranks: number;
  /** Virtual time now (ns). */
  readonly nowNs: number;
  readonly mode: 'data' | 'ghost';
  readonly backend: TensorBackend;
  /** Eager send of a snapshot of `data` (ghost mode: or a GhostBuffer); resolves when its last byte has left. */
  send(peer: number, data: CollectiveData, options?: PointToPointOptions): Promise<void>;
  /** The next message from `peer` on the channel (ghost mode: zeros of the sent length). */
  recv(peer: number, options?: PointToPointOptions): Promise<NumericArray>;
  /** Spends `durationNs` of virtual time. */
  compute(durationNs: number): Promise<void>;
  /**
   * The collectives. Ghost mode also takes a length-only `GhostBuffer` (see `ghostBuffer`)
   * and then returns one of the output's length, allocating no payload; a typed array in
   * ghost mode comes back as zeros of the output's length.
   */
  allReduce(data: NumericArray, options?: CollectiveCallOptions): Promise<NumericArray>;
  allReduce(data: GhostBuffer, options?: CollectiveCallOptions): Promise<GhostBuffer>;
  reduceScatter(data: NumericArray, options?: CollectiveCallOptions): Promise<NumericArray>;
  reduceScatter(data: GhostBuffer, options?: CollectiveCallOptions): Promise<GhostBuffer>;
  allGather(data: NumericArray, options?: CollectiveCallOptions): Promise<NumericArray>;
  allGather(data: GhostBuffer, options?: CollectiveCallOptions): Promise<GhostBuffer>;
  broadcast(data: NumericArray, options?: CollectiveCallOptions): Promise<NumericArray>;
  broadcast(data: GhostBuffer, options?: CollectiveCallOptions): Promise<GhostBuffer>;
  reduce(data: NumericArray, options?: CollectiveCallOptions): Promise<NumericArray>;
  reduce(data: GhostBuffer, options?: CollectiveCallOptions): Promise<GhostBuffer>;
  allToAll(data: NumericArray, options?: CollectiveCallOptions): Promise<NumericArray>;
  allToAll(data: GhostBuffer, options?: CollectiveCallOptions): Promise<GhostBuffer>;
  /** Rooted (options.root, default 0): the root's output is every rank's input, in rank order. */
  gather(data: NumericArray, options?: CollectiveCallOptions): Promise<NumericArray>;
  gather(data: GhostBuffer, options?: CollectiveCallOptions): Promise<GhostBuffer>;
  /** Rooted (options.root, default 0): rank r's output is block r of the root's input. */
  scatter(data: NumericArray, options?: CollectiveCallOptions): Promise<NumericArray>;
  scatter(data: GhostBuffer, options?: CollectiveCallOptions): Promise<GhostBuffer>;
  barrier(options?: CollectiveCallOptions): Promise<void>;
  /** Starts `fn` as a concurrent coroutine of this rank. */
  spawn<T>(fn: (ctx: RankContext) => Promise<T>): Task<T>;
  /** Waits for a spawned coroutine and returns its value (rethrows its error). */
  join<T>(task: Task<T>): Promise<T>;
  joinAll<T>(tasks: readonly Task<T>[]): Promise<T[]>;
}

export type RankProgram<T = unknown, A = unknown> = (ctx: RankContext, args: A) => Promise<T>;

/** A spawned coroutine. Not a promise: wait for it with ctx.join. */
export class Task<T> {
  settled = false;
  value: T | undefined;
  error: unknown;
  failed = false;
  readonly waiters: (() => void)[] = [];

  then(): never {
    throw new Error('a Task is awaited with `await ctx.join(task)` (or ctx.joinAll), so the runtime knows this coroutine is waiting');
  }
}

export interface ProgramEnv {
  readonly host: ParticipantHost;
  readonly nranks: number;
  readonly layout: RankLayout;
  readonly backend: TensorBackend;
  /** Null in ghost mode. */
  readonly plane: DataPlane | null;
  /** How many in-network agents the run has (participants after the ranks; 0 without a reduction switch). */
  readonly agentCount: number;
  /** Those agents, on rank 0's host only. */
  readonly agents?: ProgramAgents;
}

/** One collective call as its executors run it: what a rank and the agents it drives share. */
interface CollectiveCall {
  readonly collective: CollectiveName;
  readonly schedule: Schedule;
  readonly root: number;
  readonly dtype: DType;
  readonly op: ReduceOp;
}

/**
 * The in-network agents (reduction switches: NVLS, NVLSTree, innetwork) of a program run:
 * participants nranks … nranks + count - 1, run on rank 0's host. A program run declares as
 * many as the topology has reduction groups (Cluster.runProgram), whether or not a collective
 * uses them. Rank 0 starts a collective's agent executors when it calls the collective. An
 * agent only receives, reduces and sends, so starting it before the other ranks arrive costs
 * no virtual time; every rank calls collectives in the same order (as NCCL requires), so FIFO
 * matching per channel keeps consecutive calls apart, for agents as for ranks. The agents
 * finish when rank 0's program has ended and their last executor has.
 */
export class ProgramAgents {
  private running = 0;
  private rankZeroDone = false;

  constructor(
    private readonly host: ParticipantHost,
    /** Participant indices of the agents (nranks, nranks + 1, …). */
    readonly participants: readonly number[],
  ) {}

  /** Starts every agent executor of `call` (its participants after the ranks). */
  start(call: CollectiveCall, nranks: number, plane: DataPlane | null): void {
    const { schedule } = call;
    for (let participant = nranks; participant < schedule.participants.length; participant++) {
      const buffers = plane === null ? null : { plane, buffers: agentBuffers(call.dtype, schedule.bufferCounts.scratch) };
      this.running += 1;
      runExecutor(this.host, call, participant, nranks, buffers, () => {
        this.running -= 1;
        this.finishIfDone();
      });
    }
  }

  /** Rank 0's program ended (returned or threw). */
  rankZeroEnded(): void {
    this.rankZeroDone = true;
    this.finishIfDone();
  }

  private finishIfDone(): void {
    if (this.rankZeroDone && this.running === 0) for (const p of this.participants) this.host.finish(p);
  }
}

/** Why a program cannot run a plan with `needed` agents on a run that has `available`. */
export function agentsLacking(needed: number, available: number): string {
  return available === 0
    ? 'needs an in-network agent (a reduction switch), and this topology has no reduction-capable switch'
    : `needs ${needed} in-network agents, and this topology's reduction switches give ${available}`;
}

/** An agent holds only scratch (Schedule.bufferCounts: agents have no input or output). */
function agentBuffers(dtype: DType, scratch: number): { input: NumericArray; output: NumericArray; scratch: NumericArray } {
  const Ctor = ctorOf(dtypeCode(dtype));
  const empty = new Ctor(new ArrayBuffer(0), 0, 0);
  return { input: empty, output: empty, scratch: new Ctor(new ArrayBuffer(scratch * Ctor.BYTES_PER_ELEMENT), 0, scratch) };
}

/** Runs `participant`'s part of `call` once, on the collective channels, then `done`. */
function runExecutor(host: ParticipantHost, call: CollectiveCall, participant: number, nranks: number, data: ExecuteData | null, done: () => void): void {
  const { collective, schedule, root, dtype, op } = call;
  const spec = {
    participant,
    nranks,
    part: schedule.participants[participant]!,
    collective,
    root,
    dtype,
    op,
    iters: 1,
    warmupIters: 0,
    channelBase: COLLECTIVE_CHANNEL_BASE,
    trace: null,
    ...(schedule.protocol ? { protocol: schedule.protocol } : {}),
  };
  new ScheduleExecutor(host, spec, data, done).start();
}

function dtypeOf(data: CollectiveData): DType {
  // A ghost buffer is plain data a program may build itself: its dtype is checked here.
  if (isGhostBuffer(data)) return checkDtype(data.dtype, 'ghost buffer ');
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof BigUint64Array) return 'uint64';
  // A Uint16Array could be half or bfloat16: a program names the type with a ghost buffer's dtype or runSchedule.
  throw new WeftInputError('collective data must be a Float32Array, Float64Array, Int32Array, Int8Array, Uint8Array, Uint32Array, BigInt64Array or BigUint64Array');
}

/** Per-rank state shared by the rank's coroutines. */
class RankState {
  alive = 0;
  mainDone = false;
  mainValue: unknown;
  constructor(
    readonly env: ProgramEnv,
    readonly rank: number,
  ) {}

  coroutineEnded(): void {
    this.alive -= 1;
    if (this.alive === 0 && this.mainDone) {
      this.env.host.finish(this.rank, this.mainValue);
      // The agents' host runs rank 0 and may run other ranks: only rank 0's end counts.
      if (this.rank === 0) this.env.agents?.rankZeroEnded();
    }
    this.env.host.suspend(this.rank);
  }
}

class Coroutine implements RankContext {
  private blocked = false;

  constructor(private readonly state: RankState) {}

  get rank(): number {
    return this.state.rank;
  }
  get nranks(): number {
    return this.state.env.nranks;
  }
  get nowNs(): number {
    return this.state.env.host.nowNs;
  }
  get mode(): 'data' | 'ghost' {
    return this.state.env.plane ? 'data' : 'ghost';
  }
  get backend(): TensorBackend {
    return this.state.env.backend;
  }

  /** Posts through `post` and blocks this coroutine until the completion arrives. */
  private block<T>(post: (cont: Continuation) => void, map: (payload: PayloadRef | undefined) => T): Promise<T> {
    if (this.blocked) {
      throw new Error(`rank ${this.rank}: this coroutine is already waiting on an operation; await each ctx call before the next, or use ctx.spawn for concurrency`);
    }
    const host = this.state.env.host;
    return new Promise<T>((resolve, reject) => {
      post((payload) => {
        this.blocked = false;
        host.resume(this.rank);
        try {
          resolve(map(payload));
        } catch (error) {
          reject(error);
        }
      });
      this.blocked = true;
      host.suspend(this.rank);
    });
  }

  private checkPeer(peer: number): void {
    if (!(Number.isInteger(peer) && peer >= 0 && peer < this.nranks) || peer === this.rank) {
      throw new WeftInputError(`rank ${this.rank}: peer must be another rank in 0..${this.nranks - 1}, got ${peer}`);
    }
  }

  private channelOf(options?: PointToPointOptions): number {
    const channel = options?.channel ?? 0;
    if (!(Number.isInteger(channel) && channel >= 0 && channel < COLLECTIVE_CHANNEL_BASE)) {
      throw new WeftInputError(`rank ${this.rank}: channel must be an integer in 0..${COLLECTIVE_CHANNEL_BASE - 1}, got ${channel}`);
    }
    return channel;
  }

  send(peer: number, data: CollectiveData, options?: PointToPointOptions): Promise<void> {
    this.checkPeer(peer);
    const channel = this.channelOf(options);
    const { host, plane } = this.state.env;
    const code = dtypeCode(dtypeOf(data));
    const ghost = isGhostBuffer(data);
    if (ghost && plane) throw this.ghostInDataMode('send');
    const bytes = ghost ? ghostByteLength(data) : data.byteLength;
    const payload: PayloadRef = plane && !ghost ? plane.stage(data, code) : { arena: NO_DATA, byteOffset: 0, bytes, dtype: code };
    return this.block((cont) => host.post({ kind: 'send', participant: this.rank, seq: 0, peer, channel, bytes, payload }, cont), () => undefined);
  }

  recv(peer: number, options?: PointToPointOptions): Promise<NumericArray> {
    this.checkPeer(peer);
    const channel = this.channelOf(options);
    const { host, plane } = this.state.env;
    return this.block(
      (cont) => host.post({ kind: 'recv', participant: this.rank, seq: 0, peer, channel }, cont),
      (payload) => {
        const p = payload!;
        const Ctor = ctorOf(p.dtype);
        const count = p.bytes / Ctor.BYTES_PER_ELEMENT;
        const out = new Ctor(new ArrayBuffer(p.bytes), 0, count);
        if (plane) {
          out.set(plane.payloadView(p, count) as never);
          plane.release(p);
        }
        return out;
      },
    );
  }

  compute(durationNs: number): Promise<void> {
    if (!(durationNs >= 0 && Number.isFinite(durationNs))) throw new WeftInputError(`rank ${this.rank}: compute duration must be a finite number of ns >= 0, got ${durationNs}`);
    const host = this.state.env.host;
    return this.block((cont) => host.post({ kind: 'compute', participant: this.rank, seq: 0, durationNs }, cont), () => undefined);
  }

  private ghostInDataMode(what: string): WeftInputError {
    return new WeftInputError(`rank ${this.rank}: ${what} got a ghost buffer, which carries no data; ghost buffers are for ghost mode (ctx.mode === 'ghost')`);
  }

  private collective(collective: CollectiveName, data: CollectiveData, options: CollectiveCallOptions = {}): Promise<CollectiveData> {
    const { env } = this.state;
    const ghost = isGhostBuffer(data);
    if (ghost && env.plane) throw this.ghostInDataMode(collective);
    const dtype = dtypeOf(data);
    const root = options.root ?? 0;
    const op = checkOp(options.op ?? 'sum', `rank ${this.rank}: ${collective} `);
    const desc = collectiveOf(collective);
    // The NCCL count: input elements per count (1, or nranks for reduceScatter, allToAll, scatter).
    const perCount = desc.bufferCounts(1, this.nranks).input;
    const count = perCount === 0 ? 0 : data.length / perCount;
    if (!Number.isInteger(count)) throw new WeftInputError(`rank ${this.rank}: ${collective} input length ${data.length} is not a multiple of ${this.nranks} ranks`);
    const algorithm = options.algorithm ?? desc.defaultAlgorithm;
    // Shared by the thread's ranks (read-only): each rank runs only its own participant.
    const schedule = planCollectiveCached(collective, algorithm, {
      nranks: this.nranks,
      count,
      root,
      elementBytes: elementBytes(dtype),
      channels: options.channels ?? 1,
      chunkElements: options.chunkElements ?? 0,
      layout: env.layout,
      ...(options.protocol !== undefined ? { protocol: options.protocol } : {}),
      ...(options.protocolCapStretch !== undefined ? { protocolCapStretch: options.protocolCapStretch } : {}),
      ...(options.nvlsChannels !== undefined ? { nvlsChannels: options.nvlsChannels } : {}),
    });
    const agents = schedule.participants.length - this.nranks;
    if (agents > env.agentCount) throw new WeftInputError(`rank ${this.rank}: ${collective} algorithm '${algorithm}' ${agentsLacking(agents, env.agentCount)}; pick another algorithm`);
    // Ghost mode runs no data plane: no scratch, and a ghost buffer's output is a ghost too.
    let output: CollectiveData;
    let buffers: { input: NumericArray; output: NumericArray; scratch: NumericArray } | null = null;
    if (ghost) output = ghostBuffer(schedule.bufferCounts.output, dtype);
    else {
      const Ctor = data.constructor as new (length: number) => NumericArray;
      output = new Ctor(schedule.bufferCounts.output);
      if (env.plane) buffers = { input: data, output, scratch: new Ctor(schedule.bufferCounts.scratch) };
    }
    const call: CollectiveCall = { collective, schedule, root, dtype, op };
    // Every rank calls collectives in the same order (as NCCL requires), so FIFO matching
    // per (sender, receiver, channel) keeps consecutive calls apart on the shared channels.
    return this.block(
      (cont) => {
        if (agents > 0 && this.rank === 0) env.agents!.start(call, this.nranks, env.plane);
        runExecutor(env.host, call, this.rank, this.nranks, env.plane && buffers ? { plane: env.plane, buffers } : null, () => cont(undefined, 0));
      },
      () => output,
    );
  }

  // Promise<any>: RankContext's overloads give callers the precise type (typed array in,
  // typed array out; ghost buffer in, ghost buffer out).
  allReduce(data: CollectiveData, options?: CollectiveCallOptions): Promise<any> {
    return this.collective('allReduce', data, options);
  }
  reduceScatter(data: CollectiveData, options?: CollectiveCallOptions): Promise<any> {
    return this.collective('reduceScatter', data, options);
  }
  allGather(data: CollectiveData, options?: CollectiveCallOptions): Promise<any> {
    return this.collective('allGather', data, options);
  }
  broadcast(data: CollectiveData, options?: CollectiveCallOptions): Promise<any> {
    return this.collective('broadcast', data, options);
  }
  reduce(data: CollectiveData, options?: CollectiveCallOptions): Promise<any> {
    return this.collective('reduce', data, options);
  }
  allToAll(data: CollectiveData, options?: CollectiveCallOptions): Promise<any> {
    return this.collective('allToAll', data, options);
  }
  gather(data: CollectiveData, options?: CollectiveCallOptions): Promise<any> {
    return this.collective('gather', data, options);
  }
  scatter(data: CollectiveData, options?: CollectiveCallOptions): Promise<any> {
    return this.collective('scatter', data, options);
  }
  async barrier(options?: CollectiveCallOptions): Promise<void> {
    await this.collective('barrier', new Float32Array(0), options);
  }

  spawn<T>(fn: (ctx: RankContext) => Promise<T>): Task<T> {
    const state = this.state;
    const host = state.env.host;
    const task = new Task<T>();
    state.alive += 1;
    host.resume(state.rank);
    const child = new Coroutine(state);
    const settle = (failed: boolean, result: unknown) => {
      task.settled = true;
      task.failed = failed;
      if (failed) task.error = result;
      else task.value = result as T;
      if (failed && task.waiters.length === 0) host.fail(state.rank, result);
      // Waiters re-enter the running count before this coroutine leaves it.
      for (const waiter of task.waiters.splice(0)) {
        host.resume(state.rank);
        waiter();
      }
      state.coroutineEnded();
    };
    (async () => fn(child))().then(
      (value) => settle(false, value),
      (error) => settle(true, error),
    );
    return task;
  }

  join<T>(task: Task<T>): Promise<T> {
    if (!(task instanceof Task)) throw new TypeError('ctx.join expects a Task returned by ctx.spawn');
    if (task.settled) return task.failed ? Promise.reject(task.error) : Promise.resolve(task.value as T);
    if (this.blocked) throw new Error(`rank ${this.rank}: this coroutine is already waiting on an operation`);
    const host = this.state.env.host;
    return new Promise<T>((resolve, reject) => {
      task.waiters.push(() => {
        this.blocked = false;
        if (task.failed) reject(task.error);
        else resolve(task.value as T);
      });
      this.blocked = true;
      host.suspend(this.rank);
    });
  }

  async joinAll<T>(tasks: readonly Task<T>[]): Promise<T[]> {
    const values: T[] = [];
    for (const task of tasks) values.push(await this.join(task));
    return values;
  }
}

/**
 * Prepares `host` for a program run: each of `ranks` runs `program`; each of `agents` (the run's
 * in-network agents, given to rank 0's host only) gets a starter that does nothing — undefined
 * would finish it at once — since rank 0 starts its executors per collective (ProgramAgents).
 */
export function prepareProgramHost(host: ParticipantHost, base: Omit<ProgramEnv, 'host' | 'agents'>, ranks: readonly number[], agents: readonly number[], program: RankProgram, args: unknown): void {
  const env: ProgramEnv = { ...base, host, ...(agents.length > 0 ? { agents: new ProgramAgents(host, agents) } : {}) };
  host.setStarters([...ranks.map((rank) => () => startProgram(env, rank, program, args)), ...agents.map(() => () => {})]);
}

/** Starts `program` as rank `rank` on its host (called by the host's starter). */
export function startProgram(env: ProgramEnv, rank: number, program: RankProgram, args: unknown): void {
  const state = new RankState(env, rank);
  const ctx = new Coroutine(state);
  state.alive += 1;
  env.host.resume(rank);
  (async () => program(ctx, args))().then(
    (value) => {
      state.mainDone = true;
      state.mainValue = value;
      state.coroutineEnded();
    },
    (error) => {
      env.host.fail(rank, error);
      state.mainDone = true;
      state.coroutineEnded();
    },
  );
}
