/**
 * The timeline: play, pause, step one event forward or back, scrub, and a per-rank Gantt of
 * the run's steps (a mini Perfetto). Keyboard: Space plays or pauses, ← and → step, Home and
 * End jump to the ends.
 */
import { useLayoutEffect, useMemo, useRef } from 'preact/hooks';
import { Frozen } from '../ui/frozen.js';
import type { Detail } from '../engine/run.js';
import { stepArrows, us } from '../ui/format.js';
import { opColour } from '../ui/palette.js';

/** Every time at which something starts or ends, sorted and distinct, from 0 to the end. */
export function eventTimes(detail: Detail): number[] {
  const times = new Set<number>([0, detail.timeNs]);
  for (const s of detail.steps) {
    times.add(s.startNs);
    times.add(s.endNs);
  }
  return [...times].sort((a, b) => a - b);
}

export const nextEvent = (times: readonly number[], t: number): number => times.find((x) => x > t) ?? times.at(-1)!;
export const previousEvent = (times: readonly number[], t: number): number => [...times].reverse().find((x) => x < t) ?? 0;

interface Props {
  detail: Detail;
  tNs: number;
  setT: (t: number) => void;
  playing: boolean;
  setPlaying: (playing: boolean) => void;
}

/** Animation speed: the whole run plays in this many seconds of wall time. */
const PLAY_SECONDS = 6;

export function TimelineControls({ detail, tNs, setT, playing, setPlaying }: Props) {
  const times = useMemo(() => eventTimes(detail), [detail]);
  const end = detail.timeNs;
  const tRef = useRef(tNs);
  tRef.current = tNs;
  // A layout effect: its cleanup runs as the new detail renders, before another frame. With
  // useEffect the old loop's next frame could still run and set the clock to the old run's end.
  useLayoutEffect(() => {
    if (!playing) return;
    let last = performance.now();
    let frame = requestAnimationFrame(function tick(now) {
      const next = tRef.current + ((now - last) / 1000) * (end / PLAY_SECONDS);
      last = now;
      if (next >= end) {
        setT(end);
        setPlaying(false);
        return;
      }
      setT(next);
      frame = requestAnimationFrame(tick);
    });
    return () => cancelAnimationFrame(frame);
  }, [playing, end]);
  // Play at the end replays from the start (a run opens at its end, so play must not be a no-op there).
  const togglePlay = () => {
    if (!playing && tNs >= end) setT(0);
    setPlaying(!playing);
  };
  const onKey = (e: KeyboardEvent) => {
    const actions: Record<string, () => void> = {
      ' ': togglePlay,
      ArrowRight: () => setT(nextEvent(times, tNs)),
      ArrowLeft: () => setT(previousEvent(times, tNs)),
      Home: () => setT(0),
      End: () => setT(end),
    };
    const action = actions[e.key];
    // A button acts as a button: Space (and Enter) press it ("Step back" steps back, it does not play).
    const onButton = e.target instanceof HTMLButtonElement && (e.key === ' ' || e.key === 'Enter');
    if (action && !onButton && !(e.target instanceof HTMLInputElement && e.target.type !== 'range')) {
      e.preventDefault();
      action();
    }
  };
  const eventIndex = times.filter((x) => x <= tNs).length - 1;
  return (
    // A named group: its keys hint is read as the group's name (a label on a role-less div is not read).
    <div class="timeline-controls" role="group" onKeyDown={onKey} tabIndex={0} aria-label="Timeline controls (Space plays or pauses, arrows step, Home and End jump)">
      <button onClick={() => setT(previousEvent(times, tNs))} aria-label="Step back" data-testid="step-back">◀ back</button>
      <button onClick={togglePlay} aria-label={playing ? 'Pause' : 'Play'} data-testid="play">{playing ? 'pause' : 'play'}</button>
      <button onClick={() => setT(nextEvent(times, tNs))} aria-label="Step forward" data-testid="step-forward">forward ▶</button>
      <input
        type="range" min={0} max={1000} step={1} value={end > 0 ? Math.round((1000 * tNs) / end) : 0}
        aria-label="Scrub through simulated time" data-testid="scrub"
        onInput={(e) => setT((Number((e.target as HTMLInputElement).value) / 1000) * end)}
      />
      <span class="clock" data-testid="clock" data-t-ns={tNs}>t = {us(tNs)} µs of {us(end)} µs · event {eventIndex} of {times.length - 1}</span>
    </div>
  );
}

const ROW_PX = 18;
const WIDTH = 880;
const LEFT = 44;

function OpLegend({ detail }: { detail: Detail }) {
  return <div class="legend">{[...new Set(detail.steps.map((s) => s.op))].map((op) => <span key={op}><span style={{ color: opColour(op) }}>■</span> {op}</span>)}</div>;
}

/** Every step as a bar: built once per run (in a Frozen), not per animation frame. */
function GanttBars({ detail, shown, x }: { detail: Detail; shown: number; x: (t: number) => number }) {
  return (
    <g>
      {detail.steps.filter((s) => s.participant < shown).map((s, i) => (
        <rect key={i} x={x(s.startNs)} y={s.participant * ROW_PX + 2} width={Math.max(0.5, x(s.endNs) - x(s.startNs))} height={ROW_PX - 4} fill={opColour(s.op)}>
          <title>{`rank ${s.participant} ch ${s.channel}: ${s.op}${stepArrows(s).map((a) => ` ${a}`).join(',')} ${us(s.startNs)}–${us(s.endNs)} µs${s.bytes !== undefined ? `, ${s.bytes} B` : ''}`}</title>
        </rect>
      ))}
    </g>
  );
}

export function GanttView({ detail, tNs, setT }: { detail: Detail; tNs: number; setT: (t: number) => void }) {
  // A loop, not Math.max(...steps): a 512-rank ring has ~520 000 steps, past the engine's argument limit ("Maximum call stack size exceeded").
  const participants = detail.steps.reduce((most, s) => Math.max(most, s.participant), 0) + 1;
  const shown = Math.min(participants, 64);
  const end = detail.timeNs || 1;
  const x = (t: number) => LEFT + ((WIDTH - LEFT - 8) * t) / end;
  const height = shown * ROW_PX + 24;
  const onClick = (e: MouseEvent) => {
    const svg = e.currentTarget as SVGSVGElement;
    const box = svg.getBoundingClientRect();
    const px = ((e.clientX - box.left) / box.width) * WIDTH;
    setT(Math.max(0, Math.min(end, ((px - LEFT) / (WIDTH - LEFT - 8)) * end)));
  };
  return (
    <section class="view" aria-label="Gantt">
      <h2>Per-rank timeline <small>{detail.steps.length} steps; bars coloured by primitive; click to move the cursor</small></h2>
      <svg viewBox={`0 0 ${WIDTH} ${height}`} class="gantt" onClick={onClick} role="img" aria-label="Steps of every rank over simulated time">
        {Array.from({ length: shown }, (_, p) => (
          <text key={p} x={LEFT - 6} y={p * ROW_PX + 11} class="axis" text-anchor="end">{p < (detail.schedule.nranks) ? `r${p}` : `a${p}`}</text>
        ))}
        <Frozen keys={[detail]}>
          <GanttBars detail={detail} shown={shown} x={x} />
        </Frozen>
        <rect x={x(tNs)} y={0} width={Math.max(0, x(end) - x(tNs))} height={shown * ROW_PX} class="future" />
        <line x1={x(tNs)} x2={x(tNs)} y1={0} y2={height - 18} class="cursor" />
        <text x={LEFT} y={height - 4} class="axis">0</text>
        <text x={WIDTH - 8} y={height - 4} class="axis" text-anchor="end">{us(end)} µs</text>
      </svg>
      <Frozen keys={[detail]}>
        <OpLegend detail={detail} />
      </Frozen>
      {participants > shown && <p class="note">Showing the first {shown} of {participants} participants.</p>}
    </section>
  );
}
