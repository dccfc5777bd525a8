import { benchSchema } from './bench/schema.js';
import { readInputFile } from './input-file.js';

export { runCli, EXIT_USAGE } from './cli.js';
export { runSweep, planParams } from './bench/sweep.js';
export type { BenchConfig, BenchFlags, BenchAlgorithm } from './bench/config.js';
export { parseBenchFlags } from './bench/config.js';
/** `weft bench`'s flags as one zod schema, `--scenario` read from disk (the CLI itself reads them without zod: bench/field.ts). */
export const BENCH_SCHEMA = benchSchema(readInputFile);
export { progressBar, type ProgressBar } from './ui/progress.js';
export { renderSvg, VEGA_LITE_SCHEMA } from './format/plot.js';
export type { BenchReport, BenchRow, LinkRow } from './bench/report.js';
export { formatTable } from './format/table.js';
export { formatCsv } from './format/csv.js';
export { formatJson } from './format/json.js';
export { buildTrace } from './format/trace.js';
export { parseSizeBytes, sizeSweep } from './sizes.js';
