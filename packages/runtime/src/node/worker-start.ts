/**
 * A worker thread whose entry file cannot load (missing from a build, a syntax error, an import
 * that fails) emits 'error' then 'exit' and never answers. Whoever starts one turns that into
 * this error — one line naming the thread, its entry file and the cause — instead of waiting
 * for a reply nothing will send (which ended the CLI silently with exit 0 in a broken build).
 */
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';

export class WorkerStartError extends Error {
  override readonly name = 'WorkerStartError';

  constructor(
    /** What the thread is for: "the worker thread for ranks 0,1". */
    readonly what: string,
    /** The thread's entry file (a path). */
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${what} (${file}) could not start: ${reason}`);
  }
}

/** The first line of a thread's error, or how it exited without one. */
function reasonOf(error: Error | undefined, exitCode: number): string {
  return error?.message.split('\n')[0] || `its thread exited with code ${exitCode} before it was ready`;
}

/**
 * Rejects with a WorkerStartError once `worker` (started from `entry`) exits before
 * `isReady()` says it has answered; never settles otherwise. Race it against the first reply.
 */
export function startFailure(worker: Worker, entry: URL, what: string, isReady: () => boolean): Promise<never> {
  let firstError: Error | undefined;
  worker.once('error', (error) => (firstError = error));
  const failed = new Promise<never>((_resolve, reject) => {
    worker.once('exit', (code) => {
      if (!isReady()) reject(new WorkerStartError(what, fileURLToPath(entry), reasonOf(firstError, code)));
    });
  });
  // A thread that exits after its starter gave up on it (a timeout) is no one's error.
  failed.catch(() => undefined);
  return failed;
}
