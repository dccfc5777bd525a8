/**
 * Shared memory for data mode. An arena is a shared WebAssembly.Memory (at most 4 GiB) that
 * every thread of a cluster maps: rank buffers and staging blocks live in arenas so that
 * (1) results are readable from the main thread without copying and (2) the wasm SIMD
 * kernels reduce in place (both operands in one memory). A buffer that cannot fit an arena
 * gets its own SharedArrayBuffer and the typed loops.
 *
 * Staging: an eager send snapshots its slice into a block of the sender host's staging
 * region; the receiver reads the block when its recv completes and releases it by storing 0
 * into the block's state word (Atomics), so no message is needed to free it. The sender's
 * allocator reclaims released blocks lazily.
 */
import { STANDALONE, type PayloadRef } from '../protocol.js';
import { acquireLease, BLOCK_INLINE, BLOCK_LEASE, STAGING_HEADER_BYTES, WORD_AT, WORD_KIND, WORD_STATE } from './lease-state.js';

export { STAGING_HEADER_BYTES };

export const PAGE_BYTES = 65536;
/** 65535 pages: offsets stay below 2^32 for the kernels' unsigned i32 addressing. */
export const ARENA_MAX_BYTES = 65535 * PAGE_BYTES;
export const BUFFER_ALIGN_BYTES = 64;
const MIN_BLOCK_BYTES = 256;
/** The least staging region worth placing in an arena when a host's full reserve does not fit. */
const MIN_STAGING_BYTES = 2 ** 20;

/**
 * Block size for a request: eight size classes per power of two (at most 12.5% waste, so a
 * 32 MiB message does not take a 64 MiB block), at least 256 bytes.
 */
export function blockBytes(bytes: number): number {
  const need = Math.max(MIN_BLOCK_BYTES, bytes + STAGING_HEADER_BYTES);
  const step = Math.max(MIN_BLOCK_BYTES / 2, 2 ** (Math.floor(Math.log2(need)) - 3));
  return Math.ceil(need / step) * step;
}

export function alignUp(bytes: number, align: number): number {
  return Math.ceil(bytes / align) * align;
}

/** Where one buffer lives: an arena offset, or its own SharedArrayBuffer (arena STANDALONE). */
export interface BufferPlace {
  readonly arena: number;
  readonly byteOffset: number;
  readonly bytes: number;
  readonly sab?: SharedArrayBuffer;
}

export interface ParticipantPlace {
  readonly participant: number;
  readonly input: BufferPlace;
  readonly output: BufferPlace;
  readonly scratch: BufferPlace;
}

export interface HostPlace {
  readonly participants: readonly ParticipantPlace[];
  /** The host's staging region (STANDALONE arena: stage every message in its own SAB). */
  readonly staging: BufferPlace;
}

export interface HostNeed {
  /** Per participant: input, output, scratch bytes. */
  readonly participants: readonly { readonly participant: number; readonly bytes: readonly [number, number, number] }[];
  readonly stagingBytes: number;
}

export interface ArenaPlan {
  readonly hosts: readonly HostPlace[];
  /** Bytes each arena must hold (grow to at least this many). */
  readonly arenaBytes: readonly number[];
}

/**
 * Packs hosts into arenas in order, a whole host per arena (so a host's own transfers stay
 * inside one memory), opening a new arena when the next host does not fit. A host whose
 * buffers fit an arena but not with all the staging it asked for gets the rest of an arena
 * as staging (staging is a reserve: messages beyond it go to their own SharedArrayBuffer);
 * a host whose buffers alone are bigger than an arena gets standalone buffers.
 */
export function planArenas(needs: readonly HostNeed[], arenaMaxBytes = ARENA_MAX_BYTES): ArenaPlan {
  const arenaBytes: number[] = [];
  const hosts: HostPlace[] = [];
  for (const need of needs) {
    let buffers = 0;
    for (const p of need.participants) for (const b of p.bytes) buffers += alignUp(b, BUFFER_ALIGN_BYTES);
    const room = Math.floor((arenaMaxBytes - buffers) / BUFFER_ALIGN_BYTES) * BUFFER_ALIGN_BYTES;
    const stagingBytes = Math.min(alignUp(need.stagingBytes, BUFFER_ALIGN_BYTES), room);
    const total = buffers + stagingBytes;
    if (buffers > arenaMaxBytes || (stagingBytes < need.stagingBytes && stagingBytes < MIN_STAGING_BYTES)) {
      const own = (bytes: number): BufferPlace => ({ arena: STANDALONE, byteOffset: 0, bytes, sab: new SharedArrayBuffer(Math.max(bytes, 8)) });
      hosts.push({
        participants: need.participants.map((p) => ({ participant: p.participant, input: own(p.bytes[0]), output: own(p.bytes[1]), scratch: own(p.bytes[2]) })),
        staging: { arena: STANDALONE, byteOffset: 0, bytes: 0 },
      });
      continue;
    }
    let arena = arenaBytes.length - 1;
    if (arena < 0 || arenaBytes[arena]! + total > arenaMaxBytes) {
      arenaBytes.push(0);
      arena += 1;
    }
    let cursor = arenaBytes[arena]!;
    const take = (bytes: number): BufferPlace => {
      const place = { arena, byteOffset: cursor, bytes };
      cursor += alignUp(bytes, BUFFER_ALIGN_BYTES);
      return place;
    };
    const participants = need.participants.map((p) => ({ participant: p.participant, input: take(p.bytes[0]), output: take(p.bytes[1]), scratch: take(p.bytes[2]) }));
    hosts.push({ participants, staging: take(stagingBytes) });
    arenaBytes[arena] = cursor;
  }
  return { hosts, arenaBytes };
}

/**
 * One thread's mapping of every arena of a cluster. Byte offsets reach 4 GiB, so word
 * indices are computed with division: `>> 2` would turn offsets past 2 GiB negative.
 */
export class ArenaSet {
  private bytes: Uint8Array[] = [];
  private words: Int32Array[] = [];

  constructor(readonly memories: readonly WebAssembly.Memory[]) {
    this.refresh();
  }

  /** Re-reads each memory's buffer: after a grow, a shared memory hands out a longer one. */
  refresh(): void {
    this.bytes = this.memories.map((m) => new Uint8Array(m.buffer));
    this.words = this.memories.map((m) => new Int32Array(m.buffer));
  }

  buffer(arena: number): ArrayBufferLike {
    return this.bytes[arena]!.buffer;
  }

  /** The bytes of a buffer place or payload. */
  bytesOf(place: { readonly arena: number; readonly byteOffset: number; readonly bytes: number; readonly sab?: SharedArrayBuffer }): Uint8Array {
    if (place.arena === STANDALONE) return new Uint8Array(place.sab!, place.byteOffset, place.bytes);
    return new Uint8Array(this.bytes[place.arena]!.buffer, place.byteOffset, place.bytes);
  }

  /** A typed view of `count` elements at a place (`ctor` picks the element type). */
  view<T>(place: { readonly arena: number; readonly byteOffset: number; readonly sab?: SharedArrayBuffer }, ctor: new (buffer: ArrayBufferLike, byteOffset: number, length: number) => T, count: number): T {
    const buffer = place.arena === STANDALONE ? place.sab! : this.bytes[place.arena]!.buffer;
    return new ctor(buffer, place.byteOffset, count);
  }

  /**
   * Where a payload's bytes are, as a byte offset in its arena: right after an inline block's
   * header, or (a lease) in the sender's buffer, which stays untouched until `release`.
   */
  open(payload: PayloadRef): number {
    if (payload.arena < 0) return payload.byteOffset;
    const words = this.words[payload.arena]!;
    const header = (payload.byteOffset - STAGING_HEADER_BYTES) / 4;
    if (Atomics.load(words, header + WORD_KIND) !== BLOCK_LEASE) return payload.byteOffset;
    acquireLease(words, header);
    return Atomics.load(words, header + WORD_AT) >>> 0;
  }

  /** Frees a staging block (inline or lease) for its owner; any thread may call this. */
  release(payload: PayloadRef): void {
    if (payload.arena < 0) return;
    const words = this.words[payload.arena]!;
    const state = (payload.byteOffset - STAGING_HEADER_BYTES) / 4 + WORD_STATE;
    Atomics.store(words, state, 0);
    // A sender may be waiting to write the bytes of this lease (lease.ts).
    Atomics.notify(words, state);
  }

  /** The Int32 words of an arena (for lease.ts's state machine). */
  wordsOf(arena: number): Int32Array {
    return this.words[arena]!;
  }

  stateWord(arena: number, headerByteOffset: number): number {
    return Atomics.load(this.words[arena]!, headerByteOffset / 4);
  }

  setStateWord(arena: number, headerByteOffset: number, value: number): void {
    Atomics.store(this.words[arena]!, headerByteOffset / 4, value);
  }
}

interface SizeClass {
  free: number[];
  busy: number[];
}

/**
 * A host's staging allocator: size classes (blockBytes) carved from its region by a bump
 * pointer. Only the owning thread allocates; receivers free by clearing the state word, and
 * the owner moves such blocks back to its free list when a class runs dry. When the region
 * is full, a message gets a standalone SharedArrayBuffer (correct, just slower to reduce).
 */
export class StagingPool {
  private classes = new Map<number, SizeClass>();
  private bumpByteOffset = 0;
  private endByteOffset = 0;
  private arena = STANDALONE;
  /** Messages that did not fit the region (a sign the region is too small; reported in stats). */
  overflowMessages = 0;

  constructor(private readonly arenas: ArenaSet) {}

  /** Starts over on a new region; every block of the previous run must have been released. */
  reset(region: BufferPlace): void {
    this.classes = new Map();
    this.arena = region.arena;
    this.bumpByteOffset = alignUp(region.byteOffset, 16);
    this.endByteOffset = region.byteOffset + region.bytes;
    this.overflowMessages = 0;
  }

  /** Copies `source` into a fresh staging block and returns where the copy lives. */
  stage(source: Uint8Array, dtype: number): PayloadRef {
    const bytes = source.byteLength;
    const header = this.allocate(bytes);
    if (header < 0) {
      this.overflowMessages += 1;
      const sab = new SharedArrayBuffer(Math.max(bytes, 8));
      new Uint8Array(sab, 0, bytes).set(source);
      return { arena: STANDALONE, byteOffset: 0, bytes, dtype, sab };
    }
    const byteOffset = header + STAGING_HEADER_BYTES;
    new Uint8Array(this.arenas.buffer(this.arena), byteOffset, bytes).set(source);
    return { arena: this.arena, byteOffset, bytes, dtype };
  }

  /**
   * A scratch block of this host's region (its arena, its thread) for `bytes`, or null when
   * the region is full. Give it back with `giveBack` once done.
   */
  borrow(bytes: number): PayloadRef | null {
    const header = this.allocate(bytes);
    if (header < 0) return null;
    return { arena: this.arena, byteOffset: header + STAGING_HEADER_BYTES, bytes, dtype: 0 };
  }

  giveBack(block: PayloadRef): void {
    this.arenas.release(block);
  }

  /** The arena this pool allocates in (STANDALONE when it has no region). */
  get arenaIndex(): number {
    return this.arena;
  }

  /** Header offset of a block for `bytes` of payload, or -1 when the region has no room. */
  private allocate(bytes: number): number {
    if (this.arena === STANDALONE) return -1;
    const size = blockBytes(bytes);
    let cls = this.classes.get(size);
    if (cls === undefined) this.classes.set(size, (cls = { free: [], busy: [] }));
    if (cls.free.length === 0) this.reclaim(cls);
    let header = cls.free.pop();
    if (header === undefined) {
      if (this.bumpByteOffset + size > this.endByteOffset) return -1;
      header = this.bumpByteOffset;
      this.bumpByteOffset += size;
    }
    this.arenas.setStateWord(this.arena, header, 1);
    this.arenas.setStateWord(this.arena, header + WORD_KIND * 4, BLOCK_INLINE);
    cls.busy.push(header);
    return header;
  }

  /**
   * Header offset of a lease block with room for `bytes` (the bytes are copied in only if the
   * sender must write them before the receiver has read them), or -1 when the region is full.
   */
  leaseBlock(bytes: number, dataByteOffset: number): number {
    const header = this.allocate(bytes);
    if (header < 0) return -1;
    this.arenas.setStateWord(this.arena, header + WORD_AT * 4, dataByteOffset | 0);
    this.arenas.setStateWord(this.arena, header + WORD_KIND * 4, BLOCK_LEASE);
    return header;
  }

  private reclaim(cls: SizeClass): void {
    const stillBusy: number[] = [];
    for (const header of cls.busy) {
      if (this.arenas.stateWord(this.arena, header) === 0) cls.free.push(header);
      else stillBusy.push(header);
    }
    cls.busy = stillBusy;
  }

  /** Blocks not yet released by their receivers (0 after a clean run). */
  blocksInUse(): number {
    let n = 0;
    for (const cls of this.classes.values()) for (const h of cls.busy) if (this.arenas.stateWord(this.arena, h) !== 0) n++;
    return n;
  }
}
