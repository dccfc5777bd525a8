/**
 * The buffer grid: one row per rank, one cell per output block; a cell shows how many ranks'
 * contributions every element of the block holds at the current time (hover: which ranks).
 * Full cells (all n) are the finished result. Chunks in flight: the steps running now.
 */
import type { GridResult } from '../engine/buffers.js';
import type { Detail } from '../engine/run.js';
import { indexAt, stepArrows } from '../ui/format.js';
import { textOn, utilisationColour } from '../ui/palette.js';

const ranksOf = (mask: number, n: number): number[] => Array.from({ length: n }, (_, r) => r).filter((r) => (mask >>> r) & 1);

export function BuffersView({ grid, detail, tNs }: { grid: GridResult; detail: Detail; tNs: number }) {
  if (!grid.ok) {
    return (
      <section class="view" aria-label="Buffers">
        <h2>Buffers</h2>
        <p class="empty">{grid.reason}</p>
      </section>
    );
  }
  const { frames } = grid;
  const at = Math.max(0, indexAt(frames.timesNs.length, (i) => frames.timesNs[i]!, tNs));
  const frame = frames.masks[at]!;
  const firsts = frames.values[at]!;
  const n = frames.nranks;
  const moving = detail.steps.filter((s) => s.startNs <= tNs && tNs < s.endNs && s.peer !== undefined && s.op !== 'copy' && s.op !== 'reduce');
  const done = Array.from({ length: n }, (_, r) => Array.from({ length: frames.blocks }, (_, j) => frame[r * frames.blocks + j]!)).flat().filter((m) => ranksOf(m, n).length === n).length;
  return (
    <section class="view" aria-label="Buffers">
      <h2>Buffers <small>contributions each output block holds; {done} of {n * frames.blocks} blocks complete</small></h2>
      <p class="note" data-testid="grid-source">
        {frames.source === 'data'
          ? 'Read from the run\u2019s real bytes (data mode): rank r\u2019s input is 2^r, so the sum an element holds is the set of ranks that reached it. Hover: which ranks, and the first element\u2019s value.'
          : 'Replayed from the schedule (ghost mode moves no bytes; a step\u2019s data lands at its end). Hover: which ranks, and the first element\u2019s value with weft bench\u2019s input pattern. Pick mode data for the real bytes.'}
      </p>
      <table class="grid" data-testid="buffer-grid" data-complete={done} data-source={frames.source}>
        <thead>
          {/* Bare numbers under one corner label: "block 12" / "rank 12" wrapped onto two lines and widened the grid. */}
          <tr><th class="corner">rank \ block</th>{Array.from({ length: frames.blocks }, (_, j) => <th key={j}>{j}</th>)}</tr>
        </thead>
        <tbody>
          {Array.from({ length: n }, (_, r) => (
            <tr key={r}>
              <th>{r}</th>
              {Array.from({ length: frames.blocks }, (_, j) => {
                const held = ranksOf(frame[r * frames.blocks + j]!, n);
                const colour = utilisationColour(held.length / n);
                return (
                  <td key={j} style={{ background: colour, color: textOn(colour) }}
                    title={`${held.length ? `holds ranks ${held.join(', ')}` : 'nothing yet'}; first element ${Number.isNaN(firsts[r * frames.blocks + j]!) ? 'not written' : `= ${firsts[r * frames.blocks + j]}`} (all-reduced: ${frames.expected[j]})`}
                    data-mask={frame[r * frames.blocks + j]}>
                    {held.length}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <p class="note" data-testid="in-flight">
        {moving.length === 0 ? 'No chunk in flight at this time.' : `In flight: ${moving.slice(0, 12).map((s) => `${stepArrows(s).join(' ')} (${s.op}${s.bytes !== undefined ? `, ${s.bytes} B` : ''})`).join(', ')}${moving.length > 12 ? ` and ${moving.length - 12} more` : ''}.`}
      </p>
    </section>
  );
}
