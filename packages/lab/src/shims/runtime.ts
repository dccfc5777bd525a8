/**
 * `@weft/runtime` in the lab: the browser-safe core, with `createCluster` building ghost
 * clusters (in this worker, byte counts only). The CLI's sweep imports `createCluster`;
 * ghost and data mode give the same simulated times.
 */
import { createGhostCluster, type Cluster, type ClusterOptions } from '@weft/runtime/core';

export * from '@weft/runtime/core';

export async function createCluster(options: ClusterOptions): Promise<Cluster> {
  return createGhostCluster({ ...options, mode: 'ghost' });
}
