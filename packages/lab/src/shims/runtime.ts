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

/**
 * The data-mode memory budget in a browser: half the device memory the browser reports
 * (navigator.deviceMemory, Chromium only, rounded by the browser), else 8 GB. The lab runs
 * ghost mode, so only the CLI's shared sweep code references it.
 */
export function defaultMemoryBudgetBytes(): number {
  const gib = (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory ?? 8;
  return Math.floor(gib * 2 ** 30 * 0.5);
}
