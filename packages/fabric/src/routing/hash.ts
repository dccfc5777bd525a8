/**
 * The ECMP hash. Switches hash a packet's 5-tuple to pick an egress among equal-cost ports;
 * weft hashes (seed, src, dst, flowKey, qp, hop node) the same way. The mixing is
 * MurmurHash3 x86_32 (Austin Appleby, public domain) over 32-bit words: its body step per
 * word and its finalizer `fmix32`, which has full avalanche, so nearby flow keys land on
 * unrelated paths. String ids are hashed once with FNV-1a (32-bit) and cached by the router.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** MurmurHash3 x86_32 body: mixes one 32-bit word into the running state `h`. */
export function murmurMix(h: number, word: number): number {
  let k = Math.imul(word | 0, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3 finalizer; `byteLength` is the number of input bytes mixed (4 per word). */
export function murmurFinish(h: number, byteLength: number): number {
  h ^= byteLength;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a 32-bit over UTF-16 code units (ids are ASCII in practice, so this is over bytes). */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A number as two 32-bit words, so flow keys above 2^32 (or negative) do not alias:
 * safe integers split into low/high halves; anything else hashes its float64 bits.
 */
const scratch = new DataView(new ArrayBuffer(8));
export function numberWords(value: number): [number, number] {
  if (Number.isSafeInteger(value)) {
    const low = value >>> 0; // two's complement low word, also for negatives
    const high = Math.floor(value / 4294967296) | 0;
    return [low, high];
  }
  scratch.setFloat64(0, value);
  return [scratch.getUint32(4), scratch.getUint32(0)];
}

/**
 * The per-hop ECMP choice: hash of (seed, src, dst, flowKey, qp, hop) reduced modulo the
 * number of equal-cost next hops, as a switch's hash-mod-N port selection does.
 * `srcHash`, `dstHash` and `hopHash` are the FNV-1a hashes of the node ids.
 */
export function ecmpHash(seed: number, srcHash: number, dstHash: number, flowKey: number, qp: number, hopHash: number): number {
  const [seedLow, seedHigh] = numberWords(seed);
  const [keyLow, keyHigh] = numberWords(flowKey);
  const [qpLow, qpHigh] = numberWords(qp);
  let h = 0;
  h = murmurMix(h, seedLow);
  h = murmurMix(h, seedHigh);
  h = murmurMix(h, srcHash);
  h = murmurMix(h, dstHash);
  h = murmurMix(h, keyLow);
  h = murmurMix(h, keyHigh);
  h = murmurMix(h, qpLow);
  h = murmurMix(h, qpHigh);
  h = murmurMix(h, hopHash);
  return murmurFinish(h, 9 * 4);
}
