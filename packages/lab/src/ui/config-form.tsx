/** The run's configuration: the same knobs as `weft bench`'s flags. */
import type { CollectiveName } from '@weft/collectives';
import { faultFlags, type LabConfig } from '../engine/config.js';
import type { Catalog } from '../worker/engine-worker.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import { parseDecimal } from '../engine/grade.js';
import { formatBytes } from './format.js';

const PRESETS = ['switch:8', 'ring:8', 'fullmesh:8', 'dgx-h100:nodes=1', 'dgx-h100:nodes=2', 'dgx-h100:nodes=4', 'leafspine:hosts=16,leaves=2,spines=4', 'leafspine:hosts=64,leaves=8,spines=4', 'nvl72'];
const SIZES = Array.from({ length: 21 }, (_, i) => 1024 * 2 ** i); // 1 KiB … 1 GiB

/** Every other power of two from `from`, and always `to` itself (else the "to" select would jump back a step). */
const sweep = (from: number, to: number): number[] => SIZES.filter((s) => s >= from && s <= to && (Math.log2(s / from) % 2 === 0 || s === to));

/** Data mode moves real bytes in this page: switching to it keeps the sweep to 1 MiB and the animated run to 256 KiB (the buffer grid's reach). */
const DATA_MAX_BYTES = 1 << 20;
const DATA_FOCUS_MAX_BYTES = 256 * 1024;

function modePatch(config: LabConfig, mode: LabConfig['mode']): Partial<LabConfig> {
  if (mode === 'ghost') return { mode };
  const small = config.sizesBytes.filter((s) => s <= DATA_MAX_BYTES);
  return { mode, sizesBytes: small.length > 0 ? small : [DATA_MAX_BYTES], focusBytes: Math.min(config.focusBytes, DATA_FOCUS_MAX_BYTES) };
}

/**
 * A whole-number box (qps, channels). Text, not type="number": a number input under a comma
 * locale read "2,5" as 25. Either decimal mark is read (parseDecimal); anything not a whole
 * number in range is said next to the box, and the run keeps the last good value (Run waits).
 */
function WholeNumber({ name, value, min, max, title, onValue, onProblem }: { name: string; value: number; min: number; max: number; title?: string; onValue: (n: number) => void; onProblem: (problem: boolean) => void }) {
  const [text, setText] = useState(String(value));
  const [problem, setProblem] = useState(false);
  // A value set from outside (a scenario, an exercise's run) replaces the text.
  useEffect(() => {
    if (parseDecimal(text) !== value) setText(String(value));
    setProblem(false);
    onProblem(false);
  }, [value]);
  const id = `${name}-problem`;
  return (
    <label title={title}>{name}{' '}
      <input type="text" inputMode="numeric" autoComplete="off" size={4} value={text} data-testid={name} aria-invalid={problem ? 'true' : undefined} aria-describedby={problem ? id : undefined}
        onInput={(e) => {
          const typed = (e.target as HTMLInputElement).value;
          setText(typed);
          const n = parseDecimal(typed);
          const bad = n === null || !Number.isInteger(n) || n < min || n > max;
          setProblem(bad);
          onProblem(bad);
          if (!bad && n !== value) onValue(n);
        }} />
      {problem && <span class="problem" id={id} role="alert" data-testid={`${name}-problem`}> {name} takes a whole number from {min} to {max}.</span>}
    </label>
  );
}

/** `catalog`: each collective's algorithms, from the engine worker (the page bundles no algorithm code); until it arrives, the run's own. */
export function ConfigForm({ config, setConfig, onRun, onStop, busy, catalog }: { config: LabConfig; setConfig: (c: LabConfig) => void; onRun: () => void; onStop: () => void; busy: boolean; catalog: Catalog | null }) {
  const set = (patch: Partial<LabConfig>) => setConfig({ ...config, ...patch });
  const known = catalog ?? { [config.collective]: config.algorithms };
  const names = known[config.collective] ?? config.algorithms;
  const min = Math.min(...config.sizesBytes);
  const max = Math.max(...config.sizesBytes);
  // Data mode holds real bytes in this page: sizes past its reach are greyed out, not refused after Run in weft bench's words.
  // Boxes whose text is no good value: Run waits for them (the run would use a number the student did not type).
  const [problems, setProblems] = useState<ReadonlySet<string>>(new Set());
  const problem = (name: string) => (bad: boolean) => setProblems((now) => {
    if (now.has(name) === bad) return now;
    const next = new Set(now);
    if (bad) next.add(name);
    else next.delete(name);
    return next;
  });
  // Stop and "Clear faults" take their own button away: the keyboard's focus goes to Run (else to the page's start).
  const runButton = useRef<HTMLButtonElement>(null);
  const sizeOption = (limit: number) => (s: number) => <option key={s} value={s} disabled={config.mode === 'data' && s > limit}>{formatBytes(s)}</option>;
  return (
    <form class="config" onSubmit={(e) => { e.preventDefault(); if (!busy && problems.size === 0) onRun(); }} aria-label="Run configuration">
      <label>topology <input list="presets" value={config.topology} onChange={(e) => set({ topology: (e.target as HTMLInputElement).value })} data-testid="topology" size={30} /></label>
      <datalist id="presets">{PRESETS.map((p) => <option key={p} value={p} />)}</datalist>
      <label>collective{' '}
        <select value={config.collective} onChange={(e) => {
          const collective = (e.target as HTMLSelectElement).value as CollectiveName;
          set({ collective, algorithms: known[collective]!.slice(0, 1) });
        }}>
          {Object.keys(known).map((c) => <option key={c} value={c}>{c}</option>)}
        </select>
      </label>
      <fieldset><legend>algorithms</legend>
        {names.map((name) => (
          <label key={name} class="check">
            <input type="checkbox" checked={config.algorithms.includes(name)} data-testid={`algo-${name}`}
              onChange={(e) => set({ algorithms: (e.target as HTMLInputElement).checked ? [...config.algorithms, name] : config.algorithms.filter((a) => a !== name) })} />
            {name}
          </label>
        ))}
      </fieldset>
      {/* One name each (a label names only its first control): the group says "sizes", each select which end. */}
      <span class="sizes" role="group" aria-labelledby="sizes-label"><span id="sizes-label">sizes</span>{' '}
        {/* A bound past the other moves it along: the sweep never empties. */}
        <select value={min} data-testid="size-min" aria-label="sizes from" onChange={(e) => { const from = Number((e.target as HTMLSelectElement).value); set({ sizesBytes: sweep(from, Math.max(from, max)) }); }}>{SIZES.map(sizeOption(DATA_MAX_BYTES))}</select>
        {' to '}
        <select value={max} data-testid="size-max" aria-label="sizes to" onChange={(e) => { const to = Number((e.target as HTMLSelectElement).value); set({ sizesBytes: sweep(Math.min(min, to), to) }); }}>{SIZES.map(sizeOption(DATA_MAX_BYTES))}</select>
      </span>
      <label>animated run at <select value={config.focusBytes} onChange={(e) => set({ focusBytes: Number((e.target as HTMLSelectElement).value) })} data-testid="focus">
        {SIZES.map(sizeOption(DATA_FOCUS_MAX_BYTES))}</select></label>
      <label>routing <select value={config.routing} onChange={(e) => set({ routing: (e.target as HTMLSelectElement).value as LabConfig['routing'] })}><option>ecmp</option><option>adaptive</option></select></label>
      <WholeNumber name="qps" value={config.qps} min={1} max={64} onValue={(qps) => set({ qps })} onProblem={problem('qps')} />
      <WholeNumber name="channels" value={config.channels} min={0} max={64} title="0: auto (the topology search's count)" onValue={(channels) => set({ channels })} onProblem={problem('channels')} />
      <label>network <select value={config.network} onChange={(e) => set({ network: (e.target as HTMLSelectElement).value as LabConfig['network'] })}><option>maxMin</option><option>alphaBeta</option></select></label>
      <label title="--proto: the NCCL protocol ring and tree run; auto: per size, as NCCL's tuner picks">proto <select value={config.proto ?? 'auto'} data-testid="proto" onChange={(e) => {
        const proto = (e.target as HTMLSelectElement).value;
        const { proto: _proto, ...rest } = config;
        setConfig(proto === 'auto' ? rest : { ...rest, proto: proto as NonNullable<LabConfig['proto']> });
      }}>{['auto', 'LL', 'LL128', 'Simple'].map((p) => <option key={p}>{p}</option>)}</select></label>
      <label title="ghost: byte counts only (any size); data: real bytes in this page's worker (small sizes), and the buffer grid shows what they held">mode <select value={config.mode} onChange={(e) => set(modePatch(config, (e.target as HTMLSelectElement).value as LabConfig['mode']))} data-testid="mode"><option>ghost</option><option>data</option></select></label>
      {/* A scenario's faults: listed (read-only, as the flags' text), and cleared in one click. */}
      {config.faults !== undefined && (
        <p class="note" data-testid="form-faults">
          faults (from the scenario): {faultFlags(config.faults).map(({ flag, text }) => `${flag} ${text}`).join('; ')}{' '}
          <button type="button" onClick={() => { const { faults: _faults, ...rest } = config; setConfig(rest); runButton.current?.focus(); }} data-testid="clear-faults">Clear faults</button>
        </p>
      )}
      {/* aria-disabled while a run is in flight, not disabled: a disabled button drops the keyboard's focus to the page's start. */}
      <button type="submit" ref={runButton} disabled={config.algorithms.length === 0 || problems.size > 0} aria-disabled={busy ? 'true' : undefined} data-testid="run">{busy ? 'Simulating…' : 'Run'}</button>
      {/* A big run can take minutes in the worker: Stop ends that worker and starts a fresh one. */}
      {busy && <button type="button" onClick={() => { onStop(); runButton.current?.focus(); }} data-testid="stop">Stop</button>}
    </form>
  );
}
