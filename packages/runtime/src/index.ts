/**
 * @weft/runtime (Node entry): the coordinator and the ranks. `createCluster` builds a data
 * cluster (worker threads, real bytes) or a ghost cluster (in-process, byte counts only).
 * Browser code imports `@weft/runtime/core`, which has no node:* imports.
 */
import { WeftInputError } from '@weft/sim';
import type { Cluster } from './core/cluster/cluster.js';
import { createGhostCluster } from './core/cluster/in-process-hosts.js';
import type { ClusterOptions } from './core/types.js';
import { createDataCluster, moduleHref } from './node/thread-hosts.js';
import { withExitGuard } from './node/exit-guard.js';
import { applyScheduleMemoryBudget } from './node/memory-budget.js';

applyScheduleMemoryBudget();

/** A ghost cluster whose rank programs cannot end the process (node/exit-guard.ts). */
function guardExits(cluster: Cluster): Cluster {
  const runProgram = cluster.runProgram.bind(cluster);
  cluster.runProgram = ((...args: Parameters<Cluster['runProgram']>) => withExitGuard(() => runProgram(...args))) as Cluster['runProgram'];
  return cluster;
}

export async function createCluster(options: ClusterOptions): Promise<Cluster> {
  const mode = options.mode ?? 'data';
  // In Node, ghost programs accept file paths too (resolved from the cwd), as data mode does.
  if (mode === 'ghost') return guardExits(createGhostCluster(options, moduleHref));
  if (mode === 'data') return createDataCluster(options);
  throw new WeftInputError(`mode must be 'data' or 'ghost', got '${String(mode)}'`);
}

export { liveWorkerCount } from './node/worker-link.js';
export { defaultMemoryBudgetBytes, scheduleBufferBytes, formatGiB } from './node/memory-budget.js';
export * from './core/index.js';
