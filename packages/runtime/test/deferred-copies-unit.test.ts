/**
 * Deferred local copies (core/data/deferred-copies.ts) against copies made at once: random
 * copies, reduces, overwrites and reads over three buffers, with partial overlaps, chains
 * (a copy of a pending copy) and copies out of a slice about to change. Every read must see
 * what the eager buffers hold, and after `flush` the buffers must be equal bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { ArenaSet, DataPlane, reduceFrom, StagingPool, typedBackend } from '@weft/runtime';
import { DeferredCopies } from '../src/core/data/deferred-copies.js';

const N = 64;
const BUFFERS = 3;

function random(seed: number): () => number {
  let x = seed;
  return () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

describe('deferred copies hold the same values as copies made at once', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}: 300 random steps, reads and the flushed buffers match`, () => {
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
      const arenas = new ArenaSet([memory]);
      const plane = new DataPlane(arenas, new StagingPool(arenas), typedBackend);
      plane.reset({ arena: 0, byteOffset: 32768, bytes: 32768 });
      const lazy = Array.from({ length: BUFFERS }, (_, b) => new Float64Array(memory.buffer, b * N * 8, N));
      const eager = Array.from({ length: BUFFERS }, () => new Float64Array(N));
      const rand = random(seed);
      for (let b = 0; b < BUFFERS; b++) for (let i = 0; i < N; i++) eager[b]![i] = lazy[b]![i] = b * 100 + i;
      const copies = new DeferredCopies((b, o, c) => lazy[b]!.subarray(o, o + c), plane);
      const slice = () => {
        const count = 1 + Math.floor(rand() * 24);
        return [Math.floor(rand() * BUFFERS), Math.floor(rand() * (N - count + 1)), count] as const;
      };
      for (let step = 0; step < 300; step++) {
        const kind = rand();
        const [b, o, c] = slice();
        if (kind < 0.35) {
          const [sb, so] = slice();
          const from = eager[sb]!.slice(so, so + c);
          if (so + c > N) continue;
          copies.defer(b, o, sb, so, c);
          eager[b]!.set(from, o);
        } else if (kind < 0.6) {
          const operand = Float64Array.from({ length: c }, () => Math.floor(rand() * 10));
          const first = copies.take(b, o, c);
          const dst = lazy[b]!.subarray(o, o + c);
          if (first) reduceFrom(typedBackend, 'sum', 'float64', dst, first, operand);
          else typedBackend.reduce('sum', 'float64', dst, operand);
          for (let i = 0; i < c; i++) eager[b]![o + i] += operand[i]!;
        } else if (kind < 0.75) {
          const value = Math.floor(rand() * 1000);
          copies.overwrite(b, o, c);
          lazy[b]!.fill(value, o, o + c);
          eager[b]!.fill(value, o, o + c);
        } else {
          expect(Array.from(copies.source(b, o, c))).toEqual(Array.from(eager[b]!.subarray(o, o + c)));
        }
      }
      copies.flush();
      for (let b = 0; b < BUFFERS; b++) expect(Array.from(lazy[b]!)).toEqual(Array.from(eager[b]!));
    });
  }
});
