/**
 * The data-mode test pattern at memory speed (core/data/test-pattern.ts) against the
 * per-element oracle it replaces: inputs equal inputValue element by element, and #wrong
 * equals a count against fillExpectedOutput, for every op and dtype, rank-specific and
 * shared outputs, lengths that are not a whole number of periods, and planted errors.
 */
import { describe, expect, it } from 'vitest';
import { DTYPES, fillExpectedOutput, inputPeriod, inputValue, REDUCE_OPS, type CollectiveName } from '@weft/collectives';
import { countWrong, fillInput } from '@weft/runtime';

const bytesEqual = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;
const CTOR = { float32: Float32Array, float64: Float64Array, int32: Int32Array } as const;
/** The types whose elements are plain numbers of their own typed array (the others: dtypes.test.ts). */
const NUMBER_DTYPES = ['float32', 'float64', 'int32'] as const;

/** #wrong as the check counted it before: against fillExpectedOutput's array, NaN = undefined. */
function oracleWrong(expected: Float64Array, output: ArrayLike<number>): number {
  let wrong = 0;
  for (let i = 0; i < output.length; i++) if (expected[i] === expected[i] && output[i] !== expected[i]) wrong += 1;
  return wrong;
}

describe('test pattern', () => {
  it('inputValue repeats with inputPeriod for every op, dtype and rank', () => {
    for (const op of REDUCE_OPS) {
      for (const dtype of DTYPES) {
        const period = inputPeriod(op, dtype, 9);
        let differ = 0;
        for (let rank = 0; rank < 9; rank++) {
          for (let k = 0; k < 2 * period; k++) if (inputValue(op, dtype, rank, k + period, 9) !== inputValue(op, dtype, rank, k, 9)) differ += 1;
        }
        expect(differ, `${op} ${dtype}`).toBe(0);
      }
    }
  });

  it('fillInput writes inputValue for every element', () => {
    for (const op of REDUCE_OPS) {
      for (const dtype of NUMBER_DTYPES) {
        const input = new CTOR[dtype](40_003);
        fillInput({ op, dtype, nranks: 5 }, 3, input);
        const want = new CTOR[dtype](40_003);
        let differ = 0;
        for (let k = 0; k < want.length; k++) {
          want[k] = inputValue(op, dtype, 3, k, 5);
          if (input[k] !== want[k]) differ += 1;
        }
        expect(differ, `${op} ${dtype}`).toBe(0);
      }
    }
  });

  it('countWrong agrees with the per-element oracle, including planted errors and the poison', () => {
    const nranks = 4;
    const count = 40_003; // more than two tiles for every period, not a whole number of them
    const cases: [CollectiveName, number][] = [['allReduce', count], ['allGather', count * nranks], ['reduceScatter', count], ['reduce', count], ['broadcast', count]];
    for (const [collective, outputCount] of cases) {
      for (const op of REDUCE_OPS) {
        for (const dtype of NUMBER_DTYPES) {
          const spec = { collective, op, dtype, nranks, root: 1, count };
          for (const rank of [0, 1]) {
            const output = new CTOR[dtype](outputCount);
            const expected = new Float64Array(outputCount);
            fillExpectedOutput(collective, op, dtype, rank, spec, expected);
            for (let i = 0; i < outputCount; i++) output[i] = expected[i] === expected[i] ? expected[i]! : 0;
            expect(countWrong(spec, rank, output)).toBe(0);
            expect(countWrong(spec, rank, output, bytesEqual)).toBe(0);
            // -0 where 0 is expected is right (=== compares values), though its bytes differ.
            const zero = expected.indexOf(0);
            if (zero >= 0 && dtype !== 'int32') {
              output[zero] = -0;
              expect(countWrong(spec, rank, output, bytesEqual)).toBe(0);
            }
            // Plant errors: a changed value, the NaN/INT32_MIN poison, the last element.
            output[7] = (output[7] ?? 0) + 1;
            output[outputCount - 1] = dtype === 'int32' ? -2147483648 : NaN;
            output[20000] = (output[20000] ?? 0) + 3;
            const want = oracleWrong(expected, output);
            expect(countWrong(spec, rank, output)).toBe(want);
            expect(countWrong(spec, rank, output, bytesEqual)).toBe(want);
          }
        }
      }
    }
  });
});
