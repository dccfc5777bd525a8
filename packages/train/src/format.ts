/**
 * Text lines for a training run: the header, one line per epoch, the summary. Pure
 * functions of the report, so the CLI, benchmarks and tests print the same thing.
 */
import { environmentLine } from '@weft/collectives';
import type { EpochSummary, TrainHeader, TrainReport } from './report.js';

/** ns → the largest unit that keeps the number >= 1 (ns, us, ms, s), 3 decimals. */
export function formatDurationNs(ns: number): string {
  const abs = Math.abs(ns);
  if (abs >= 1e9) return `${(ns / 1e9).toFixed(3)} s`;
  if (abs >= 1e6) return `${(ns / 1e6).toFixed(3)} ms`;
  if (abs >= 1e3) return `${(ns / 1e3).toFixed(3)} us`;
  return `${ns.toFixed(1)} ns`;
}

const percent = (fraction: number): string => `${(fraction * 100).toFixed(2)}%`;
const grouped = (n: number): string => n.toLocaleString('en-US');

export function formatHeader(report: TrainHeader): string {
  const r = report;
  const c = r.config;
  const lines = [
    `# weft train: ${r.model.name} (${grouped(r.model.parameters)} parameters, ${r.model.dataset}${r.model.tokensPerSample > 1 ? `, ${r.model.tokensPerSample} tokens/sample` : ''}) on ${r.topology.spec} (${r.topology.ranks} ranks), ${c.mode} mode`,
    `# all-reduce ${c.algorithm === 'auto' ? "auto (NCCL's choice): " : ''}${r.allReduce} over ${c.network}/${c.routing}; device ${r.device.name} ${c.precision} ${(r.device.peakFlopsPerSec / 1e12).toFixed(1)} TFLOP/s x ${r.device.computeEfficiency} efficiency`,
    `# global batch ${c.globalBatch} (${r.perRankBatch} per rank), ${c.steps} steps, ${c.mode === 'data' ? `${r.stepsPerEpoch} steps/epoch` : `timed as one epoch (${c.mode} mode reads no data)`}, ${r.buckets} gradient bucket(s) (largest ${(r.largestBucketBytes / 2 ** 20).toFixed(2)} MiB, cap ${(r.bucketCapBytes / 2 ** 20).toFixed(2)} MiB), ${r.gradientBytesPerElement} B/gradient (${r.wireBytesPerElement} B on the wire), lr ${c.learningRate}, momentum ${c.momentum}, seed ${c.seed}`,
    `# backend: ${r.backend}${r.backendSkipped.length > 0 ? ` (skipped: ${r.backendSkipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : ''}`,
    ...[environmentLine(c.ncclEnv, '# ')].filter((l): l is string => l !== undefined),
  ];
  return lines.join('\n') + '\n';
}

/** What a step time is in `mode`: predict mode simulates nothing, its step is the alpha-beta prediction. */
const stepNoun = (mode: TrainHeader['config']['mode']): string => (mode === 'predict' ? 'predicted step' : 'emulated step');

export function formatEpoch(epoch: EpochSummary, computeNs: number, mode: TrainHeader['config']['mode']): string {
  const parts = [`epoch ${String(epoch.epoch).padStart(3)}${epoch.partial ? '*' : ' '}`, `step ${String(epoch.step).padStart(6)}`];
  // The epoch's mean (what Keras prints at an epoch's end), not the last step's: the summary's `last-step loss`.
  if (epoch.loss !== null) parts.push(`mean loss ${epoch.loss.toFixed(4)}`);
  if (epoch.accuracy !== null) parts.push(`test accuracy ${percent(epoch.accuracy)}`);
  parts.push(`${stepNoun(mode)} ${formatDurationNs(epoch.stepNs)} (compute ${formatDurationNs(computeNs)}, exposed comm ${formatDurationNs(epoch.stepNs - computeNs)})`);
  return parts.join('  ') + '\n';
}

export function formatSummary(report: TrainReport): string {
  const r = report;
  const t = r.stepTime;
  const lines: string[] = [];
  if (r.epochs.some((e) => e.partial)) lines.push('# * partial epoch (the run ended before the epoch did)');
  if (r.config.mode === 'data') {
    const replicas = r.replicas.identical
      ? `replicas bit-identical on all ${r.topology.ranks} ranks (sha256 ${r.replicas.hashes[0]!.slice(0, 16)})`
      : `REPLICAS DIFFER: ${r.replicas.hashes.length} distinct weight hashes across ${r.topology.ranks} ranks`;
    const accuracy = r.finalAccuracy !== null ? `, test accuracy ${percent(r.finalAccuracy)}` : '';
    lines.push(`# final: last-step loss ${r.finalLoss!.toFixed(4)}${accuracy}; ${replicas}`);
  }
  lines.push(
    `# ${stepNoun(r.config.mode)}: compute ${formatDurationNs(t.computeNs)} (forward ${formatDurationNs(t.forwardNs)}, backward ${formatDurationNs(t.backwardNs)}, optimizer ${formatDurationNs(t.optimizerNs)})` +
      ` + exposed comm ${formatDurationNs(t.exposedCommNs)} = ${formatDurationNs(t.totalNs)}; all-reduce busy ${formatDurationNs(t.commBusyNs)}`,
  );
  const p = r.predicted;
  lines.push(`# predicted (alpha-beta, no contention): ${formatDurationNs(p.totalNs)} per step, exposed comm ${formatDurationNs(p.exposedCommNs)}, efficiency ${percent(p.scalingEfficiency)}`);
  lines.push(`# scaling efficiency ${percent(t.scalingEfficiency)} of ${r.topology.ranks} x one rank (compute / total); ${t.samplesPerSec.toExponential(3)} samples/s`);
  // Predict mode runs no rank: a per-step wall time would print as 0.0 ms.
  const perStep = r.config.mode === 'predict' ? 'no ranks run in predict mode' : `${r.wallMsPerStep.toFixed(1)} ms per step (median, rank 0)`;
  lines.push(`# wall: ${(r.wallMs / 1000).toFixed(2)} s in all, ${perStep}`);
  return lines.join('\n') + '\n';
}
