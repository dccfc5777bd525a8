/**
 * A collective is a descriptor, not a switch (nccl-tests' `struct testColl`): its buffer
 * sizes, its nccl-tests byte count and bus factor, whether it reduces or has a root, its
 * default algorithm, its algorithms, and its postcondition — where every output element
 * comes from. Each collective's folder exports one (`all-reduce/index.ts` …) and
 * ./registry.ts lists them; everything else (the checker, the reference executor, the
 * runtime's #wrong check, the CLI's sizes and bandwidths, `weft algos`) looks them up.
 */
import type { Algorithm, CollectiveName } from './types.js';

/** The arguments every collective call has besides its data. */
export interface CollectiveShape {
  readonly nranks: number;
  /** The NCCL count argument (see `bufferCounts`). */
  readonly count: number;
  /** Meaningful only for rooted collectives. */
  readonly root: number;
}

/**
 * A run of a rank's output, `[offset, offset + count)`, and where it must come from:
 * `from: 'all'` — the reduction over every rank of input elements starting at
 * `inputOffset`; `from: r` — rank r's input elements starting at `inputOffset`.
 */
export interface OutputBlock {
  readonly offset: number;
  readonly count: number;
  readonly from: 'all' | number;
  readonly inputOffset: number;
}

export interface Collective {
  /** NCCL's spelling (the CLI takes it lower-cased, as nccl-tests' binaries: allreduce). */
  readonly name: CollectiveName;
  /** One sentence, printed by `weft algos`. */
  readonly description: string;
  /** Combines contributions with a reduction op. */
  readonly reduces: boolean;
  /** The result depends on `root`. */
  readonly rooted: boolean;
  /** Used where a caller names no algorithm (rank programs, `weft train`). */
  readonly defaultAlgorithm: string;
  /** Registry order is also `auto`'s tie-break order. */
  readonly algorithms: readonly Algorithm[];
  /** Elements per rank in the input and output buffers for NCCL count `count`. */
  bufferCounts(count: number, nranks: number): { readonly input: number; readonly output: number };
  /**
   * How many `count`s make up the size nccl-tests divides by time for algbw (its GetBw:
   * `count·typesize` → 1, `count·typesize·nranks` → nranks; 0 for what moves no data).
   */
  sizeCounts(nranks: number): number;
  /** busbw / algbw (nccl-tests doc/PERFORMANCE.md). */
  busBwFactor(nranks: number): number;
  /** The postcondition: the blocks rank `rank`'s output must hold; none where it is undefined. */
  outputBlocks(rank: number, shape: CollectiveShape): readonly OutputBlock[];
  /** The postcondition of a pure synchronization: no rank finishes before hearing from every rank. */
  readonly synchronizes?: boolean;
}

/** One whole block of `count` elements from `from`'s input at `inputOffset`. */
export const block = (offset: number, count: number, from: 'all' | number, inputOffset: number): OutputBlock => ({
  offset,
  count,
  from,
  inputOffset,
});

/** Busbw factor of the collectives that move (n-1)/n of the data over each rank's link. */
export const perPeerFactor = (nranks: number): number => (nranks - 1) / nranks;
