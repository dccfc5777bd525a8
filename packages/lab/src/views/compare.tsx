/** Side by side: the current configuration and one variant of it (ring vs tree, ECMP vs adaptive, qps, a failed link). */
import { useState } from 'preact/hooks';
import type { LabConfig } from '../engine/config.js';
import type { LabRun } from '../engine/run.js';
import { failableLink } from '../engine/failable-link.js';
import { causeOf } from '../ui/fault-summary.js';
import { us } from '../ui/format.js';
import { engineWorker } from '../ui/workers.js';
import { ResultsTable } from './bandwidth.js';

interface Variant {
  readonly label: string;
  readonly apply: (config: LabConfig, run: LabRun) => LabConfig;
  /** Whether B would differ from A and run at all (default: always). */
  readonly applies?: (config: LabConfig, run: LabRun) => boolean;
}

export const VARIANTS: readonly Variant[] = [
  // Only all-reduce has both; with both already in A, B would be a subset of A, not an alternative.
  {
    label: 'the other of ring / tree',
    apply: (c) => ({ ...c, algorithms: c.algorithms.includes('ring') ? ['tree'] : ['ring'] }),
    applies: (c) => c.collective === 'allReduce' && !(c.algorithms.includes('ring') && c.algorithms.includes('tree')),
  },
  { label: 'adaptive routing', apply: (c) => ({ ...c, routing: c.routing === 'adaptive' ? 'ecmp' : 'adaptive' }) },
  { label: '4 queue pairs', apply: (c) => ({ ...c, qps: c.qps === 4 ? 1 : 4 }) },
  // As `weft bench --fault link=ID,down@T`, T half of A's animated run.
  // Only where some link A used has another path between its ends (not on a single switch).
  {
    label: 'a link failing half way',
    apply: (c, run) => ({ ...c, faults: { links: [{ link: failableLink(run)!, down: Math.round(run.details[0]!.timeNs / 2) }] } }),
    applies: (_c, run) => failableLink(run) !== null,
  },
];

export function CompareView({ config, run }: { config: LabConfig; run: LabRun }) {
  const variants = VARIANTS.filter((v) => v.applies?.(config, run) ?? true);
  const [chosen, setVariant] = useState(0);
  const variant = Math.min(chosen, variants.length - 1);
  // B belongs to the A it was run against: a new run A hides it.
  const [compared, setOther] = useState<{ a: LabRun; config: LabConfig; run: LabRun } | null>(null);
  const other = compared?.a === run ? compared : null;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const compare = async () => {
    setBusy(true);
    setError(null);
    try {
      const b = variants[variant]!.apply(config, run);
      setOther({ a: run, config: b, run: await engineWorker().run(b) });
    } catch (e) {
      setError((e as Error).message.split('\n')[0]!);
    } finally {
      setBusy(false);
    }
  };
  // Algorithms a fault stopped for the same cause share one sentence ("ring, tree: did not complete (…)").
  const focus = (r: LabRun) => {
    const byStatus = new Map<string, string[]>();
    for (const d of r.details) {
      const status = d.error ? `did not complete (${causeOf(d.error)})` : `${us(d.timeNs)} µs${d.protocol !== null ? ` (${d.protocol})` : ''}`;
      byStatus.set(status, [...(byStatus.get(status) ?? []), d.algorithm]);
    }
    return [...byStatus].map(([status, names]) => `${names.join(', ')}: ${status}`).join('; ');
  };
  return (
    <section class="view wide" aria-label="Compare">
      <h2>Compare two configurations</h2>
      <label>
        B is A with{' '}
        <select value={variant} onChange={(e) => setVariant(Number((e.target as HTMLSelectElement).value))}>
          {variants.map((v, i) => <option key={v.label} value={i}>{v.label}</option>)}
        </select>
      </label>{' '}
      <button onClick={compare} disabled={busy} data-testid="compare">{busy ? 'Running…' : 'Compare'}</button>
      {failableLink(run) === null && <p class="note" data-testid="no-failable-link">No link to fail half way: on {run.topology.name} no link A used has another path between its ends (on one switch, each GPU's link is its only way in and out), so a failure would strand every run; a leaf-spine (leafspine:hosts=16,leaves=4,spines=2) has links to fail.</p>}
      {error && <p class="error">{error}</p>}
      <div class="side-by-side">
        <div><h3>A</h3><p class="note">{focus(run)}</p><ResultsTable run={run} /></div>
        <div>
          <h3>B</h3>
          {other ? <><p class="note">{focus(other.run)}</p><ResultsTable run={other.run} /></> : <p class="empty">Pick a variant and press Compare.</p>}
        </div>
      </div>
    </section>
  );
}
