/**
 * NCCL's element types beyond float32/float64/int32: the 16-bit float codecs, C wrap-around
 * in the typed kernels, test patterns whose reductions are exact in any order (so #wrong can
 * ask for equality), and a #wrong check that sees one wrong element of every type.
 */
import { describe, expect, it } from 'vitest';
import {
  bfloat16Bits,
  combineIn,
  DTYPES,
  fillExpectedOutput,
  fromBfloat16Bits,
  fromHalfBits,
  halfBits,
  inputPeriod,
  inputValue,
  reducedValue,
  REDUCE_OPS,
  type CollectiveName,
  type DType,
} from '@weft/collectives';
import { parseTopologySpec } from '@weft/fabric';
import { WeftInputError } from '@weft/sim';
import { countWrong, createCluster, divideTyped, fillInput, reduceTyped, type NumericArray } from '@weft/runtime';
import { network, plan } from './helpers.js';

const fixtures = new URL('./fixtures/programs.mjs', import.meta.url).href;

const bytesEqual = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

const CTOR: Record<DType, new (n: number) => NumericArray> = {
  int8: Int8Array,
  uint8: Uint8Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float16: Uint16Array,
  float32: Float32Array,
  float64: Float64Array,
  bfloat16: Uint16Array,
};

function encode(dtype: DType, value: number): number | bigint {
  if (dtype === 'int64' || dtype === 'uint64') return BigInt(value);
  if (dtype === 'float16') return halfBits(value);
  if (dtype === 'bfloat16') return bfloat16Bits(value);
  return value;
}

describe('16-bit float codecs round to nearest even', () => {
  it('half', () => {
    expect(halfBits(1)).toBe(0x3c00);
    expect(halfBits(-2)).toBe(0xc000);
    expect(halfBits(65504)).toBe(0x7bff);
    expect(halfBits(65520)).toBe(0x7c00); // rounds up to infinity
    expect(halfBits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(halfBits(2 ** -25)).toBe(0x0000); // a tie: to even (zero)
    expect(halfBits(1 / 3)).toBe(0x3555);
    expect(halfBits(2049)).toBe(halfBits(2048)); // tie: to even
    expect(halfBits(2051)).toBe(halfBits(2052));
    expect(fromHalfBits(0x3555)).toBeCloseTo(1 / 3, 3);
    for (let bits = 0; bits < 0x7c00; bits += 7) expect(halfBits(fromHalfBits(bits))).toBe(bits);
    expect(Number.isNaN(fromHalfBits(0x7e00))).toBe(true);
  });
  it('bfloat16', () => {
    expect(bfloat16Bits(1)).toBe(0x3f80);
    expect(bfloat16Bits(1 / 3)).toBe(0x3eab);
    expect(bfloat16Bits(257)).toBe(bfloat16Bits(256)); // tie: to even
    expect(bfloat16Bits(259)).toBe(bfloat16Bits(260));
    for (let bits = 0; bits < 0x7f80; bits += 13) expect(bfloat16Bits(fromBfloat16Bits(bits))).toBe(bits);
    expect(Number.isNaN(fromBfloat16Bits(0x7fc0))).toBe(true);
  });
});

describe('typed kernels: C semantics per type', () => {
  it('integers wrap (8, 32 and 64 bits), products modulo 2^bits', () => {
    const i8 = new Int8Array([127, -128, 100]);
    reduceTyped('sum', 'int8', i8, new Int8Array([1, -1, 100]));
    expect([...i8]).toEqual([-128, 127, -56]);
    const u8 = new Uint8Array([255, 16]);
    reduceTyped('prod', 'uint8', u8, new Uint8Array([255, 16]));
    expect([...u8]).toEqual([1, 0]);
    const u32 = new Uint32Array([0xffffffff, 0xffffffff]);
    reduceTyped('prod', 'uint32', u32, new Uint32Array([0xffffffff, 3]));
    expect([...u32]).toEqual([1, 0xfffffffd]);
    const i64 = new BigInt64Array([2n ** 63n - 1n, -5n]);
    reduceTyped('sum', 'int64', i64, new BigInt64Array([1n, 3n]));
    expect([...i64]).toEqual([-(2n ** 63n), -2n]);
    const u64 = new BigUint64Array([2n ** 63n]);
    reduceTyped('prod', 'uint64', u64, new BigUint64Array([2n]));
    expect([...u64]).toEqual([0n]);
  });
  it('avg divides toward zero for integers (SumPostDiv), rounds for 16-bit floats', () => {
    const i8 = new Int8Array([-7, 7, -128]);
    divideTyped('int8', i8, 2);
    expect([...i8]).toEqual([-3, 3, -64]);
    const i64 = new BigInt64Array([-7n]);
    divideTyped('int64', i64, 2);
    expect([...i64]).toEqual([-3n]);
    const h = new Uint16Array([halfBits(1)]);
    divideTyped('float16', h, 3);
    expect([...h]).toEqual([halfBits(1 / 3)]);
  });
  it('half and bfloat16 round once per step, as __hadd does', () => {
    const h = new Uint16Array([halfBits(2048), halfBits(2048)]);
    reduceTyped('sum', 'float16', h, new Uint16Array([halfBits(1), halfBits(3)]));
    expect([...h].map(fromHalfBits)).toEqual([2048, 2052]);
    const b = new Uint16Array([bfloat16Bits(256), bfloat16Bits(1)]);
    reduceTyped('sum', 'bfloat16', b, new Uint16Array([bfloat16Bits(1), bfloat16Bits(2 ** -9)]));
    expect([...b].map(fromBfloat16Bits)).toEqual([256, 1]);
    const m = new Uint16Array([bfloat16Bits(-3), bfloat16Bits(5)]);
    reduceTyped('min', 'bfloat16', m, new Uint16Array([bfloat16Bits(2), bfloat16Bits(-0.5)]));
    expect([...m].map(fromBfloat16Bits)).toEqual([-3, -0.5]);
  });
});

describe('test patterns: periodic, and exact in any order of combination', () => {
  it('inputValue repeats with inputPeriod for every type, op and rank count', () => {
    for (const nranks of [4, 9, 100, 300, 3000]) {
      for (const op of REDUCE_OPS) {
        for (const dtype of DTYPES) {
          const period = inputPeriod(op, dtype, nranks);
          let differ = 0;
          for (const rank of [0, 1, 7, nranks - 1]) {
            for (let k = 0; k < 2 * period; k++) if (inputValue(op, dtype, rank, k + period, nranks) !== inputValue(op, dtype, rank, k, nranks)) differ += 1;
          }
          expect(differ, `${op} ${dtype} ${nranks}`).toBe(0);
        }
      }
    }
  });

  it('reversed and pairwise (tree) orders give reducedValue exactly, every type and op', () => {
    for (const nranks of [4, 8, 64, 100, 300]) {
      for (const op of REDUCE_OPS) {
        for (const dtype of DTYPES) {
          let differ = 0;
          for (let index = 0; index < 120; index++) {
            const values = Array.from({ length: nranks }, (_, r) => inputValue(op, dtype, r, index, nranks));
            const want = reducedValue(op === 'avg' ? 'sum' : op, dtype, index, nranks);
            let reversed = values[nranks - 1]!;
            for (let r = nranks - 2; r >= 0; r--) reversed = combineIn(op, reversed, values[r]!, dtype);
            let level = values;
            while (level.length > 1) {
              const next: number[] = [];
              for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? combineIn(op, level[i]!, level[i + 1]!, dtype) : level[i]!);
              level = next;
            }
            if (!Object.is(reversed, want) && reversed !== want) differ += 1;
            if (!Object.is(level[0], want) && level[0] !== want) differ += 1;
          }
          expect(differ, `${op} ${dtype} ${nranks}`).toBe(0);
        }
      }
    }
  });

  it('fillInput writes inputValue for every element, in the type\'s own encoding', () => {
    for (const op of REDUCE_OPS) {
      for (const dtype of DTYPES) {
        const input = new CTOR[dtype](20_011);
        fillInput({ op, dtype, nranks: 5 }, 3, input);
        let differ = 0;
        for (let k = 0; k < input.length; k++) if (input[k] !== encode(dtype, inputValue(op, dtype, 3, k, 5))) differ += 1;
        expect(differ, `${op} ${dtype}`).toBe(0);
      }
    }
  });
});

describe('#wrong counts one wrong element of every type', () => {
  const nranks = 4;
  const count = 40_003;
  const cases: [CollectiveName, number][] = [['allReduce', count], ['reduceScatter', count], ['allGather', count * nranks]];
  for (const dtype of DTYPES) {
    it(dtype, () => {
      for (const [collective, outputCount] of cases) {
        for (const op of REDUCE_OPS) {
          const spec = { collective, op, dtype, nranks, root: 0, count };
          const expected = new Float64Array(outputCount);
          fillExpectedOutput(collective, op, dtype, 1, spec, expected);
          const output = new CTOR[dtype](outputCount);
          for (let i = 0; i < outputCount; i++) output[i] = encode(dtype, expected[i]!) as never;
          expect(countWrong(spec, 1, output)).toBe(0);
          expect(countWrong(spec, 1, output, bytesEqual)).toBe(0);
          // One element off by its lowest bit: the smallest change the type can hold.
          const at = 20_000;
          const bytes = new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
          bytes[at * output.BYTES_PER_ELEMENT] ^= 1;
          expect(countWrong(spec, 1, output), `${collective} ${op}`).toBe(1);
          expect(countWrong(spec, 1, output, bytesEqual), `${collective} ${op}`).toBe(1);
          bytes[at * output.BYTES_PER_ELEMENT] ^= 1;
          // The high byte of the last element (int64: its high word).
          bytes[outputCount * output.BYTES_PER_ELEMENT - 1] ^= 0x10;
          expect(countWrong(spec, 1, output, bytesEqual), `${collective} ${op}`).toBe(1);
        }
      }
    });
  }
});

describe('the library takes nccl-tests\' names', () => {
  it('runSchedule with dtype half/bfloat16/int8/uint64 moves real data: #wrong 0, the typed loops reported', async () => {
    const topology = parseTopologySpec('switch:4');
    const cluster = await createCluster({ topology, network: network(), mode: 'data' });
    try {
      for (const [dtype, op] of [['half', 'sum'], ['bfloat16', 'avg'], ['int8', 'prod'], ['uint64', 'max'], ['float', 'sum']] as const) {
        const result = await cluster.runSchedule(plan('allReduce', 'ring', topology, 4099), { dtype, op });
        expect(result.wrong, `${dtype} ${op}`).toBe(0);
        expect(result.backend, dtype).toBe(dtype === 'float' ? cluster.backend : 'typed');
      }
      const error = await cluster.runSchedule(plan('allReduce', 'ring', topology, 64), { dtype: 'fp4' as never, op: 'sum' }).catch((e: unknown) => e as Error);
      expect(error).toBeInstanceOf(WeftInputError);
      expect((error as Error).message).toMatch(/^dtype 'fp4' is not accepted; use one of int8, uint8, int32, uint32, int64, uint64, half, float, double, bfloat16, /);
    } finally {
      await cluster.close();
    }
  });

  it('backend tfjs and typed: a type tfjs lacks runs the typed loops and says so; #wrong 0 either way', async () => {
    const topology = parseTopologySpec('switch:3');
    for (const choice of ['tfjs', 'typed'] as const) {
      const cluster = await createCluster({ topology, network: network(), mode: 'data', ranksPerWorker: 3, backend: choice });
      try {
        for (const dtype of ['bfloat16', 'int64', 'int32'] as const) {
          const result = await cluster.runSchedule(plan('allReduce', 'ring', topology, 999), { dtype, op: 'sum' });
          expect(result.wrong, `${choice} ${dtype}`).toBe(0);
          expect(result.backend, `${choice} ${dtype}`).toBe(dtype === 'int32' ? cluster.backend : 'typed');
        }
      } finally {
        await cluster.close();
      }
    }
  });

  it('a program\'s allReduce of Int8Array, Uint8Array, Uint32Array and BigInt arrays wraps as C does', async () => {
    const cluster = await createCluster({ topology: parseTopologySpec('switch:4'), network: network(), mode: 'data' });
    try {
      for (const [kind, value, sum] of [
        ['Int8Array', 100, '-112'], // 400 mod 256, signed
        ['Uint8Array', 200, '32'], // 800 mod 256
        ['Uint32Array', 2 ** 31, '0'], // 2^33 mod 2^32
        ['BigInt64Array', String(2n ** 62n), '0'], // 2^64 mod 2^64
        ['BigUint64Array', String(2n ** 62n + 1n), '4'],
      ] as const) {
        const out = await cluster.runProgram<{ kind: string; values: string[] }>(fixtures, 'typedAllReduce', { kind, value });
        for (const result of out.results) expect(result, kind).toEqual({ kind, values: [sum, sum, sum] });
      }
    } finally {
      await cluster.close();
    }
  });
});
