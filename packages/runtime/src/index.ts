/**
 * @weft/runtime (Node entry): the coordinator and the ranks. `createCluster` builds a data
 * cluster (worker threads, real bytes) or a ghost cluster (in-process, byte counts only).
 * Browser code imports `@weft/runtime/core`, which has no node:* imports.
 */
import { validateTopology } from '@weft/fabric';
import { WeftInputError } from '@weft/sim';
import type { Cluster } from './core/cluster/cluster.js';
import { createGhostCluster } from './core/cluster/in-process-hosts.js';
import type { ClusterOptions } from './core/types.js';
import { createDataCluster, moduleHref } from './node/thread-hosts.js';
import { withExitGuard } from './node/exit-guard.js';
import { runGhostProgramInThread } from './node/ghost-program-thread.js';
import { applyScheduleMemoryBudget } from './node/memory-budget.js';

applyScheduleMemoryBudget();

/**
 * A ghost cluster whose rank programs run in a thread of their own, under the watchdog
 * (node/ghost-program-thread.ts), or with `inProcess` (trusted programs) or a custom network
 * factory (not transferable) in this thread; either way they cannot end the process
 * (node/exit-guard.ts).
 */
function guardExits(cluster: Cluster, options: ClusterOptions): Cluster {
  const runProgram = cluster.runProgram.bind(cluster);
  let closed = false;
  const close = cluster.close.bind(cluster);
  cluster.close = () => {
    closed = true;
    return close();
  };
  cluster.runProgram = ((...args: Parameters<Cluster['runProgram']>) => {
    const [moduleUrl, exportName, programArgs, runOptions] = args;
    if (closed || runOptions?.inProcess === true || options.networkFactory !== undefined) return withExitGuard(() => runProgram(...args));
    return runGhostProgramInThread(options, moduleUrl, exportName, programArgs, runOptions);
  }) as Cluster['runProgram'];
  return cluster;
}

export async function createCluster(options: ClusterOptions): Promise<Cluster> {
  const mode = options.mode ?? 'data';
  // A hand-built topology gets the checks a preset or file gets (once: validateTopology remembers what passed).
  validateTopology(options.topology);
  // In Node, ghost programs accept file paths too (resolved from the cwd), as data mode does.
  if (mode === 'ghost') return guardExits(createGhostCluster(options, moduleHref), options);
  if (mode === 'data') return createDataCluster(options);
  throw new WeftInputError(`mode must be 'data' or 'ghost', got '${String(mode)}'`);
}

export { liveWorkerCount } from './node/worker-link.js';
export { WorkerStartError, startFailure } from './node/worker-start.js';
export { defaultRanksPerWorker } from './node/thread-hosts.js';
export { defaultMemoryBudgetBytes, MEMORY_BUDGET_BASIS, scheduleBufferBytes, formatGiB } from './node/memory-budget.js';
export { runInSizedThread, sizedThreadHeapLimits, usableMemoryBytes, SIZED_THREAD_YOUNG_GENERATION_MB, SIZED_THREAD_MEMORY_SHARE, type ThreadHeapLimits, type SizedThreadExit } from './node/sized-thread.js';
export * from './core/index.js';
