/**
 * `weft bench -d` takes nccl-tests' type names (src/common.cu test_typenames): data mode
 * reduces real bytes of every type with every op and #wrong stays 0, ghost mode times them
 * the same, the table prints nccl-tests' name, `-d all` runs every type in turn, and a type
 * weft does not know (fp4, fp8) is one line and exit 2.
 */
import { describe, expect, it } from 'vitest';
import { COL, expectUsageError, tableRows, weft } from './run-weft.js';

const NCCL_NAMES = ['int8', 'uint8', 'int32', 'uint32', 'int64', 'uint64', 'half', 'float', 'double', 'bfloat16'];
const WEFT_NAMES = ['int8', 'uint8', 'int32', 'uint32', 'int64', 'uint64', 'float16', 'float32', 'float64', 'bfloat16'];

interface Row {
  readonly bytes: number;
  readonly count: number;
  readonly dtype: string;
  readonly redop: string;
  readonly timeUs: number;
  readonly wrong: number | null;
}
interface Report {
  readonly backend: string;
  readonly mode: string;
  readonly rows: readonly Row[];
}

function json(args: readonly string[]): Report {
  const run = weft(['bench', ...args, '--format', 'json'], { timeoutMs: 120_000 });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as Report;
}

describe('weft bench -d: every nccl-tests type, real data', () => {
  // One process per op runs every type (-d all), so the whole matrix is 5 spawns.
  for (const op of ['sum', 'prod', 'min', 'max', 'avg']) {
    it(`allreduce -d all -o ${op}: every type, every size, #wrong 0`, () => {
      const report = json(['allreduce', '--ranks', '4', '-d', 'all', '-o', op, '-b', '8', '-e', '64K']);
      expect([...new Set(report.rows.map((row) => row.dtype))]).toEqual(WEFT_NAMES);
      for (const row of report.rows) {
        expect(row.wrong, `${row.dtype} ${row.bytes}`).toBe(0);
        expect(row.redop).toBe(op);
      }
      // Types the wasm kernels lack ran the typed loops: the report names both.
      expect(report.backend.split(',').sort()).toEqual(['typed', 'wasm-simd']);
    }, 180_000);
  }

  for (const collective of ['reducescatter', 'allgather', 'broadcast']) {
    for (const type of ['bfloat16', 'int8']) {
      it(`${collective} -d ${type}: #wrong 0, the table's type column says ${type}`, () => {
        const run = weft(['bench', collective, '--ranks', '4', '-d', type, '-b', '8', '-e', '64K'], { timeoutMs: 120_000 });
        expect(run.code).toBe(0);
        const rows = tableRows(run.stdout);
        expect(rows.length).toBeGreaterThan(5);
        for (const row of rows) {
          expect(row[COL.type]).toBe(type);
          expect(row[COL.wrong]).toBe('0');
        }
        expect(run.stdout).toMatch(/backend: typed/);
      }, 120_000);
    }
  }

  it('-d half and -d bfloat16 as users type them: the table prints nccl-tests\' names, float stays wasm-simd', () => {
    for (const [type, backend] of [['half', 'typed'], ['bfloat16', 'typed'], ['float', 'wasm-simd'], ['char', 'typed']] as const) {
      const run = weft(['bench', 'allreduce', '--ranks', '4', '-d', type, '-o', 'avg', '-b', '1K', '-e', '4K'], { timeoutMs: 120_000 });
      expect(run.code).toBe(0);
      for (const row of tableRows(run.stdout)) {
        expect(row[COL.type]).toBe(type === 'char' ? 'int8' : type);
        expect(row[COL.wrong]).toBe('0');
      }
      expect(run.stdout).toContain(`backend: ${backend}`);
    }
  }, 120_000);

  it('ghost mode gives the same simulated times as data mode, and counts = bytes / element size', () => {
    for (const type of ['bfloat16', 'int8', 'uint64']) {
      const args = ['allreduce', '--ranks', '4', '-d', type, '-b', '8', '-e', '64K'];
      const data = json([...args, '--mode', 'data']);
      const ghost = json([...args, '--mode', 'ghost']);
      expect(ghost.rows.map((row) => row.timeUs)).toEqual(data.rows.map((row) => row.timeUs));
      expect(ghost.rows.map((row) => row.count)).toEqual(data.rows.map((row) => row.count));
      const size = { bfloat16: 2, int8: 1, uint64: 8 }[type]!;
      for (const row of ghost.rows) expect(row.count).toBe(row.bytes / size);
      expect(ghost.rows.every((row) => row.wrong === null)).toBe(true);
    }
  }, 180_000);

  it('-d all in the table: rows per type, in nccl-tests\' order, named as nccl-tests names them', () => {
    const run = weft(['bench', 'allreduce', '--ranks', '4', '-d', 'all', '--mode', 'ghost', '-b', '1K', '-e', '2K'], { timeoutMs: 120_000 });
    expect(run.code).toBe(0);
    const rows = tableRows(run.stdout);
    expect(rows.map((row) => row[COL.type])).toEqual(NCCL_NAMES.flatMap((name) => [name, name]));
    expect(rows.map((row) => row[COL.size])).toEqual(NCCL_NAMES.flatMap(() => ['1024', '2048']));
  }, 120_000);

  it('an unknown type is one line naming it and what is accepted, exit 2; fp8 says it is not emulated', () => {
    expectUsageError(
      weft(['bench', 'allreduce', '-d', 'fp4']),
      /^weft: -d\/--datatype: 'fp4' is not accepted; use int8, uint8, int32, uint32, int64, uint64, half, float, double, bfloat16, .* or all$/,
    );
    expectUsageError(weft(['bench', 'allreduce', '-d', 'f8e4m3']), /^weft: -d\/--datatype: 'f8e4m3' is not accepted: fp8 types are not emulated; use int8, .* or all$/);
    expectUsageError(weft(['bench', 'allreduce', '-d', 'all', '--compare', 'ranks=4,8']), /^weft: -d all: not with --compare/);
  });
});
