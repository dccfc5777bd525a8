/**
 * nccl-tests bandwidth conventions (src/*.cu `*GetBw`, doc/PERFORMANCE.md):
 *   algbw = size / time, busbw = algbw · factor,
 * where `size` is what each collective's GetBw divides by time and `factor` converts it to
 * the per-link bus bandwidth that an optimal ring would need, so numbers are comparable
 * across collectives and rank counts.
 */
import { elementBytes } from './semantics.js';
import type { CollectiveName, DType } from './types.js';

/**
 * busbw / algbw for `collective` on `nranks` ranks (PERFORMANCE.md):
 * allReduce 2(n-1)/n; reduceScatter, allGather, allToAll (n-1)/n; broadcast, reduce, sendRecv 1;
 * barrier 0 (it moves no data).
 */
export function busBwFactor(collective: CollectiveName, nranks: number): number {
  switch (collective) {
    case 'allReduce':
      return (2 * (nranks - 1)) / nranks;
    case 'reduceScatter':
    case 'allGather':
    case 'allToAll':
      return (nranks - 1) / nranks;
    case 'broadcast':
    case 'reduce':
    case 'sendRecv':
      return 1;
    case 'barrier':
      return 0;
  }
}

/**
 * The "size" in bytes nccl-tests divides by time to get algbw, with `count` the NCCL count
 * argument (as in types.ts):
 *   allReduce, broadcast, reduce      count · elementBytes
 *   reduceScatter (recvcount = count), allGather (sendcount = count),
 *   allToAll (count per peer)         count · elementBytes · nranks
 *   barrier                           0
 * (nccl-tests' GetBw: `count * typesize` or `count * typesize * nranks`.)
 */
export function algBwBytes(collective: CollectiveName, count: number, dtype: DType, nranks: number): number {
  const bytes = count * elementBytes(dtype);
  switch (collective) {
    case 'allReduce':
    case 'broadcast':
    case 'reduce':
    case 'sendRecv':
      return bytes;
    case 'reduceScatter':
    case 'allGather':
    case 'allToAll':
      return bytes * nranks;
    case 'barrier':
      return 0;
  }
}

/** algbw and busbw in GB/s (1e9 B/s, nccl-tests units) for a run of `timeNs`. */
export function bandwidthsGBps(
  collective: CollectiveName,
  count: number,
  dtype: DType,
  nranks: number,
  timeNs: number,
): { algBwGBps: number; busBwGBps: number } {
  if (!(timeNs > 0)) return { algBwGBps: 0, busBwGBps: 0 };
  const algBwGBps = algBwBytes(collective, count, dtype, nranks) / timeNs; // bytes/ns = GB/s
  return { algBwGBps, busBwGBps: algBwGBps * busBwFactor(collective, nranks) };
}
