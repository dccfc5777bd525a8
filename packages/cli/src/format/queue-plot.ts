import type { BenchReport } from '../bench/report.js';
import { renderSvg } from './plot.js';
import type { TraceRun } from './trace.js';

/** Ports drawn per run: the ones whose queues peaked highest (a 64-host fabric has hundreds). */
export const QUEUE_PLOT_PORTS = 6;

/**
 * `--plot-queues`: egress queue depth (KiB) against simulated time for the busiest ports of
 * each algorithm's largest size, one panel per algorithm, one line per port. The points are
 * the packet model's depth timeline (a point whenever a queue moved by 64 KiB or emptied),
 * drawn as steps: a queue holds its depth until the next point.
 */
export async function plotQueuesSvg(report: BenchReport, runs: readonly TraceRun[]): Promise<string> {
  const values: { run: string; port: string; timeUs: number; queueKiB: number }[] = [];
  for (const run of largestPerAlgorithm(runs)) {
    const busiest = [...(run.queues ?? [])]
      .map((q) => ({ q, peak: Math.max(0, ...q.depthTimeline.map(([, bytes]) => bytes)) }))
      .sort((a, b) => b.peak - a.peak || (a.q.linkId < b.q.linkId ? -1 : 1))
      .slice(0, QUEUE_PLOT_PORTS);
    for (const { q } of busiest) {
      for (const [timeNs, bytes] of q.depthTimeline) values.push({ run: run.label, port: q.linkId, timeUs: timeNs / 1000, queueKiB: bytes / 1024 });
    }
  }
  return renderSvg({
    title: {
      text: `weft bench ${report.collective}: egress queue depth over time`,
      subtitle: `${report.topology.spec} (${report.topology.ranks} ranks), ${report.routing}; the ${QUEUE_PLOT_PORTS} ports whose queues peaked highest, largest size per algorithm`,
    },
    data: { values },
    facet: { row: { field: 'run', type: 'nominal', title: null } },
    spec: {
      width: 640,
      height: 200,
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: { field: 'timeUs', type: 'quantitative', title: 'simulated time (µs)' },
        y: { field: 'queueKiB', type: 'quantitative', title: 'queue (KiB)' },
        color: { field: 'port', type: 'nominal', title: 'egress port (link)' },
      },
    },
    resolve: { scale: { x: 'independent' } },
  });
}

/** Each algorithm's run at its largest size (runs are labelled `ALGORITHM BYTES B`). */
function largestPerAlgorithm(runs: readonly TraceRun[]): TraceRun[] {
  const best = new Map<string, { run: TraceRun; bytes: number }>();
  for (const run of runs) {
    const match = /^(.*) (\d+) B$/.exec(run.label);
    const algorithm = match?.[1] ?? run.label;
    const bytes = Number(match?.[2] ?? 0);
    const seen = best.get(algorithm);
    if (seen === undefined || bytes >= seen.bytes) best.set(algorithm, { run, bytes });
  }
  return [...best.values()].map((b) => b.run);
}
