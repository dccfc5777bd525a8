import type { BenchReport } from '../bench/report.js';

export function formatJson(report: BenchReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
