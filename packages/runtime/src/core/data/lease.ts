/**
 * Zero-copy eager sends. A send used to snapshot its slice into a staging block, and the
 * receiver then copied or reduced from the block: two passes over every byte. A lease hands
 * the receiver the sender's slice itself (NCCL's receiver reading the peer's buffer in place)
 * through a staging block whose header says where the bytes are; the block keeps room for the
 * bytes, and only when this host is about to write a slice it lent before the receiver has
 * read it are the bytes copied there (copy-on-write) — eager-send semantics, one pass.
 *
 * The sender tracks its unread leases; every write this host makes to a rank buffer in data
 * mode goes through `beforeWrite` first. Header layout and states: lease-state.ts.
 */
import type { PayloadRef } from '../protocol.js';
import type { ArenaSet, StagingPool } from './arena.js';
import { BLOCK_LEASE, LEASED, MOVING, READING, STAGING_HEADER_BYTES, waitWhile, WORD_AT, WORD_KIND, WORD_STATE } from './lease-state.js';

interface Lease {
  /** Header byte offset of the lease block. */
  readonly header: number;
  /** The lent bytes: [at, end) in the pool's arena. */
  readonly at: number;
  readonly end: number;
}

/** Unread leases kept before the list is swept of released ones. */
const SWEEP_AT = 64;

type Bytes = { readonly buffer: ArrayBufferLike; readonly byteOffset: number; readonly byteLength: number };

export class Lender {
  private active: Lease[] = [];
  /** Bytes copied out of lent slices so far (the copy-on-write cost; tests and stats read it). */
  movedBytes = 0;

  constructor(
    private readonly arenas: ArenaSet,
    private readonly pool: StagingPool,
  ) {}

  /** Starts a run: every lease of the previous one has been read. */
  reset(): void {
    this.active = [];
    this.movedBytes = 0;
  }

  /** A payload lending `view`'s bytes in place, or null (not in this host's arena, or staging full). */
  lend(view: Bytes, dtype: number): PayloadRef | null {
    const arena = this.pool.arenaIndex;
    if (arena < 0 || view.buffer !== this.arenas.buffer(arena)) return null;
    if (this.active.length >= SWEEP_AT) this.active = this.active.filter((lease) => this.unread(lease));
    const header = this.pool.leaseBlock(view.byteLength, view.byteOffset);
    if (header < 0) return null;
    // The pool hands out a block only once its receiver released it, so a lease still listed
    // on this block is an earlier, read one: drop it. Kept, it would pass for unread whenever
    // the new lease lends the same offset, and `beforeWrite` would move the wrong bytes into
    // the new lease's room (rhd, avg, 3 ranks: 3 of 7 elements wrong).
    if (this.active.some((lease) => lease.header === header)) this.active = this.active.filter((lease) => lease.header !== header);
    this.active.push({ header, at: view.byteOffset, end: view.byteOffset + view.byteLength });
    return { arena, byteOffset: header + STAGING_HEADER_BYTES, bytes: view.byteLength, dtype };
  }

  /** Call before this host writes `view`: moves the bytes of every unread lease it overlaps out of the way. */
  beforeWrite(view: Bytes): void {
    if (this.active.length === 0 || view.buffer !== this.arenas.buffer(this.pool.arenaIndex)) return;
    const from = view.byteOffset;
    const to = from + view.byteLength;
    let kept = 0;
    for (const lease of this.active) {
      if (lease.end > from && lease.at < to) this.vacate(lease);
      else this.active[kept++] = lease; // released ones are swept in `lend`
    }
    this.active.length = kept;
  }

  /**
   * Whether `lease`'s block still lends its slice: not released, and not reused by this
   * thread's allocator since (only this thread reallocates a block, so the check is stable).
   */
  private unread(lease: Lease): boolean {
    const words = this.arenas.wordsOf(this.pool.arenaIndex);
    const h = lease.header / 4;
    return Atomics.load(words, h + WORD_STATE) !== 0 && Atomics.load(words, h + WORD_KIND) === BLOCK_LEASE && Atomics.load(words, h + WORD_AT) >>> 0 === lease.at;
  }

  /** Copies an unread lease's bytes into its block (or waits out the receiver's read). */
  private vacate(lease: Lease): void {
    const words = this.arenas.wordsOf(this.pool.arenaIndex);
    const state = lease.header / 4 + WORD_STATE;
    while (this.unread(lease)) {
      const seen = Atomics.compareExchange(words, state, LEASED, MOVING);
      if (seen === READING) {
        waitWhile(words, state, READING);
        continue;
      }
      if (seen !== LEASED) return;
      const bytes = lease.end - lease.at;
      const into = lease.header + STAGING_HEADER_BYTES;
      const memory = new Uint8Array(this.arenas.buffer(this.pool.arenaIndex));
      memory.copyWithin(into, lease.at, lease.end);
      Atomics.store(words, lease.header / 4 + WORD_AT, into | 0);
      Atomics.store(words, state, LEASED);
      Atomics.notify(words, state);
      this.movedBytes += bytes;
      return;
    }
  }
}
