/**
 * A data-mode run whose results are wrong ends with exit code 1, as nccl-tests does
 * (`# Out of bounds values : N FAILED`, then `exit(EXIT_FAILURE)` in its common.cu): a script or CI
 * job that runs `weft bench` sees the failure without parsing the table. The table, JSON, CSV and
 * output files are still written first — they are the evidence.
 */
import type { BenchReport } from './report.js';

/** Listed in entry.ts's RUN_FAILURES: its message is the whole story (one line, no stack). */
export class WrongResultsError extends Error {
  override readonly name = 'WrongResultsError';
}

/** Throws WrongResultsError when any checked row of `reports` has wrong elements. */
export function assertResultsRight(reports: readonly BenchReport[]): void {
  const rows = reports.flatMap((report) => report.rows);
  const wrongRows = rows.filter((row) => (row.wrong ?? 0) > 0);
  if (wrongRows.length === 0) return;
  const elements = wrongRows.reduce((sum, row) => sum + row.wrong!, 0);
  const first = wrongRows[0]!;
  throw new WrongResultsError(
    `${elements.toLocaleString('en-US')} wrong element(s) (#wrong) in ${wrongRows.length} of ${rows.length} row(s), first ${first.algorithm} at ${first.bytes} B: the results are not the collective's (exit code 1, as nccl-tests)`,
  );
}
