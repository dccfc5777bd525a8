/**
 * A staging block's header and a lease's states. The header is four Int32 words (16 bytes
 * keep the payload 16-byte aligned): word 0 the state, word 1 the kind — BLOCK_INLINE, the
 * bytes follow the header (a snapshot); BLOCK_LEASE, the bytes are where word 2 says: in the
 * sender's own buffer, or right after the header once the sender had to write its buffer
 * before the receiver read them (lease.ts).
 *
 * A lease's state word: FREE (released), LEASED (bytes readable, nobody reading), READING (the
 * receiver is copying or reducing them), MOVING (the sender is copying them after the
 * header). The receiver takes LEASED → READING and releases to FREE; the sender takes
 * LEASED → MOVING → LEASED. Each side waits out the other's short copy, never a round.
 */
export const STAGING_HEADER_BYTES = 16;
export const BLOCK_INLINE = 0;
export const BLOCK_LEASE = 1;
/** Header word indices, from the header's first word. */
export const WORD_STATE = 0;
export const WORD_KIND = 1;
export const WORD_AT = 2;

export const FREE = 0;
export const LEASED = 1;
export const READING = 2;
export const MOVING = 3;

/** How long one side waits for the other's copy before calling the peer thread lost. */
const STUCK_MS = 30_000;

let canBlock = true;

/** Waits while `words[index]` holds `value` (Atomics.wait where the thread may block, else spins). */
export function waitWhile(words: Int32Array, index: number, value: number): void {
  const deadline = Date.now() + STUCK_MS;
  while (Atomics.load(words, index) === value) {
    if (canBlock) {
      try {
        Atomics.wait(words, index, value, 5);
      } catch {
        canBlock = false; // a browser's main thread may not block: spin instead
      }
    }
    if (Date.now() > deadline) throw new Error(`a zero-copy message's bytes stayed ${value === READING ? 'read' : 'moved'} for ${STUCK_MS / 1000} s: its peer thread is stuck or gone`);
  }
}

/** Receiver: LEASED → READING, waiting out a move. `header` is the header's word index. */
export function acquireLease(words: Int32Array, header: number): void {
  const state = header + WORD_STATE;
  for (;;) {
    const seen = Atomics.compareExchange(words, state, LEASED, READING);
    if (seen === LEASED) return;
    if (seen !== MOVING) throw new Error(`a zero-copy message was read twice or after its release (state ${seen})`);
    waitWhile(words, state, MOVING);
  }
}
