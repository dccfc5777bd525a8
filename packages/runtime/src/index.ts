/**
 * @weft/runtime (Node entry): the coordinator and the ranks. `createCluster` builds a data
 * cluster (worker threads, real bytes) or a ghost cluster (in-process, byte counts only).
 * Browser code imports `@weft/runtime/core`, which has no node:* imports.
 */
import { WeftInputError } from '@weft/sim';
import { createGhostCluster } from './core/cluster/ghost-cluster.js';
import type { Cluster, ClusterOptions } from './core/types.js';
import { createDataCluster, moduleHref } from './node/thread-hosts.js';

export async function createCluster(options: ClusterOptions): Promise<Cluster> {
  const mode = options.mode ?? 'data';
  if (mode === 'ghost') {
    // In Node, ghost programs accept file paths too (resolved from the cwd), as data mode does.
    const cluster = createGhostCluster(options);
    const runProgram = cluster.runProgram.bind(cluster);
    return { ...cluster, runProgram: (moduleUrl, exportName, args, runOptions) => runProgram(moduleHref(moduleUrl), exportName, args, runOptions) };
  }
  if (mode === 'data') return createDataCluster(options);
  throw new WeftInputError(`mode must be 'data' or 'ghost', got '${String(mode)}'`);
}

export { liveWorkerCount } from './node/worker-link.js';
export * from './core/index.js';
