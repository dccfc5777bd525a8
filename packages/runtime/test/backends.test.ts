import { describe, expect, it } from 'vitest';
import type { DType } from '@weft/collectives';
import { parseTopologySpec } from '@weft/fabric';
import { createCluster, loadTfjsBackend, reduceFrom, reduceTyped, divideTyped, typedBackend, WasmSimdBackend, type KernelOp, type NumericArray } from '@weft/runtime';
import { network, plan } from './helpers.js';
// @ts-expect-error plain ESM build script without types
import { compileKernels } from '../scripts/kernels-wat.mjs';
import { WASM_KERNELS_BASE64 } from '../src/backends/wasm-kernels-bytes.js';

const OPS: KernelOp[] = ['sum', 'prod', 'min', 'max'];
const DTYPES: DType[] = ['float32', 'float64', 'int32'];
const CTORS = { float32: Float32Array, float64: Float64Array, int32: Int32Array } as const;

/** Deterministic values with signs, fractions and (for int32) products that overflow. */
function fill(array: NumericArray, dtype: DType, salt: number): void {
  let x = 12345 + salt;
  for (let i = 0; i < array.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    array[i] = dtype === 'int32' ? x >> 8 : (x % 2000) / 7;
  }
}

function bytes(a: NumericArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

describe('tensor backends agree bit for bit with the typed reference', () => {
  it('the embedded wasm bytes are what scripts/kernels-wat.mjs compiles to', async () => {
    const compiled: Uint8Array = await compileKernels();
    expect(Buffer.from(compiled).toString('base64')).toBe(WASM_KERNELS_BASE64);
  });

  it('wasm-simd copy (memory.copy) writes exactly the source bytes, at any offset; outside the arena it falls back', () => {
    const memory = new WebAssembly.Memory({ initial: 4, maximum: 16, shared: true });
    const backend = new WasmSimdBackend();
    backend.attach(memory);
    for (const [n, dstAt, srcAt] of [[1003, 0, 40000], [5, 4, 60004], [0, 0, 8], [4099, 12, 99480]] as const) {
      const all = new Uint8Array(memory.buffer);
      fill(new Int32Array(memory.buffer, 0, all.length / 4), 'int32', n);
      const before = all.slice();
      const dst = new Float32Array(memory.buffer, dstAt, n);
      const src = new Float32Array(memory.buffer, srcAt, n);
      backend.copy(dst, src);
      const expected = before.slice();
      expected.set(before.subarray(srcAt, srcAt + 4 * n), dstAt);
      expect(Buffer.compare(all, expected)).toBe(0); // the slice copied, not a byte more
    }
    const outside = new Float64Array([1.5, -2, 3]);
    const into = new Float64Array(memory.buffer, 64, 3);
    backend.copy(into, outside);
    expect([...into]).toEqual([1.5, -2, 3]);
  });

  for (const dtype of DTYPES) {
    for (const op of OPS) {
      it(`wasm-simd ${op} ${dtype}: vector body, scalar tail, unaligned offsets`, () => {
        const memory = new WebAssembly.Memory({ initial: 4, maximum: 16, shared: true });
        const backend = new WasmSimdBackend();
        backend.attach(memory);
        const Ctor = CTORS[dtype];
        for (const [n, dstAt, srcAt] of [[1003, 0, 40000], [5, 4, 60000], [0, 0, 8], [64, 12, 99480]] as const) {
          const dst = new Ctor(memory.buffer, dstAt * Ctor.BYTES_PER_ELEMENT, n);
          const src = new Ctor(memory.buffer, srcAt, n);
          fill(dst, dtype, 1);
          fill(src, dtype, 2);
          const expected = dst.slice();
          reduceTyped(op, dtype, expected, src.slice());
          backend.reduce(op, dtype, dst, src);
          expect(bytes(dst)).toEqual(bytes(expected));
        }
      });
      it(`wasm-simd three-operand ${op} ${dtype} (dst = a op src, written once) matches copy-then-reduce`, () => {
        const memory = new WebAssembly.Memory({ initial: 4, maximum: 16, shared: true });
        const backend = new WasmSimdBackend();
        backend.attach(memory);
        const Ctor = CTORS[dtype];
        for (const [n, dstAt, aAt, srcAt] of [[1003, 0, 20000, 40000], [5, 4, 70008, 60000], [0, 0, 16, 8], [64, 12, 120000, 99480]] as const) {
          const dst = new Ctor(memory.buffer, dstAt * Ctor.BYTES_PER_ELEMENT, n);
          const a = new Ctor(memory.buffer, aAt, n);
          const src = new Ctor(memory.buffer, srcAt, n);
          fill(a, dtype, 1);
          fill(src, dtype, 2);
          dst.fill(0);
          const expected = a.slice();
          reduceTyped(op, dtype, expected, src.slice());
          const aBefore = a.slice();
          reduceFrom(backend, op, dtype, dst, a, src);
          expect(bytes(dst)).toEqual(bytes(expected));
          expect(bytes(a)).toEqual(bytes(aBefore));
          const plain = new Ctor(n);
          reduceFrom(typedBackend, op, dtype, plain, a.slice(), src.slice()); // the fallback: copy, then reduce
          expect(bytes(plain)).toEqual(bytes(expected));
        }
      });
    }
    it(`wasm-simd divide ${dtype} (avg) matches, and arrays outside an arena fall back`, () => {
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
      const backend = new WasmSimdBackend();
      backend.attach(memory);
      const Ctor = CTORS[dtype];
      const dst = new Ctor(memory.buffer, 16, 1001);
      fill(dst, dtype, 3);
      const expected = dst.slice();
      divideTyped(dtype, expected, 7);
      backend.divide(dtype, dst, 7);
      expect(bytes(dst)).toEqual(bytes(expected));
      const plainDst = new Ctor(33);
      const plainSrc = new Ctor(33);
      fill(plainDst, dtype, 4);
      fill(plainSrc, dtype, 5);
      const reference = plainDst.slice();
      typedBackend.reduce('sum', dtype, reference, plainSrc);
      backend.reduce('sum', dtype, plainDst, plainSrc);
      expect(bytes(plainDst)).toEqual(bytes(reference));
    });
  }

  it('int32 prod wraps like int32 multiplication (Math.imul), not like doubles', () => {
    const dst = new Int32Array([0x7fffffff, 123456789]);
    reduceTyped('prod', 'int32', dst, new Int32Array([0x7fffffff, 987654321]));
    expect(Array.from(dst)).toEqual([Math.imul(0x7fffffff, 0x7fffffff), Math.imul(123456789, 987654321)]);
  });

  it('TensorFlow.js loads the best backend available and says which (tfjs-node is optional)', async () => {
    const { backend, skipped } = await loadTfjsBackend();
    expect(['tfjs-node', 'tfjs-wasm', 'tfjs-cpu']).toContain(backend.name);
    if (backend.name !== 'tfjs-node') expect(skipped[0]).toMatch(/^tfjs-node: /);
    for (const dtype of ['float32', 'int32'] as const) {
      for (const op of OPS) {
        const Ctor = CTORS[dtype];
        const dst = new Ctor(257);
        const src = new Ctor(257);
        fill(dst, dtype, 6);
        fill(src, dtype, 7);
        if (dtype === 'int32') for (let i = 0; i < dst.length; i++) (dst[i] = dst[i]! % 1000), (src[i] = src[i]! % 1000);
        const expected = dst.slice();
        reduceTyped(op, dtype, expected, src);
        backend.reduce(op, dtype, dst, src);
        expect(Array.from(dst)).toEqual(Array.from(expected));
      }
    }
  });
});

describe('a data cluster runs on the backend it is given and reports it', () => {
  const topology = parseTopologySpec('switch:3');
  for (const [choice, names] of [['auto', ['wasm-simd']], ['typed', ['typed']], ['tfjs', ['tfjs-node', 'tfjs-wasm', 'tfjs-cpu']]] as const) {
    it(`backend: '${choice}'`, async () => {
      const cluster = await createCluster({ topology, network: network(), mode: 'data', ranksPerWorker: 3, backend: choice });
      try {
        expect(names).toContain(cluster.backend);
        for (const op of ['sum', 'prod', 'min', 'max', 'avg'] as const) {
          const result = await cluster.runSchedule(plan('allReduce', 'ring', topology, 999), { dtype: 'float32', op });
          expect(result.wrong).toBe(0);
          expect(result.backend).toBe(cluster.backend);
        }
      } finally {
        await cluster.close();
      }
    });
  }
});
