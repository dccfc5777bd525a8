/** The channels the algorithm runs on: each channel's ring (arrows) and tree (dashed, child to parent), ranks on a circle. */
import { useState } from 'preact/hooks';
import type { Detail } from '../engine/run.js';
import { categoryColour } from '../ui/palette.js';

const SIZE = 300;

export function ChannelsView({ detail }: { detail: Detail }) {
  const [channel, setChannel] = useState(0);
  // The input's min/max do not stop typing -1 or clearing it (NaN): either drew an empty picture.
  const c = Math.max(0, Math.min(Number.isFinite(channel) ? Math.floor(channel) : 0, detail.rings.length - 1));
  const ring = detail.rings[c] ?? [];
  const parents = detail.treeParents[c] ?? [];
  const n = ring.length;
  const at = (rank: number) => {
    const angle = (2 * Math.PI * rank) / Math.max(1, n) - Math.PI / 2;
    return { x: SIZE / 2 + (SIZE / 2 - 30) * Math.cos(angle), y: SIZE / 2 + (SIZE / 2 - 30) * Math.sin(angle) };
  };
  return (
    <section class="view" aria-label="Channels">
      <h2>Channels <small>{detail.rings.length} channel(s); ring order and tree of channel {c}</small></h2>
      <label>
        channel{' '}
        <input type="number" min={0} max={detail.rings.length - 1} value={c} onInput={(e) => setChannel(Number((e.target as HTMLInputElement).value))} />
      </label>
      <svg viewBox={`0 0 ${SIZE} ${SIZE}`} class="channels" role="img" aria-label={`Ring of channel ${c}: ${ring.join(' → ')}`}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill={categoryColour(0)} />
          </marker>
        </defs>
        {ring.map((rank, i) => {
          const a = at(rank);
          const b = at(ring[(i + 1) % n]!);
          return <line key={`r${i}`} x1={a.x} y1={a.y} x2={b.x} y2={b.y} stroke={categoryColour(0)} stroke-width={1.5} marker-end="url(#arrow)" />;
        })}
        {parents.map((parent, rank) => {
          if (parent < 0) return null;
          const a = at(rank);
          const b = at(parent);
          return <line key={`t${rank}`} x1={a.x} y1={a.y} x2={b.x} y2={b.y} stroke={categoryColour(1)} stroke-dasharray="4 3" stroke-width={1.5} />;
        })}
        {Array.from({ length: n }, (_, rank) => {
          const p = at(rank);
          return (
            <g key={rank} transform={`translate(${p.x},${p.y})`} class="node gpu">
              <circle r={11} />
              <text y={4}>{rank}</text>
            </g>
          );
        })}
      </svg>
      <p class="note">Ring: {ring.join(' → ')}{n > 0 ? ` → ${ring[0]}` : ''}. <span style={{ color: categoryColour(1) }}>Dashed</span>: tree, child to parent.</p>
    </section>
  );
}
