/**
 * bfloat16 rounding, in place, on float32 storage: the top 16 bits of an IEEE float32 are a
 * bfloat16, so rounding the low 16 bits away (to nearest, ties to even, as CUDA's
 * __float2bfloat16 does) gives exactly the value a bf16 gradient would hold.
 */
export function roundToBf16InPlace(values: Float32Array): void {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < bits.length; i++) {
    const u = bits[i]!;
    if ((u & 0x7f800000) === 0x7f800000 && (u & 0x007fffff) !== 0) {
      bits[i] = (u | 0x00400000) & 0xffff0000; // NaN stays a (quiet) NaN
      continue;
    }
    bits[i] = ((u + 0x7fff + ((u >>> 16) & 1)) & 0xffff0000) >>> 0;
  }
}
