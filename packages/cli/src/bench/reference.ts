/**
 * `--reference FILE`: a user's own nccl-tests output (all_reduce_perf's stdout, or a log that
 * holds it) read back and set beside weft's rows of the same size and type — what a cluster
 * owner does by hand when they ask whether weft models their cluster. The columns are found
 * from the log's own heading line (`#  size  count  type  redop  root  time  algbw  busbw
 * #wrong …`), so older nccl-tests layouts (no redop or root column) read as well; the first
 * `time` and `busbw` are the out-of-place ones. Lines NCCL_DEBUG interleaves are skipped, and the
 * prefixes `mpirun --tag-output` and `srun -l` put on each line are dropped. The ratio is the log's
 * time over weft's (the same as busbw's at the same size, ranks and collective, without its
 * two-decimal rounding).
 */
import { WeftInputError } from '@weft/sim';
import type { DType } from '@weft/collectives';
import { DTYPE_TABLE_NAMES } from '../names.js';
import type { BenchRow } from './report.js';

export interface ReferenceRow {
  readonly bytes: number;
  /** nccl-tests' type name (float, half, …), when the log has a type column. */
  readonly type?: string;
  /** sum, prod, …, none: when the log has a redop column (a `-o all` log has a row per op). */
  readonly redop?: string;
  /** Out-of-place time, µs: the ratio's measure (busbw is printed with two decimals, 0.00 at small sizes). */
  readonly timeUs: number;
  readonly busBwGBps: number;
}

/** The largest log read: a large cluster's NCCL_DEBUG=INFO output runs to hundreds of MB. */
const MAX_LOG_BYTES = 1 << 30;

/** Line prefixes launchers add: `mpirun --tag-output`'s `[1,0]<stdout>:`, `srun -l`'s `12: `. */
const LAUNCHER_PREFIX = /^(\[\d+,\d+\]<std(?:out|err)>:|\d+: )/;

/** The log's text (a regular file up to 1 GiB). */
export function readReferenceLog(path: string, read: (flag: string, path: string, wanted: string, maxBytes: number) => string): string {
  return read('--reference', path, "the output of an nccl-tests run saved to a file (e.g. all_reduce_perf … > run.log)", MAX_LOG_BYTES);
}

export interface ReferenceComparison {
  readonly file: string;
  /** One per weft row with a reference row of its size (and type). */
  readonly rows: readonly {
    readonly algorithm: string;
    readonly bytes: number;
    readonly dtype: string;
    readonly redop: string;
    readonly busBwGBps: number;
    readonly referenceBusBwGBps: number;
    readonly referenceTimeUs: number;
    /** weft's busbw over the log's: the log's time over weft's (same size, ranks and collective). */
    readonly ratio: number;
  }[];
  /** exp(mean |ln(weft / reference)|) − 1, in percent: how far weft is, whichever side. */
  readonly geomeanErrorPct: number | null;
  /** The log's rows no weft row has the size, type and op of, as `bytes type redop`. */
  readonly unmatched: readonly string[];
}

/** The rows of an nccl-tests log. Throws WeftInputError naming the file when it has none. */
export function parseNcclTestsLog(file: string, text: string): ReferenceRow[] {
  let columns: string[] | undefined;
  const rows: ReferenceRow[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(LAUNCHER_PREFIX, '');
    const words = line.trim().split(/\s+/);
    if (words[0] === '#' && words.includes('size') && words.includes('busbw')) {
      columns = words.slice(1);
      continue;
    }
    if (columns === undefined || line.trimStart().startsWith('#') || !/^\d+$/.test(words[0] ?? '')) continue;
    const at = (name: string) => columns!.indexOf(name);
    const busBw = Number(words[at('busbw')]);
    const timeUs = Number(words[at('time')]);
    const bytes = Number(words[at('size')]);
    if (!Number.isFinite(busBw) || !(timeUs > 0) || !Number.isSafeInteger(bytes)) continue;
    const type = at('type') >= 0 ? words[at('type')] : undefined;
    const redop = at('redop') >= 0 ? words[at('redop')] : undefined;
    rows.push({ bytes, timeUs, busBwGBps: busBw, ...(type !== undefined ? { type } : {}), ...(redop !== undefined ? { redop } : {}) });
  }
  if (rows.length === 0) {
    throw new WeftInputError(
      `--reference: '${file}' holds no nccl-tests rows; give the output of an nccl-tests run (its '#  size  count  type … busbw' heading line, then one row per size)`,
    );
  }
  return rows;
}

/** Whether a log row stands for weft's `row`: the same size, and type and op where the log names them. */
function sameRun(ref: ReferenceRow, row: BenchRow): boolean {
  const type = DTYPE_TABLE_NAMES.get(row.dtype as DType) ?? row.dtype;
  return ref.bytes === row.bytes && (ref.type === undefined || ref.type === type) && (ref.redop === undefined || ref.redop === row.redop);
}

/** weft's rows beside the reference's of the same size, type and op. */
export function compareWithReference(file: string, reference: readonly ReferenceRow[], rows: readonly BenchRow[]): ReferenceComparison {
  const matched: ReferenceComparison['rows'][number][] = [];
  for (const row of rows) {
    const ref = reference.find((r) => sameRun(r, row));
    if (ref === undefined || !(row.timeUs > 0)) continue;
    matched.push({
      algorithm: row.algorithm,
      bytes: row.bytes,
      dtype: row.dtype,
      redop: row.redop,
      busBwGBps: row.busBwGBps,
      referenceBusBwGBps: ref.busBwGBps,
      referenceTimeUs: ref.timeUs,
      ratio: ref.timeUs / row.timeUs,
    });
  }
  const logs = matched.map((m) => Math.abs(Math.log(m.ratio)));
  return {
    file,
    rows: matched,
    geomeanErrorPct: logs.length > 0 ? (Math.exp(logs.reduce((a, b) => a + b, 0) / logs.length) - 1) * 100 : null,
    unmatched: [...new Set(reference.filter((r) => !rows.some((row) => sameRun(r, row))).map((r) => [r.bytes, r.type, r.redop].filter((w) => w !== undefined).join(' ')))],
  };
}

/** The footer lines under the table. */
export function formatReference(comparison: ReferenceComparison | undefined): string[] {
  if (comparison === undefined) return [];
  const lines = [`# Reference ${comparison.file}: ${comparison.rows.length} row(s) of the same size${comparison.geomeanErrorPct !== null ? `, weft within ${comparison.geomeanErrorPct.toFixed(1)} % of it (geomean |ln(weft/ref)|)` : ''}`];
  const width = Math.max(18, ...comparison.rows.map((m) => m.algorithm.length));
  if (comparison.rows.length > 0) lines.push(`#   ${'algorithm'.padEnd(width)} ${'size'.padStart(12)} ${'type'.padStart(8)} ${'redop'.padStart(6)} ${'busbw'.padStart(9)} ${'reference'.padStart(9)}  weft/ref (the log's time / weft's)`);
  for (const m of comparison.rows) {
    const type = DTYPE_TABLE_NAMES.get(m.dtype as DType) ?? m.dtype;
    lines.push(`#   ${m.algorithm.padEnd(width)} ${String(m.bytes).padStart(12)} ${type.padStart(8)} ${m.redop.padStart(6)} ${m.busBwGBps.toFixed(2).padStart(9)} ${m.referenceBusBwGBps.toFixed(2).padStart(9)}  ${m.ratio.toFixed(3)}`);
  }
  if (comparison.unmatched.length > 0) lines.push(`#   rows of the reference with no weft row of their size, type and op: ${comparison.unmatched.join(', ')}`);
  return lines;
}
