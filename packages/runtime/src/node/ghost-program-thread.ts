/**
 * Ghost-mode rank programs run in a thread of their own (./ghost-program-worker.ts), so that
 * the watchdog also stops a rank in a synchronous infinite loop: in this thread such a loop
 * would block the coordinator and its timer. Here a timer watches the worker's heartbeat
 * (every operation and resume of every rank bumps it); none for `roundTimeoutMs` ends the run
 * with a RankTimeoutError naming the running rank and its last operation, and terminates the
 * thread. A program awaiting forever is caught by the worker's own coordinator, as in-process.
 * Schedules (built-in algorithms) keep the in-process path.
 */
import { DEFAULT_ROUND_TIMEOUT_MS } from '../core/coordinator/coordinator.js';
import { RankTimeoutError, reviveError, type EncodedError } from '../core/errors.js';
import type { ClusterOptions, ProgramResult, RunProgramOptions } from '../core/types.js';
import { progressBuffers, progressViews, stuckRank, type GhostProgramData } from './ghost-program-progress.js';
import { workerThreads } from './builtins.js';
import { moduleHref } from './thread-hosts.js';
import { startFailure } from './worker-start.js';

/** Wall time a fresh thread may take to load the runtime and the program's module (a loaded 2-core machine: ~1 s). */
const STARTUP_MS = 10_000;

export async function runGhostProgramInThread<T>(options: ClusterOptions, moduleUrl: string | URL, exportName: string, args: unknown, runOptions: RunProgramOptions | undefined): Promise<ProgramResult<T>> {
  const { networkFactory: _unused, ...cloneable } = options;
  const progress = progressBuffers(options.topology.ranks.length);
  const data: GhostProgramData = { options: cloneable, href: moduleHref(moduleUrl), exportName, args, faults: runOptions?.faults, progress };
  const entry = new URL('./ghost-program-worker.js', import.meta.url);
  const worker = new (workerThreads().Worker)(entry, { workerData: data });
  let started = false;
  const views = progressViews(progress);
  const limitMs = options.roundTimeoutMs ?? DEFAULT_ROUND_TIMEOUT_MS;
  // The worker's own coordinator names a rank awaiting forever, at limitMs; this timer is for
  // a thread that stopped turning, so it waits a fifth longer to let that report arrive first,
  // and, before the first rank starts, STARTUP_MS more for the thread to load the runtime.
  const silenceMs = limitMs * 1.2;
  let timer: NodeJS.Timeout | undefined;
  try {
    const answer = new Promise<ProgramResult<T>>((resolve, reject) => {
      worker.on('message', (message: { started?: true; result?: ProgramResult<T>; error?: EncodedError }) => {
        if (message.started) started = true;
        else if (message.error !== undefined) reject(reviveError(message.error));
        else resolve(message.result!);
      });
      worker.once('error', (error) => started && reject(error));
      worker.once('exit', (code) => started && reject(new Error(`the ghost program's thread exited with code ${code} before it answered`)));
      if (limitMs > 0) {
        let beat = Atomics.load(views.state, 0);
        let lastChangeMs = performance.now();
        timer = setInterval(() => {
          const now = Atomics.load(views.state, 0);
          if (now !== beat) {
            beat = now;
            lastChangeMs = performance.now();
          } else if (performance.now() - lastChangeMs >= silenceMs + (now === 0 ? STARTUP_MS : 0)) {
            reject(new RankTimeoutError([stuckRank(views)], limitMs, views.nowNs[0]!));
          }
        }, Math.max(10, Math.min(1000, limitMs / 5)));
      }
    });
    return await Promise.race([answer, startFailure(worker, entry, "the ghost program's thread", () => started)]);
  } finally {
    clearInterval(timer);
    await worker.terminate();
  }
}
