/**
 * `--reference FILE`: a user's own nccl-tests output (all_reduce_perf's stdout, or a log that
 * holds it) read back and set beside weft's rows of the same size and type — what a cluster
 * owner does by hand when they ask whether weft models their cluster. The columns are found
 * from the log's own heading line (`#  size  count  type  redop  root  time  algbw  busbw
 * #wrong …`), so older nccl-tests layouts (no redop or root column) read as well; the first
 * `busbw` is the out-of-place one. Lines NCCL_DEBUG interleaves are skipped.
 */
import { WeftInputError } from '@weft/sim';
import type { DType } from '@weft/collectives';
import { DTYPE_TABLE_NAMES } from '../names.js';
import type { BenchRow } from './report.js';

export interface ReferenceRow {
  readonly bytes: number;
  /** nccl-tests' type name (float, half, …), when the log has a type column. */
  readonly type?: string;
  readonly busBwGBps: number;
}

export interface ReferenceComparison {
  readonly file: string;
  /** One per weft row with a reference row of its size (and type). */
  readonly rows: readonly { readonly algorithm: string; readonly bytes: number; readonly dtype: string; readonly busBwGBps: number; readonly referenceBusBwGBps: number; readonly ratio: number }[];
  /** exp(mean |ln(weft / reference)|) − 1, in percent: how far weft is, whichever side. */
  readonly geomeanErrorPct: number | null;
  /** Sizes in the reference that no weft row has. */
  readonly unmatchedBytes: readonly number[];
}

/** The rows of an nccl-tests log. Throws WeftInputError naming the file when it has none. */
export function parseNcclTestsLog(file: string, text: string): ReferenceRow[] {
  let columns: string[] | undefined;
  const rows: ReferenceRow[] = [];
  for (const line of text.split(/\r?\n/)) {
    const words = line.trim().split(/\s+/);
    if (words[0] === '#' && words.includes('size') && words.includes('busbw')) {
      columns = words.slice(1);
      continue;
    }
    if (columns === undefined || line.trimStart().startsWith('#') || !/^\d+$/.test(words[0] ?? '')) continue;
    const at = (name: string) => columns!.indexOf(name);
    const busBw = Number(words[at('busbw')]);
    const bytes = Number(words[at('size')]);
    if (!Number.isFinite(busBw) || !Number.isSafeInteger(bytes)) continue;
    const type = at('type') >= 0 ? words[at('type')] : undefined;
    rows.push({ bytes, busBwGBps: busBw, ...(type !== undefined ? { type } : {}) });
  }
  if (rows.length === 0) {
    throw new WeftInputError(
      `--reference: '${file}' holds no nccl-tests rows; give the output of an nccl-tests run (its '#  size  count  type … busbw' heading line, then one row per size)`,
    );
  }
  return rows;
}

/** weft's rows beside the reference's of the same size (and type, where the log names types). */
export function compareWithReference(file: string, reference: readonly ReferenceRow[], rows: readonly BenchRow[]): ReferenceComparison {
  const matched: ReferenceComparison['rows'][number][] = [];
  const used = new Set<number>();
  for (const row of rows) {
    const type = DTYPE_TABLE_NAMES.get(row.dtype as DType) ?? row.dtype;
    const ref = reference.find((r) => r.bytes === row.bytes && (r.type === undefined || r.type === type));
    if (ref === undefined || !(ref.busBwGBps > 0) || !(row.busBwGBps > 0)) continue;
    used.add(ref.bytes);
    matched.push({ algorithm: row.algorithm, bytes: row.bytes, dtype: row.dtype, busBwGBps: row.busBwGBps, referenceBusBwGBps: ref.busBwGBps, ratio: row.busBwGBps / ref.busBwGBps });
  }
  const logs = matched.map((m) => Math.abs(Math.log(m.ratio)));
  return {
    file,
    rows: matched,
    geomeanErrorPct: logs.length > 0 ? (Math.exp(logs.reduce((a, b) => a + b, 0) / logs.length) - 1) * 100 : null,
    unmatchedBytes: [...new Set(reference.map((r) => r.bytes))].filter((b) => !used.has(b)),
  };
}

/** The footer lines under the table. */
export function formatReference(comparison: ReferenceComparison | undefined): string[] {
  if (comparison === undefined) return [];
  const lines = [`# Reference ${comparison.file}: ${comparison.rows.length} row(s) of the same size${comparison.geomeanErrorPct !== null ? `, weft within ${comparison.geomeanErrorPct.toFixed(1)} % of it (geomean |ln(weft/ref)|)` : ''}`];
  const width = Math.max(18, ...comparison.rows.map((m) => m.algorithm.length));
  if (comparison.rows.length > 0) lines.push(`#   ${'algorithm'.padEnd(width)} ${'size'.padStart(12)} ${'busbw'.padStart(9)} ${'reference'.padStart(9)}  weft/ref`);
  for (const m of comparison.rows) {
    lines.push(`#   ${m.algorithm.padEnd(width)} ${String(m.bytes).padStart(12)} ${m.busBwGBps.toFixed(2).padStart(9)} ${m.referenceBusBwGBps.toFixed(2).padStart(9)}  ${m.ratio.toFixed(3)}`);
  }
  if (comparison.unmatchedBytes.length > 0) lines.push(`#   sizes in the reference weft did not run: ${comparison.unmatchedBytes.join(', ')}`);
  return lines;
}
