/**
 * The part of the runtime's rank context that training uses, declared structurally so the
 * training step type-checks against exactly what it calls. A coroutine awaits one ctx
 * operation at a time; concurrency is ctx.spawn, and waiting for another coroutine is
 * ctx.join (the runtime must see every wait to know when virtual time may advance).
 */
import type { GhostBuffer } from '@weft/runtime/core';

/** As the runtime's CollectiveCallOptions: what bucket-all-reduce.ts resolved (callOptions). */
export interface AllReduceOptions {
  readonly algorithm?: string;
  readonly op?: 'sum';
  readonly channels?: number;
  readonly chunkElements?: number;
  readonly protocol?: 'LL' | 'LL128' | 'Simple';
  readonly protocolCapStretch?: number;
  readonly nvlsChannels?: number;
}

export interface TaskHandle<T> {
  readonly settled: boolean;
  readonly value: T | undefined;
}

export interface TrainRankContext {
  readonly rank: number;
  readonly nranks: number;
  /** Virtual time, ns. */
  readonly nowNs: number;
  readonly mode: 'data' | 'ghost';
  /** Spends virtual time: the emulated GPU is busy computing. */
  compute(durationNs: number): Promise<void>;
  /** All-reduce through weft's collectives; resolves to the reduced copy. */
  allReduce(data: Float32Array, options: AllReduceOptions): Promise<ArrayLike<number>>;
  /** Ghost mode: a length-only buffer (the runtime's ghostBuffer); nothing is allocated. */
  allReduce(data: GhostBuffer, options: AllReduceOptions): Promise<unknown>;
  spawn<T>(fn: (ctx: TrainRankContext) => Promise<T>): TaskHandle<T>;
  join<T>(task: TaskHandle<T>): Promise<T>;
}
