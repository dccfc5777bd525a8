/**
 * Seeded pseudo-random numbers. Every rank must draw the same initial weights and the same
 * data order without talking to the others, so randomness comes from the seed alone —
 * never from Math.random or the tensor backend's own generator (which differs by backend).
 */

/** mulberry32: a 32-bit state generator; small, fast and good enough for init and shuffles. */
export function createRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes several integers into one seed, so (seed, epoch) and (seed, sample) streams differ. */
export function mixSeed(...parts: readonly number[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    hash = Math.imul(hash ^ (part >>> 0), 0x01000193) >>> 0;
    hash = Math.imul(hash ^ (hash >>> 13), 0x5bd1e995) >>> 0;
  }
  return hash >>> 0;
}

/** Fisher–Yates permutation of 0..count-1. */
export function permutation(count: number, seed: number): Uint32Array {
  const rng = createRng(seed);
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  return order;
}
