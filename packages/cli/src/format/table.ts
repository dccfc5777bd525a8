import type { PacketOptions } from '@weft/fabric';
import type { BenchReport, BenchRow } from '../bench/report.js';
import { DTYPE_TABLE_NAMES } from '../names.js';
import { environmentLine, type DType } from '@weft/collectives';
import { ENERGY_COLUMNS, formatEnergyFooter } from './energy.js';
import { formatReference } from '../bench/reference.js';

/**
 * The nccl-tests table (src/common.cu: "size count type redop root time algbw busbw
 * #wrong"), out-of-place columns only — in-place runs the same schedule, so its simulated
 * time is identical — followed by weft's algorithm, prediction and wall-time columns.
 */
export interface Column {
  readonly title: string;
  readonly unit: string;
  readonly width: number;
  readonly cell: (row: BenchRow) => string;
}

const fixed = (value: number, digits: number): string => value.toFixed(digits);

const COLUMNS: readonly Column[] = [
  { title: 'size', unit: '(B)', width: 12, cell: (r) => String(r.bytes) },
  { title: 'count', unit: '(elements)', width: 12, cell: (r) => String(r.count) },
  { title: 'type', unit: '', width: 8, cell: (r) => DTYPE_TABLE_NAMES.get(r.dtype as DType) ?? r.dtype },
  { title: 'redop', unit: '', width: 6, cell: (r) => r.redop },
  { title: 'root', unit: '', width: 6, cell: (r) => String(r.root) },
  { title: 'time', unit: '(us)', width: 10, cell: (r) => formatTimeUs(r.timeUs) },
  { title: 'algbw', unit: '(GB/s)', width: 8, cell: (r) => fixed(r.algBwGBps, 2) },
  { title: 'busbw', unit: '(GB/s)', width: 8, cell: (r) => fixed(r.busBwGBps, 2) },
  { title: '#wrong', unit: '', width: 7, cell: (r) => (r.wrong === null ? 'N/A' : String(r.wrong)) },
  { title: 'algorithm', unit: '', width: 16, cell: (r) => r.algorithm },
  { title: 'proto', unit: '', width: 6, cell: (r) => r.protocol ?? '-' },
  { title: 'predicted', unit: '(us)', width: 10, cell: (r) => formatTimeUs(r.predictedUs) },
  { title: 'wall', unit: '(ms)', width: 9, cell: (r) => fixed(r.wallMs, 1) },
];

/**
 * Times with 2 decimals below 10 ms and 1 above: finer than nccl-tests' own (%7.2f below 100 µs,
 * %7.1f below 10 ms, %7.0f above), since simulated times are exact; `--format nccl-tests`
 * prints nccl-tests' (format/nccl-tests.ts).
 */
function formatTimeUs(timeUs: number): string {
  return timeUs < 10_000 ? timeUs.toFixed(2) : timeUs.toFixed(1);
}

/**
 * The table's columns: with --energy, the energy ones after weft's own. `labels`: every
 * algorithm label the table can hold (the sweep's plan knows them before the first row): the
 * algorithm column widens to the longest (barrier's `auto(dissemination)`, a user module's
 * name), so a streamed table's rows line up with its header.
 */
function columnsOf(energy: boolean, labels: readonly string[]): readonly Column[] {
  const width = Math.max(0, ...new Set(labels.map((label) => label.length)));
  const columns = COLUMNS.map((c) => (c.title === 'algorithm' && width > c.width ? { ...c, width } : c));
  return energy ? [...columns, ...ENERGY_COLUMNS] : columns;
}

function line(columns: readonly Column[], cells: readonly string[], prefix: string): string {
  return prefix + cells.map((cell, i) => cell.padStart(columns[i]!.width - (i === 0 ? prefix.length : 0))).join(' ');
}

/** `--tuner auto` with the rule it resolved to, and why where that is weft's (no GPU generation named). */
function tunerText(report: { readonly tuner: string; readonly tunerRule: string }): string {
  if (report.tuner !== 'auto') return report.tuner;
  return report.tunerRule === 'nccl' ? 'auto (nccl)' : 'auto (weft: the topology names no computeCapability)';
}

export function formatHeader(report: Omit<BenchReport, 'rows' | 'avgBusBwGBps' | 'avgBusBwGBpsByAlgorithm'>, labels: readonly string[]): string {
  const columns = columnsOf(report.energy !== undefined, labels);
  return [
    `# weft bench ${report.collective}`,
    `#  topology: ${report.topology.spec} (${report.topology.ranks} ranks)  model: ${report.model}  routing: ${report.routing}  qps: ${report.qps}  seed: ${report.seed}`,
    ...(report.packet === undefined ? [] : [packetLine(report.packet)]),
    `#  mode: ${report.mode}  backend: ${report.backend}  iters: ${report.iters}  warmup: ${report.warmupIters}  channels: ${report.channels}  chunk: ${report.chunkBytes === 'auto' ? 'auto' : `${report.chunkBytes} B`}  proto: ${report.proto}  tuner: ${tunerText(report)}`,
    `#  time is simulated time on the emulated hardware; wall is how long weft took`,
    ...[environmentLine(report.environment)].filter((l): l is string => l !== undefined),
    ...(report.confidential ? ['#  confidential computing: GPU↔NIC links staged through encrypted bounce buffers; NVLink unchanged (see the topology sources)'] : []),
    ...report.skipped.map((s) => `#  skipped ${s.algorithm}: ${s.reason}`),
    '#',
    line(columns, columns.map((c) => c.title), '#'),
    line(columns, columns.map((c) => c.unit), '#'),
  ].join('\n');
}

export function formatRow(row: BenchRow, labels: readonly string[]): string {
  const columns = columnsOf(row.energy !== undefined, labels);
  return line(columns, columns.map((c) => c.cell(row)), '');
}

export function formatFooter(report: BenchReport): string {
  const wrong = report.rows.reduce((sum, row) => sum + (row.wrong ?? 0), 0);
  const checked = report.rows.some((row) => row.wrong !== null);
  const lines = [
    `# Out of bounds values : ${checked ? `${wrong} ${wrong === 0 ? 'OK' : 'FAILED'}` : 'N/A (not checked)'}`,
    `# Avg bus bandwidth    : ${report.avgBusBwGBps.toFixed(4)}`,
  ];
  const perAlgorithm = Object.entries(report.avgBusBwGBpsByAlgorithm);
  if (perAlgorithm.length > 1) {
    // The names' column fits the longest (a user module's name may be any length), at least 18 wide.
    const width = Math.max(18, ...perAlgorithm.map(([name]) => name.length));
    for (const [name, value] of perAlgorithm) lines.push(`#   ${name.padEnd(width)} : ${value.toFixed(4)}`);
  }
  // `-d all`: the header went out with the first type's backend; the types the fast kernels lack ran the typed loops.
  if (report.backend.includes(',')) lines.push(`# Backends             : ${report.backend} (by type; the header names the first)`);
  lines.push(...formatEnergyFooter(report));
  lines.push(...formatClassesFooter(report));
  lines.push(...formatReference(report.reference));
  return lines.join('\n');
}

/**
 * Rows a ghost run simulated one rank per class for (runtime rank-classes.ts): how many ranks
 * ran, and that the figures are the whole run's; rows that looked for classes and found none:
 * why, since those rows ran every rank and took the longer for it.
 */
function formatClassesFooter(report: BenchReport): string[] {
  const lines: string[] = [];
  const counts = [...new Set(report.rows.flatMap((row) => (row.simulatedRanks !== undefined ? [row.simulatedRanks] : [])))].sort((a, b) => a - b);
  if (counts.length > 0) {
    const rows = report.rows.filter((row) => row.simulatedRanks !== undefined).length;
    lines.push(`# Rank classes         : ${rows} of ${report.rows.length} rows simulated ${counts.join(' or ')} of ${report.topology.ranks} ranks, one per class of ranks proved alike; figures are the whole run's`);
  }
  const reasons = new Map<string, number>();
  for (const row of report.rows) if (row.noClassesReason !== undefined) reasons.set(row.noClassesReason, (reasons.get(row.noClassesReason) ?? 0) + 1);
  for (const [reason, rows] of reasons) lines.push(`# Rank classes         : none in ${rows} of ${report.rows.length} rows, every rank simulated: ${reason}`);
  return lines;
}

export function formatLinks(report: BenchReport): string {
  const out: string[] = [];
  for (const row of report.rows) {
    if (!row.links || row.links.length === 0) continue;
    out.push(`# Most utilized links: ${row.algorithm}, ${row.bytes} B`);
    const queues = row.links.some((link) => link.queue !== undefined);
    out.push(`#   link                                   util   peak flows   busy(us)    carried(B)   bw(GB/s)${queues ? '  peak queue(B)   ECN marks   pauses  paused(us)' : ''}`);
    for (const link of row.links) {
      const q = link.queue;
      const queueCells = q === undefined ? '' : ` ${String(q.peakQueueBytes).padStart(14)} ${String(q.ecnMarks).padStart(11)} ${String(q.pauses).padStart(8)} ${(q.pausedNs / 1000).toFixed(2).padStart(11)}`;
      out.push(
        `#   ${link.linkId.padEnd(36)} ${(link.utilization * 100).toFixed(1).padStart(6)}% ${String(link.peakConcurrentFlows).padStart(11)} ${link.busyUs.toFixed(2).padStart(10)} ${String(link.bytesCarried).padStart(13)} ${link.bandwidthGBps.toFixed(1).padStart(10)}${queueCells}`,
      );
    }
  }
  return out.join('\n');
}

/**
 * --explain: per row, every (algorithm, protocol) candidate's predicted time beside its
 * simulated one (`-` where not run) and NCCL's own model's time (`*`: NCCL's tuner's pick),
 * the chosen one marked: why auto picked what it picked, and what NCCL would have.
 */
export function formatExplain(report: BenchReport): string {
  const out: string[] = [];
  const us = (v: number | null): string => (v === null ? '-' : formatTimeUs(v));
  for (const row of report.rows) {
    if (!row.candidates) continue;
    // The algorithm column fits the longest candidate (a user module's name), at least 16 wide.
    const width = Math.max(16, ...row.candidates.map((c) => c.algorithm.length));
    out.push(`# Candidates: ${row.algorithm}, ${row.bytes} B`);
    out.push(`#   ${'algorithm'.padEnd(width)} proto   predicted(us)  simulated(us)   NCCL model(us)`);
    for (const c of row.candidates) {
      const mark = c.chosen ? '  <- chosen' : c.unsupported ? `  (${c.unsupported})` : c.notSimulated ? `  (not simulated: ${c.notSimulated})` : '';
      const nccl = `${us(c.ncclPredictedUs).padStart(16)}${c.ncclChoice ? ' *' : '  '}`;
      out.push(`#   ${c.algorithm.padEnd(width)} ${(c.protocol ?? '-').padEnd(6)} ${us(c.predictedUs).padStart(14)} ${us(c.simulatedUs).padStart(14)} ${nccl}${mark}`.trimEnd());
    }
  }
  return out.join('\n');
}

/** `labels`: as columnsOf's (a sweep's planned ones; by default the rows'). */
export function formatTable(report: BenchReport, labels: readonly string[] = report.rows.map((row) => row.algorithm)): string {
  return [formatHeader(report, labels), ...report.rows.map((row) => formatRow(row, labels))].join('\n') + '\n' + formatTableEnd(report);
}

/** What follows the rows: the footer, then --explain's and --links's sections. */
export function formatTableEnd(report: BenchReport): string {
  const parts = [formatFooter(report)];
  const explain = formatExplain(report);
  if (explain) parts.push(explain);
  const links = formatLinks(report);
  if (links) parts.push(links);
  return parts.join('\n') + '\n';
}

/** What the packet model simulated: cell size stated, since a cell coarser than the MTU changes queues. */
export function packetLine(p: PacketOptions): string {
  const cell = p.cellBytes === p.mtuBytes ? `cell: mtu` : `cell: ${p.cellBytes} B (coarser than the MTU)`;
  return `#  packet: mtu ${p.mtuBytes} B  ${cell}  cc: ${p.cc}  delivery: ${p.delivery}  pfc: ${p.pfc === 'local' ? 'local' : p.pfc ? 'on' : 'off'}  staleness: ${p.stalenessNs} ns${classesText(p)}`;
}

/** Class scheduling, when a run sets it. */
function classesText(p: PacketOptions): string {
  if (p.classScheduler === undefined) return '';
  return `  classes: ${p.classScheduler}${p.classScheduler === 'wrr' ? ` ${p.classWeights?.join(':')}` : ''}`;
}
