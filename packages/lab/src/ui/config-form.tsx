/** The run's configuration: the same knobs as `weft bench`'s flags. */
import type { CollectiveName } from '@weft/collectives';
import { faultFlags, type LabConfig } from '../engine/config.js';
import type { Catalog } from '../worker/engine-worker.js';
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

/** `catalog`: each collective's algorithms, from the engine worker (the page bundles no algorithm code); until it arrives, the run's own. */
export function ConfigForm({ config, setConfig, onRun, onStop, busy, catalog }: { config: LabConfig; setConfig: (c: LabConfig) => void; onRun: () => void; onStop: () => void; busy: boolean; catalog: Catalog | null }) {
  const set = (patch: Partial<LabConfig>) => setConfig({ ...config, ...patch });
  const known = catalog ?? { [config.collective]: config.algorithms };
  const names = known[config.collective] ?? config.algorithms;
  const min = Math.min(...config.sizesBytes);
  const max = Math.max(...config.sizesBytes);
  // Data mode holds real bytes in this page: sizes past its reach are greyed out, not refused after Run in weft bench's words.
  const sizeOption = (limit: number) => (s: number) => <option key={s} value={s} disabled={config.mode === 'data' && s > limit}>{formatBytes(s)}</option>;
  return (
    <form class="config" onSubmit={(e) => { e.preventDefault(); onRun(); }} aria-label="Run configuration">
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
      <label>sizes{' '}
        {/* A bound past the other moves it along: the sweep never empties. */}
        <select value={min} data-testid="size-min" onChange={(e) => { const from = Number((e.target as HTMLSelectElement).value); set({ sizesBytes: sweep(from, Math.max(from, max)) }); }}>{SIZES.map(sizeOption(DATA_MAX_BYTES))}</select>
        {' to '}
        <select value={max} data-testid="size-max" onChange={(e) => { const to = Number((e.target as HTMLSelectElement).value); set({ sizesBytes: sweep(Math.min(min, to), to) }); }}>{SIZES.map(sizeOption(DATA_MAX_BYTES))}</select>
      </label>
      <label>animated run at <select value={config.focusBytes} onChange={(e) => set({ focusBytes: Number((e.target as HTMLSelectElement).value) })} data-testid="focus">
        {SIZES.map(sizeOption(DATA_FOCUS_MAX_BYTES))}</select></label>
      <label>routing <select value={config.routing} onChange={(e) => set({ routing: (e.target as HTMLSelectElement).value as LabConfig['routing'] })}><option>ecmp</option><option>adaptive</option></select></label>
      <label>qps <input type="number" min={1} max={64} value={config.qps} onChange={(e) => set({ qps: Number((e.target as HTMLInputElement).value) })} /></label>
      <label>channels <input type="number" min={0} max={64} value={config.channels} title="0: auto (the topology search's count)" onChange={(e) => set({ channels: Number((e.target as HTMLInputElement).value) })} /></label>
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
          <button type="button" onClick={() => { const { faults: _faults, ...rest } = config; setConfig(rest); }} data-testid="clear-faults">Clear faults</button>
        </p>
      )}
      <button type="submit" disabled={busy || config.algorithms.length === 0} data-testid="run">{busy ? 'Simulating…' : 'Run'}</button>
      {/* A big run can take minutes in the worker: Stop ends that worker and starts a fresh one. */}
      {busy && <button type="button" onClick={onStop} data-testid="stop">Stop</button>}
    </form>
  );
}
