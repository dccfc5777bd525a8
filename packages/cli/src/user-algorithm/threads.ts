import type { Worker } from 'node:worker_threads';

/**
 * Threads of loaded user modules (./sandbox.ts); runCli terminates them when a command ends.
 * A module of its own, without imports, so that start-up does not load the runtime.
 */
export const sandboxThreads = new Set<Worker>();

export async function closeSandboxes(): Promise<void> {
  const workers = [...sandboxThreads];
  sandboxThreads.clear();
  await Promise.all(workers.map((worker) => worker.terminate()));
}
