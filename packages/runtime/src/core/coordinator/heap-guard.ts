/**
 * The heap guard of a run under way (the up-front checks are ../schedule/footprint.ts).
 */
import { formatBudgetBytes, heapPressure } from '@weft/collectives';
import { WeftInputError } from '@weft/sim';

/**
 * Share of the JS heap in use, after a full collection, at which a run under way is stopped.
 * Higher than GHOST_RUN_HEAP_SHARE: a run near the limit may still finish, but past this V8
 * spends most of its time collecting and then aborts.
 */
export const RUN_HEAP_SHARE = 0.9;

/** Wall time between two reads of the heap during a run (ms), and its multiple after a read that had to collect. */
const RUN_HEAP_CHECK_EVERY_MS = 1000;
const AFTER_COLLECTION_WAIT = 10;

/**
 * What a run holds beyond the plan — flows and messages in flight, the solver's state and its
 * fill memo — grows with how much is in flight at once, which only the run knows: NCCL's
 * per-connection NVLSTree keeps up to NCCL_STEPS chunks per hop in flight, and at 16,384 GPUs
 * it outgrew a 4 GB heap 48 s in, past footprint.ts's up-front checks, with a V8 abort. So the
 * coordinator asks this guard every few hundred rounds; at most once a second it reads the heap
 * (a few µs) and, over RUN_HEAP_SHARE of the limit after a full collection, ends the run in one
 * line. A read that had to collect (slow on a large heap) spaces the next ones out, so a run
 * that lives near the limit pays at most about a tenth of its time for the guard. Reading the
 * heap changes nothing simulated.
 */
export class RunHeapGuard {
  private nextCheckMs = 0;

  /**
   * `onSimulatedTime`: told the simulated time reached at each read (at most about once a second
   * of wall time), for a progress display on a long run; it changes nothing simulated.
   */
  constructor(private readonly onSimulatedTime?: (nowNs: number) => void) {}

  check(nowNs: number): void {
    const startMs = Date.now();
    if (startMs < this.nextCheckMs) return;
    const heap = heapPressure(RUN_HEAP_SHARE);
    if (heap !== null) {
      throw new WeftInputError(
        `run too big for this machine: at ${(nowNs / 1000).toFixed(1)} µs simulated the JS heap holds ${formatBudgetBytes(heap.usedBytes)} of its ${formatBudgetBytes(heap.limitBytes)} limit after a full collection (flows and messages in flight, beyond the plan); use fewer ranks, fewer channels (--channels) or larger chunks (--chunk)`,
      );
    }
    const tookMs = Date.now() - startMs;
    this.nextCheckMs = startMs + Math.max(RUN_HEAP_CHECK_EVERY_MS, AFTER_COLLECTION_WAIT * tookMs);
    this.onSimulatedTime?.(nowNs);
  }
}
