/**
 * The scaling table as text (streamed row by row), CSV (one line per row, streamed) or one
 * JSON document at the end.
 */
import { stringify } from 'csv-stringify/sync';
import type { TrainHeader } from '@weft/train';
import type { ScaleRequest, ScaleRow } from './train-scale.js';

const MIB = 2 ** 20;

/** The lines above the table: the per-GPU setup every row shares, and how the rows are made. */
export function scaleHeaderLines(header: TrainHeader, request: ScaleRequest, bucketSizes: readonly number[]): string {
  const { config } = header;
  const sizes = bucketSizes.map((count) => `${((count * header.gradientBytesPerElement) / MIB).toFixed(1)} MiB`).join(', ');
  const how =
    config.mode === 'ghost'
      ? `# ghost, no faults: each (GPUs, algorithm, bucket size) all-reduce is simulated once on the idle fabric and reused for every bucket of that size and every step (simulated time is deterministic: the reuse is exact); the step is laid out by train's bucket overlap model (bucket k starts when its gradients are ready and bucket k-1 is done, on all ranks together: within 0.3 % of weft train --mode ghost at 16-64 GPUs, benchmarks/results/train.md)\n`
      : `# predict mode: alpha-beta all-reduce times, no simulation\n`;
  return (
    `# weft train --scale: weak scaling of ${header.model.name} (${header.model.parameters.toLocaleString('en-US')} parameters), ${request.batchPerGpu} sample(s) per GPU\n` +
    `# ${header.device.title}, ${config.precision}, compute ${(header.compute.computeNs / 1e6).toFixed(3)} ms per step; ${header.buckets} gradient bucket${header.buckets === 1 ? '' : 's'} (${sizes}) of cap ${config.bucketMb} MiB; ` +
    `${config.channels === 'auto' ? "NCCL's channels and chunks" : `${config.channels} channel(s)`}${config.chunkBytes === 'auto' ? '' : `, ${(config.chunkBytes / MIB).toFixed(2)} MiB chunks`}, ${config.network}/${config.routing}; auto = NCCL's choice of algorithm and protocol per bucket\n` +
    how +
    `# efficiency: step at the smallest count / step (same algorithm); vs 1 GPU: compute / step. how: simulated, fast-forwarded (as weft bench --fast-forward does it: with auto, whole periods of a recurring state cut, exact), reused (same all-reduce as an earlier row), predicted, over budget (simulating it, fast-forward's short runs and the exact run together, would post more than --exact-limit transfers: the prediction stands in; short runs that cost more than an exact run that fits are not tried)\n`
  );
}

const COLUMNS: readonly (readonly [string, number, (row: ScaleRow) => string])[] = [
  ['GPUs', 7, (r) => String(r.gpus)],
  ['algorithm', 13, (r) => r.algorithm],
  ['ran', 22, (r) => r.ran],
  ['compute ms', 11, (r) => r.computeMs.toFixed(3)],
  ['allreduce ms', 13, (r) => r.allReduceMs.toFixed(3)],
  ['exposed ms', 11, (r) => r.exposedCommMs.toFixed(3)],
  ['step ms', 10, (r) => r.stepMs.toFixed(3)],
  ['eff', 7, (r) => pct(r.efficiency)],
  ['eff vs 1', 9, (r) => pct(r.efficiencyVsOneGpu)],
  ['predicted ms', 13, (r) => r.predictedStepMs.toFixed(3)],
  ['how', 15, (r) => r.source],
  ['wall s', 8, (r) => r.wallS.toFixed(1)],
];

const pct = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;

const line = (cells: readonly string[]) => COLUMNS.map(([, width], i) => (i === 1 || i === 2 || i === 10 ? cells[i]!.padEnd(width) : cells[i]!.padStart(width))).join(' ') + '\n';

export function scaleTableHead(): string {
  return '#' + line(COLUMNS.map(([name]) => name)).slice(1);
}

export function scaleTableRow(row: ScaleRow): string {
  return line(COLUMNS.map(([, , cell]) => cell(row)));
}

/** Below the table: what was fast-forwarded or left to the prediction, in the run's own words. */
export function scaleTableEnd(rows: readonly ScaleRow[]): string {
  const notes = rows.flatMap((r) => r.notes.map((note) => `#  ${note}\n`));
  return notes.length > 0 ? `# fast-forward and budget notes (a row over --exact-limit is the alpha-beta prediction; raise the limit to simulate it):\n${notes.join('')}` : '';
}

export const CSV_COLUMNS = [
  'gpus', 'topology', 'algorithm', 'ran', 'globalBatch', 'computeMs', 'allReduceMs', 'exposedCommMs', 'stepMs', 'efficiency', 'efficiencyVsOneGpu', 'predictedStepMs', 'source', 'wallS',
] as const satisfies readonly (keyof ScaleRow)[];

export function scaleCsvHead(): string {
  return stringify([], { header: true, columns: [...CSV_COLUMNS] });
}

export function scaleCsvRow(row: ScaleRow): string {
  return stringify([CSV_COLUMNS.map((column) => row[column])]);
}

export function scaleJson(header: TrainHeader | undefined, request: ScaleRequest, rows: readonly ScaleRow[]): string {
  const setup = header && {
    model: header.model,
    device: header.device,
    precision: header.config.precision,
    computeNs: header.compute.computeNs,
    buckets: header.buckets,
    bucketCapBytes: header.bucketCapBytes,
    channels: header.config.channels,
    chunkBytes: header.config.chunkBytes,
    network: header.config.network,
    routing: header.config.routing,
  };
  const body = {
    scale: { family: request.family, gpus: request.gpus, algorithms: request.algorithms, batchPerGpu: request.batchPerGpu, mode: request.config.mode, fastForward: request.fastForward, exactLimit: request.exactLimit },
    ...(setup ? { setup } : {}),
    rows,
  };
  return JSON.stringify(body, null, 2) + '\n';
}
