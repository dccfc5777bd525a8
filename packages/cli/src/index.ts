export { runCli, EXIT_USAGE } from './cli.js';
export { runSweep, countForBytes, planParams } from './bench/sweep.js';
export type { BenchConfig } from './bench/config.js';
export type { BenchReport, BenchRow, LinkRow } from './bench/report.js';
export { formatTable } from './format/table.js';
export { formatCsv } from './format/csv.js';
export { formatJson } from './format/json.js';
export { buildTrace } from './format/trace.js';
export { parseSizeBytes, sizeSweep } from './sizes.js';
