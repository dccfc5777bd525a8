import type { BenchReport } from '../bench/report.js';
import { renderSvg } from './plot.js';
import type { TraceRun } from './trace.js';

/** Ports drawn per run: the ones whose queues peaked highest (a 64-host fabric has hundreds). */
export const QUEUE_PLOT_PORTS = 6;

/** Flows drawn per run: ones through the run's busiest port, earliest first. */
export const RATE_PLOT_FLOWS = 6;

/**
 * `--plot-queues`: for each algorithm's largest size, two panels against simulated time —
 * the egress queue depth (KiB) of the busiest ports, one line per port (the packet model's
 * depth timeline: a point whenever a queue moved by 64 KiB or emptied), and the delivery rate
 * (GB/s) of the flows through the busiest of them, one line per flow (bytes placed at the
 * receiver per 64 KiB sample, fabric FlowRecord.deliveredTimeline). Both drawn as steps: a
 * value holds until the next point. Together they show a queue building and the flows that
 * share it slowing (congestion control, PFC) or not.
 */
export async function plotQueuesSvg(report: BenchReport, runs: readonly TraceRun[]): Promise<string> {
  const queues: { run: string; port: string; timeUs: number; queueKiB: number }[] = [];
  const rates: { run: string; flow: string; timeUs: number; rateGBps: number }[] = [];
  for (const run of largestPerAlgorithm(runs)) {
    // Ranked by the exact peak (`--links`' column): the 64 KiB timeline rounds a queue that
    // peaked under 64 KiB to 0, and ties at 0 fell back to alphabetical order (ports that never queued).
    const busiest = [...(run.queues ?? [])]
      .map((q) => ({ q, peak: q.peakBytes }))
      .sort((a, b) => b.peak - a.peak || (a.q.linkId < b.q.linkId ? -1 : 1))
      .slice(0, QUEUE_PLOT_PORTS);
    for (const { q } of busiest) {
      for (const [timeNs, bytes] of q.depthTimeline) queues.push({ run: run.label, port: q.linkId, timeUs: timeNs / 1000, queueKiB: bytes / 1024 });
    }
    const top = busiest[0]?.q;
    if (top !== undefined) rates.push(...flowRates(run, top.linkId, peakTimeNs(top.depthTimeline)));
  }
  const panel = (values: readonly object[], y: object, color: object) => ({
    data: { values },
    facet: { row: { field: 'run', type: 'nominal', title: null } },
    spec: {
      width: 640,
      height: 160,
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: { x: { field: 'timeUs', type: 'quantitative', title: 'simulated time (µs)' }, y, color },
    },
    resolve: { scale: { x: 'independent', color: 'independent' } },
  });
  return renderSvg({
    title: {
      text: `weft bench ${report.collective}: egress queue depth and flow delivery rate over time`,
      subtitle: `${report.topology.spec} (${report.topology.ranks} ranks), ${report.routing}; the ${QUEUE_PLOT_PORTS} ports whose queues peaked highest (depth drawn in 64 KiB steps: a queue under 64 KiB shows as 0; --links gives exact peaks), and up to ${RATE_PLOT_FLOWS} flows through the highest; largest size per algorithm`,
    },
    vconcat: [
      panel(queues, { field: 'queueKiB', type: 'quantitative', title: 'queue (KiB)' }, { field: 'port', type: 'nominal', title: 'egress port (link)' }),
      panel(rates, { field: 'rateGBps', type: 'quantitative', title: 'delivery rate (GB/s)' }, { field: 'flow', type: 'nominal', title: 'flow through the busiest port' }),
    ],
    resolve: { scale: { color: 'independent' } },
  });
}

/** When a depth timeline first reaches its peak. */
function peakTimeNs(timeline: readonly (readonly [number, number])[]): number {
  let best: readonly [number, number] = [0, -1];
  for (const point of timeline) if (point[1] > best[1]) best = point;
  return best[0];
}

/**
 * Delivery rate steps of up to RATE_PLOT_FLOWS flows of `run` whose path crosses `port`:
 * the ones in flight when its queue peaked (they share it then), earliest first.
 */
function flowRates(run: TraceRun, port: string, peakNs: number): { run: string; flow: string; timeUs: number; rateGBps: number }[] {
  const inFlightAtPeak = (f: TraceRun['flows'][number]) => f.startNs <= peakNs && f.deliveredTimeline!.at(-1)![0] >= peakNs;
  const through = run.flows
    .filter((f) => f.deliveredTimeline !== undefined && f.deliveredTimeline.length > 1 && f.paths.some((path) => path.includes(port)))
    .sort((a, b) => Number(inFlightAtPeak(b)) - Number(inFlightAtPeak(a)) || a.startNs - b.startNs || a.transferId - b.transferId)
    .slice(0, RATE_PLOT_FLOWS);
  const out: { run: string; flow: string; timeUs: number; rateGBps: number }[] = [];
  for (const f of through) {
    const flow = `#${f.transferId} ${f.srcNode}->${f.dstNode}`;
    const timeline = f.deliveredTimeline!;
    for (let i = 1; i < timeline.length; i++) {
      const [t0, b0] = timeline[i - 1]!;
      const [t1, b1] = timeline[i]!;
      // bytes per ns = GB/s; a sample at the same ns as the last adds no step.
      if (t1 > t0) out.push({ run: run.label, flow, timeUs: t0 / 1000, rateGBps: (b1 - b0) / (t1 - t0) });
    }
    out.push({ run: run.label, flow, timeUs: timeline.at(-1)![0] / 1000, rateGBps: 0 });
  }
  return out;
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
