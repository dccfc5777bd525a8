/**
 * The program a ghost program's thread (./ghost-program-worker.ts) has its ghost cluster run
 * on every rank: the user's program, on a context wrapped to publish in shared memory
 * (./ghost-program-progress.ts) which rank runs now, each rank's last operation and a
 * heartbeat. A module of its own: the worker's entry cannot import itself while it runs.
 */
import type { RankContext, RankProgram } from '../core/program/context.js';
import { PROGRAM_OPS, progressViews, type GhostProgramData } from './ghost-program-progress.js';

let progress: ReturnType<typeof progressViews>;
let userProgram: RankProgram | undefined;

/** Sets the program `tracedProgram` runs and where it publishes its progress. */
export function traceProgram(program: RankProgram, buffers: GhostProgramData['progress']): void {
  userProgram = program;
  progress = progressViews(buffers);
}

/** Records that `rank` runs now (its code is about to continue). */
function running(rank: number): void {
  Atomics.store(progress.state, 1, rank + 1);
  Atomics.add(progress.state, 0, 1);
}

/** `ctx` with every operation recorded before it starts and its rank marked running when it resolves. */
function traced(ctx: RankContext): RankContext {
  const rank = ctx.rank;
  return new Proxy(ctx, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function' || key === 'constructor') return value;
      const op = PROGRAM_OPS.indexOf(String(key) as (typeof PROGRAM_OPS)[number]);
      return (...args: unknown[]) => {
        if (op > 0) {
          Atomics.store(progress.state, 2 + rank * 2, op);
          Atomics.store(progress.state, 3 + rank * 2, typeof args[0] === 'number' ? args[0] : -1);
          progress.nowNs[0] = target.nowNs;
          Atomics.add(progress.state, 0, 1);
        }
        // A spawned coroutine gets its own context: traced too.
        const callArgs = key === 'spawn' ? [(inner: RankContext) => (args[0] as (c: RankContext) => unknown)(traced(inner))] : args;
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, callArgs);
        if (!(result instanceof Promise)) return result;
        return result.then(
          (resolved: unknown) => {
            running(rank);
            return resolved;
          },
          (error: unknown) => {
            running(rank);
            throw error;
          },
        );
      };
    },
  });
}

/** What the ghost cluster runs on every rank: the user's program, on a traced context. */
export function tracedProgram(ctx: RankContext, args: unknown): Promise<unknown> {
  running(ctx.rank);
  return userProgram!(traced(ctx), args);
}

