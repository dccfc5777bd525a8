/**
 * The thread a ghost-mode rank program runs in (./ghost-program-thread.ts starts it): a
 * ghost cluster of its own runs the program as in-process ghost mode does, so times are the
 * same; every rank runs it on a traced context (./ghost-program-traced.ts), so that the
 * starting thread can name a rank stuck in a synchronous loop (which blocks this thread's
 * own watchdog) and terminate it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { WeftInputError } from '@weft/sim';
import { createGhostCluster } from '../core/cluster/in-process-hosts.js';
import { encodeError } from '../core/errors.js';
import type { RankProgram } from '../core/program/context.js';
import type { ClusterOptions, RunProgramOptions } from '../core/types.js';
import { withExitGuard } from './exit-guard.js';
import type { GhostProgramData } from './ghost-program-progress.js';
import { traceProgram } from './ghost-program-traced.js';

const data = workerData as GhostProgramData;
// Every import above loaded: from here a failure is the program's, not a thread that cannot start.
parentPort!.postMessage({ started: true });

try {
  const exported = ((await import(data.href)) as Record<string, unknown>)[data.exportName];
  if (typeof exported !== 'function') throw new WeftInputError(`${data.href} has no function export '${data.exportName}'`);
  traceProgram(exported as RankProgram, data.progress);
  const cluster = createGhostCluster(data.options as ClusterOptions);
  const runOptions: RunProgramOptions = data.faults !== undefined ? { faults: data.faults } : {};
  const result = await withExitGuard(() => cluster.runProgram(new URL('./ghost-program-traced.js', import.meta.url), 'tracedProgram', data.args, runOptions));
  parentPort!.postMessage({ result });
} catch (error) {
  parentPort!.postMessage({ error: encodeError(error) });
}
