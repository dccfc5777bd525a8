/**
 * The fabric: nodes in layers (GPUs at the bottom, spines on top) and every cable coloured
 * by its utilisation at the timeline's current time (the busier direction), with the run's
 * busiest links listed beside it (mean utilisation over the run, as `weft bench --links`).
 */
import type { TopoNode } from '@weft/fabric';
import type { Detail, LabRun } from '../engine/run.js';
import { indexAt, pct } from '../ui/format.js';
import { categoryColour, textOn, utilisationColour } from '../ui/palette.js';

const LAYERS: readonly (readonly string[])[] = [['spine', 'core'], ['leaf', 'switch'], ['nic'], ['nvswitch'], ['gpu', 'host']];
const WIDTH = 880;
const ROW = 70;

/** Utilisation of a link at `t` from its piecewise-constant timeline. */
export function utilisationAt(timeline: readonly (readonly [number, number])[], t: number): number {
  const i = indexAt(timeline.length, (k) => timeline[k]![0], t);
  return i < 0 ? 0 : timeline[i]![1];
}

/** The point a fraction `f` of the way along a polyline (by length). */
function pointAlong(points: readonly { x: number; y: number }[], f: number): { x: number; y: number } {
  const lengths = points.slice(1).map((p, i) => Math.hypot(p.x - points[i]!.x, p.y - points[i]!.y));
  let left = Math.max(0, Math.min(1, f)) * lengths.reduce((a, b) => a + b, 0);
  for (let i = 0; i < lengths.length; i++) {
    if (left <= lengths[i]! || i === lengths.length - 1) {
      const t = lengths[i]! > 0 ? Math.min(1, left / lengths[i]!) : 0;
      return { x: points[i]!.x + t * (points[i + 1]!.x - points[i]!.x), y: points[i]!.y + t * (points[i + 1]!.y - points[i]!.y) };
    }
    left -= lengths[i]!;
  }
  return points[0] ?? { x: 0, y: 0 };
}

/** Rows with more nodes than this go unlabelled (hover a node for its name). */
const LABELLED_ROW = 12;

function layout(nodes: readonly TopoNode[]): { pos: Map<string, { x: number; y: number }>; labelled: Set<string>; height: number } {
  const rows = LAYERS.map((kinds) => nodes.filter((n) => kinds.includes(n.kind))).filter((row) => row.length > 0);
  const pos = new Map<string, { x: number; y: number }>();
  rows.forEach((row, r) => row.forEach((node, i) => pos.set(node.id, { x: ((i + 0.5) * WIDTH) / row.length, y: 24 + r * ROW })));
  const labelled = new Set(rows.filter((row) => row.length <= LABELLED_ROW).flat().map((n) => n.id));
  return { pos, labelled, height: 48 + (rows.length - 1) * ROW };
}

export function TopologyView({ run, detail, tNs }: { run: LabRun; detail: Detail; tNs: number }) {
  const { pos, labelled, height } = layout(run.topology.nodes);
  const cables = new Map<string, Detail['links'][number][]>();
  for (const link of detail.links) {
    const key = [link.from, link.to].sort().join('|');
    cables.set(key, [...(cables.get(key) ?? []), link]);
  }
  const busiest = [...detail.links].filter((l) => l.bytesCarried > 0).sort((a, b) => b.utilization - a.utilization || (a.id < b.id ? -1 : 1)).slice(0, 8);
  return (
    <section class="view" aria-label="Topology">
      <h2>Topology <small>{run.topology.name}: links coloured by utilisation at the current time; dots are chunks in flight, coloured by sending rank</small></h2>
      <svg viewBox={`0 0 ${WIDTH} ${height}`} class="topology" role="img" aria-label={`Topology of ${run.topology.name}`}>
        {[...cables.entries()].map(([key, links]) => {
          const a = pos.get(links[0]!.from);
          const b = pos.get(links[0]!.to);
          if (!a || !b) return null;
          const u = Math.max(...links.map((l) => utilisationAt(l.timeline, tNs)));
          return (
            <line key={key} x1={a.x} y1={a.y} x2={b.x} y2={b.y} stroke={utilisationColour(u)} stroke-width={u > 0 ? 3 : 1.2} data-link={key} data-util={u.toFixed(4)}>
              <title>{`${links.map((l) => `${l.id}: ${pct(utilisationAt(l.timeline, tNs))} now, ${pct(l.utilization)} mean, ${l.bandwidthGBps} GB/s`).join('\n')}`}</title>
            </line>
          );
        })}
        {detail.transfers.filter((f) => f.startNs <= tNs && tNs < f.endNs).slice(0, 2000).map((f, i) => {
          const at = pointAlong(f.hops.map((id) => pos.get(id)!).filter(Boolean), (tNs - f.startNs) / (f.endNs - f.startNs));
          return <circle key={i} cx={at.x} cy={at.y} r={4} class="chunk" fill={categoryColour(run.topology.ranks.indexOf(f.src))} />;
        })}
        {run.topology.nodes.map((node) => {
          const p = pos.get(node.id)!;
          const rank = run.topology.ranks.indexOf(node.id);
          return (
            <g key={node.id} transform={`translate(${p.x},${p.y})`} class={`node ${node.kind}`}>
              <rect x={-7} y={-7} width={14} height={14} rx={node.kind === 'gpu' || node.kind === 'host' ? 7 : 2} />
              <title>{`${node.id} (${node.kind}${rank >= 0 ? `, rank ${rank}` : ''})`}</title>
              {(rank >= 0 ? run.topology.ranks.length <= 32 : labelled.has(node.id)) && <text y={rank >= 0 ? 20 : -11}>{rank >= 0 ? `r${rank}` : node.id}</text>}
            </g>
          );
        })}
      </svg>
      <div class="legend">
        <span>utilisation</span>
        {[0, 0.25, 0.5, 0.75, 1].map((u) => (
          <span key={u} class="swatch" style={{ background: utilisationColour(u), color: textOn(utilisationColour(u)) }}>{pct(u)}</span>
        ))}
      </div>
      <table class="links" data-testid="busiest-links">
        <caption>Busiest links over the whole run ({detail.algorithm})</caption>
        <thead><tr><th>link</th><th>GB/s</th><th>bytes</th><th>mean util.</th></tr></thead>
        <tbody>
          {busiest.map((l) => (
            <tr key={l.id} data-link-id={l.id} data-bytes={l.bytesCarried} data-utilization={l.utilization}>
              <td>{l.id}</td><td>{l.bandwidthGBps.toFixed(1)}</td><td>{l.bytesCarried}</td><td>{pct(l.utilization)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
