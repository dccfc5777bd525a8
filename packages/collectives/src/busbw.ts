/**
 * nccl-tests bandwidth conventions (src/*.cu `*GetBw`, doc/PERFORMANCE.md):
 *   algbw = size / time, busbw = algbw · factor,
 * where `size` is what each collective's GetBw divides by time and `factor` converts it to
 * the per-link bus bandwidth that an optimal ring would need, so numbers are comparable
 * across collectives and rank counts.
 */
import { collectiveOf } from './registry.js';
import { elementBytes } from './semantics.js';
import type { CollectiveName, DType } from './types.js';

/** busbw / algbw for `collective` on `nranks` ranks (its descriptor's `busBwFactor`). */
export function busBwFactor(collective: CollectiveName, nranks: number): number {
  return collectiveOf(collective).busBwFactor(nranks);
}

/**
 * The "size" in bytes nccl-tests divides by time to get algbw, with `count` the NCCL count
 * argument: count · elementBytes · sizeCounts (nccl-tests' GetBw: `count * typesize` or
 * `count * typesize * nranks`).
 */
export function algBwBytes(collective: CollectiveName, count: number, dtype: DType, nranks: number): number {
  return count * elementBytes(dtype) * collectiveOf(collective).sizeCounts(nranks);
}

/**
 * nccl-tests' element count for a size in bytes (common.cu getCollByteCount): the per-rank
 * NCCL count argument, so that the size algbw divides by is at most `bytes`.
 */
export function countForBytes(collective: CollectiveName, bytes: number, dtype: DType, nranks: number): number {
  const sizeCounts = collectiveOf(collective).sizeCounts(nranks);
  const totalCount = Math.floor(bytes / elementBytes(dtype));
  return sizeCounts === 0 ? 0 : Math.floor(totalCount / sizeCounts);
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
