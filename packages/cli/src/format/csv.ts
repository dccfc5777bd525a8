import { stringify } from 'csv-stringify/sync';
import type { BenchReport } from '../bench/report.js';
import { compareRows, type CompareRun, type CompareSpec } from '../bench/compare.js';
import { ENERGY_CSV } from './energy.js';

/** One CSV line per row with the JSON row fields (links and --explain candidates are JSON-only; rank classes' below). */
export const CSV_COLUMNS = [
  'algorithm', 'bytes', 'count', 'dtype', 'redop', 'root', 'timeUs', 'algBwGBps', 'busBwGBps',
  'wrong', 'predictedUs', 'protocol', 'channels', 'chunkBytes', 'wallMs', 'events',
] as const;

/**
 * Rank classes' row fields (ghost runs of 256+ ranks; docs/bench-json.md), at the end and only
 * when some row has one, so that a smaller run's CSV keeps its columns.
 */
const CLASS_COLUMNS = ['simulatedRanks', 'noClassesReason'] as const;

export function formatCsv(report: BenchReport): string {
  const energy = report.energy !== undefined ? ENERGY_CSV : [];
  const classes = report.rows.some((row) => CLASS_COLUMNS.some((column) => row[column] !== undefined)) ? CLASS_COLUMNS : [];
  const records = report.rows.map((row) => [...[...CSV_COLUMNS, ...classes].map((column) => row[column] ?? ''), ...energy.map(([, cell]) => cell(row))]);
  return stringify(records, { header: true, columns: [...CSV_COLUMNS, ...classes, ...energy.map(([name]) => name)] });
}

/** `--compare` as CSV: per size and algorithm, busbw (GB/s) under each value, in columns named FLAG=VALUE. */
export function formatCompareCsv(spec: CompareSpec, runs: readonly CompareRun[]): string {
  // busbw under each value, then what ran under each (auto may pick differently per value).
  // Empty where a value ran no such size (compareRows).
  const records = compareRows(runs).map((row) => [row.bytes, row.algorithm, ...row.cells.map((c) => c?.busBwGBps ?? ''), ...row.cells.map((c) => c?.algorithm ?? '')]);
  const columns = ['bytes', 'algorithm', ...spec.values.map((v) => `${spec.name}=${v}`), ...spec.values.map((v) => `algorithm ${spec.name}=${v}`)];
  return stringify(records, { header: true, columns });
}
