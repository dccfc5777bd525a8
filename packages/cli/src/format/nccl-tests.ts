/**
 * `--format nccl-tests`: the report as nccl-tests prints it (src/common.cu), so scripts and
 * dashboards written for all_reduce_perf's stdout read weft's unchanged: the `# nThread …`
 * line, one `#  Rank` line per GPU, the 13 columns (out-of-place, then in-place), the same
 * number formats (time %7.2f below 100 µs, %7.1f below 10 ms, %7.0f above; bandwidths %6.2f),
 * and the two footer lines. The default table puts weft's own columns (algorithm, protocol,
 * predicted, wall) where nccl-tests has the in-place ones, so an index-based parser read the
 * predicted time as in-place busbw and the wall time as in-place #wrong.
 *
 * What weft adds is in `#` lines, which nccl-tests' parsers skip. In-place: an in-place call
 * runs the same schedule over the same links, so its simulated time is the out-of-place one;
 * its #wrong is N/A (weft checks the out-of-place run). Unchecked runs (ghost mode, `-c 0`)
 * print `Out of bounds values : 0 OK`, as nccl-tests does with `-c 0`.
 */
import type { Topology } from '@weft/fabric';
import { environmentLine, type DType } from '@weft/collectives';
import type { BenchReport, BenchRow } from '../bench/report.js';
import { DTYPE_TABLE_NAMES } from '../names.js';
import { formatFaultOutcomes } from '../bench/fault-runs.js';
import { formatReference } from '../bench/reference.js';
import { formatExplain, formatLinks } from './table.js';
import { formatEnergyFooter } from './energy.js';

/** What the `# nThread` line says of the sweep (flags the report does not carry). */
export interface NcclTestsSweep {
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly stepFactor: number;
  readonly stepBytes?: number | undefined;
  readonly check: boolean;
}

/** nccl-tests' time format: %7.0f from 10 ms, %7.1f from 100 µs, else %7.2f. */
export function ncclTestsTime(timeUs: number): string {
  return (timeUs >= 10_000 ? timeUs.toFixed(0) : timeUs >= 100 ? timeUs.toFixed(1) : timeUs.toFixed(2)).padStart(7);
}

const bw = (gbps: number): string => gbps.toFixed(2).padStart(6);

/** C's %g: six significant digits, trailing zeros of the fraction dropped. */
function cG(value: number): string {
  const text = value.toPrecision(6);
  if (text.includes('e')) return text.replace(/\.?0+e/, 'e').replace(/e([+-])(\d)$/, 'e$10$2');
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** One placement's four columns: "  %7s  %6.2f  %6.2f  %5s". */
function placement(row: BenchRow, wrong: string): string {
  return `  ${ncclTestsTime(row.timeUs)}  ${bw(row.algBwGBps)}  ${bw(row.busBwGBps)}  ${wrong.padStart(5)}`;
}

function rowLine(row: BenchRow): string {
  const type = DTYPE_TABLE_NAMES.get(row.dtype as DType) ?? row.dtype;
  const head = `${String(row.bytes).padStart(12)}  ${String(row.count).padStart(12)}  ${type.padStart(8)}  ${row.redop.padStart(6)}  ${String(row.root).padStart(6)}`;
  return head + placement(row, row.wrong === null ? 'N/A' : String(row.wrong)) + placement(row, 'N/A');
}

/** `#  Rank` lines: each GPU's server (the part of its node id before the last '.') and its index there. */
function rankLines(topology: Topology): string[] {
  const perHost = new Map<string, number>();
  return topology.ranks.map((node, rank) => {
    const dot = node.lastIndexOf('.');
    const host = dot > 0 ? node.slice(0, dot) : 'weft';
    const device = perHost.get(host) ?? 0;
    perHost.set(host, device + 1);
    return `#  Rank ${String(rank).padStart(2)} Group  0 Pid ${String(process.pid).padStart(6)} on ${host.padStart(10)} device ${String(device).padStart(2)} [emulated] ${node} (weft)`;
  });
}

export function formatNcclTests(report: BenchReport, topology: Topology, sweep: NcclTestsSweep): string {
  const step = sweep.stepBytes !== undefined ? `${sweep.stepBytes}(bytes)` : `${sweep.stepFactor}(factor)`;
  const checked = report.rows.some((row) => row.wrong !== null);
  const wrong = report.rows.reduce((sum, row) => sum + (row.wrong ?? 0), 0);
  const lines = [
    `# nThread 1 nGpus ${topology.ranks.length} minBytes ${sweep.minBytes} maxBytes ${sweep.maxBytes} step: ${step} warmup iters: ${report.warmupIters} iters: ${report.iters} agg iters: 1 validation: ${sweep.check ? 1 : 0} graph: 0`,
    `# weft bench ${report.collective}: emulated ${report.topology.spec}, ${report.model}/${report.routing}, ${report.mode} mode; time is simulated; in-place = out-of-place (the same schedule); algorithm per size: --format table or json`,
    ...[environmentLine(report.environment, '# ')].filter((l): l is string => l !== undefined),
    '#',
    '# Using devices',
    ...rankLines(topology),
    '#',
    '#                                                              out-of-place                       in-place          ',
    '#       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong',
    '#        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)       ',
    ...report.rows.map(rowLine),
    // No row: every run failed under the faults (nccl-tests would have aborted): no "0 OK" for a parser to pass.
    report.rows.length === 0 ? '# Out of bounds values : N/A (no run completed: see # Faults)' : `# Out of bounds values : ${checked ? wrong : 0} ${checked && wrong > 0 ? 'FAILED' : 'OK'}`,
    `# Avg bus bandwidth    : ${cG(report.avgBusBwGBps)} `,
    '#',
  ];
  // weft's own sections, all `#` lines as nccl-tests' parsers skip: --explain, --links, --energy, faults, --reference.
  const sections = [formatExplain(report), formatLinks(report), formatEnergyFooter(report).join('\n'), formatReference(report.reference).join('\n')].filter((t) => t !== '');
  const faults = report.faults ? formatFaultOutcomes(report.faults.scenario, report.faults.outcomes) : '';
  return lines.join('\n') + '\n' + faults + sections.map((t) => t.replace(/\n?$/, '\n')).join('');
}
