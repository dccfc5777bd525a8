/** busbw against message size for every algorithm: simulated (solid) beside predicted (dashed), with the α and β of the prediction. */
import { scaleLinear, scaleLog } from 'd3-scale';
import { line } from 'd3-shape';
import type { BenchRow } from '@weft/cli';
import type { LabRun } from '../engine/run.js';
import { formatBytes, gbps, us } from '../ui/format.js';
import { categoryColour } from '../ui/palette.js';
import { faultSummary } from '../ui/fault-summary.js';

const W = 560;
const H = 300;
// Room on the right for half the last size label ("512MiB"), which is centred on the last point.
const M = { left: 50, right: 28, top: 12, bottom: 36 };

/** busbw the prediction implies: the row's busbw scaled by simulated / predicted time. */
const predictedBusBw = (row: BenchRow): number => (row.predictedUs > 0 ? (row.busBwGBps * row.timeUs) / row.predictedUs : 0);

export function BandwidthView({ run }: { run: LabRun }) {
  const algorithms = [...new Set(run.rows.map((r) => r.algorithm))];
  // The size axis is logarithmic: rows of 0 bytes (a size under one element) have no place on it
  // (they drew NaN paths); they stay in the table below.
  const plotted = run.rows.filter((r) => r.bytes > 0);
  const sizes = plotted.length > 0 ? plotted.map((r) => r.bytes) : [1];
  const top = Math.max(1e-9, ...plotted.flatMap((r) => [r.busBwGBps, predictedBusBw(r)]));
  const x = scaleLog().base(2).domain([Math.min(...sizes), Math.max(Math.max(...sizes), Math.min(...sizes) * 2)]).range([M.left, W - M.right]);
  const y = scaleLinear().domain([0, top * 1.05]).range([H - M.bottom, M.top]).nice();
  const path = line<[number, number]>().x((d) => x(d[0])).y((d) => y(d[1]));
  return (
    <section class="view" aria-label="Bandwidth">
      <h2>busbw vs size <small>solid: simulated; dashed: α-β prediction (α = {run.alphaNs.toFixed(0)} ns, β = {(run.betaNsPerByte * 1000).toFixed(3)} ps/B)</small></h2>
      <svg viewBox={`0 0 ${W} ${H}`} class="plot" role="img" aria-label="busbw against message size">
        {y.ticks(5).map((v) => (
          <g key={v}>
            <line x1={M.left} x2={W - M.right} y1={y(v)} y2={y(v)} class="gridline" />
            <text x={M.left - 6} y={y(v) + 4} text-anchor="end" class="axis">{v}</text>
          </g>
        ))}
        {[...new Set(plotted.map((r) => r.bytes))].map((s) => (
          <text key={s} x={x(s)} y={H - M.bottom + 16} text-anchor="middle" class="axis">{formatBytes(s).replace(' ', '')}</text>
        ))}
        <text x={W / 2} y={H - 4} text-anchor="middle" class="axis">message size</text>
        <text x={12} y={H / 2} transform={`rotate(-90 12 ${H / 2})`} text-anchor="middle" class="axis">busbw GB/s</text>
        {algorithms.map((name, i) => {
          const rows = plotted.filter((r) => r.algorithm === name);
          return (
            <g key={name}>
              <path d={path(rows.map((r) => [r.bytes, r.busBwGBps]))!} fill="none" stroke={categoryColour(i)} stroke-width={2} />
              <path d={path(rows.map((r) => [r.bytes, predictedBusBw(r)]))!} fill="none" stroke={categoryColour(i)} stroke-width={1.5} stroke-dasharray="5 4" />
              {rows.map((r) => <circle key={r.bytes} cx={x(r.bytes)} cy={y(r.busBwGBps)} r={3} fill={categoryColour(i)} />)}
            </g>
          );
        })}
      </svg>
      <div class="legend">{algorithms.map((name, i) => <span key={name}><span style={{ color: categoryColour(i) }}>■</span> {name}</span>)}</div>
      <ResultsTable run={run} />
    </section>
  );
}

/** The rows as `weft bench` prints them (its JSON's fields; #wrong in data mode), and what faults did. */
export function ResultsTable({ run }: { run: Pick<LabRun, 'rows' | 'faults'> }) {
  const { rows, faults } = run;
  const checked = rows.some((r) => r.wrong !== null);
  return (
    <>
      <table class="results" data-testid="results">
        <thead><tr><th>size</th><th>algorithm</th><th>time µs</th><th>algbw GB/s</th><th>busbw GB/s</th><th>proto</th><th>predicted µs</th><th>channels</th>{checked && <th>#wrong</th>}</tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.algorithm}/${r.bytes}`} data-algorithm={r.algorithm} data-bytes={r.bytes} data-time-us={r.timeUs} data-busbw={r.busBwGBps} data-wrong={r.wrong ?? ''} data-protocol={r.protocol ?? ''}>
              <td>{formatBytes(r.bytes)}</td><td>{r.algorithm}</td><td>{us(r.timeUs * 1000)}</td><td>{gbps(r.algBwGBps)}</td><td>{gbps(r.busBwGBps)}</td><td data-testid="proto">{r.protocol ?? '-'}</td><td>{us(r.predictedUs * 1000)}</td><td>{r.channels}</td>{checked && <td>{r.wrong}</td>}
            </tr>
          ))}
        </tbody>
      </table>
      {faults && (
        <p class="note" data-testid="fault-outcomes">{faultSummary(faults)}</p>
      )}
    </>
  );
}
