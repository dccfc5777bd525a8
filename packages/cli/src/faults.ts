/**
 * Fault injection for `weft bench` and `weft train`: the flags and scenario file (read by
 * fault-schema.ts) checked against the loaded topology and turned into the runtime's faults.
 */
import type { LinkStats, Topology } from '@weft/fabric';
import type { Fault } from '@weft/runtime';
import { WeftInputError } from '@weft/sim';
import { readFaultFlags, type FaultFlags, type Scenario } from './fault-schema.js';
import { readInputFile } from './input-file.js';

export type { Scenario } from './fault-schema.js';
export { isEmptyScenario } from './fault-schema.js';

/** The fault flags, with `--scenario` read from disk. */
export const scenarioFromFlags = (flags: FaultFlags): Scenario => readFaultFlags(flags, readInputFile);

/** The runtime's faults for `topology`: every link id and rank checked, one line if not found. */
export function resolveFaults(scenario: Scenario, topology: Topology): Fault[] {
  const linkIds = new Set(topology.links.map((l) => l.id));
  const nranks = topology.ranks.length;
  const faults: Fault[] = [];
  for (const f of scenario.links ?? []) {
    if (!linkIds.has(f.link)) {
      throw new WeftInputError(`--fault: link '${f.link}' is not in topology ${topology.name}; ${linkHint(f.link, topology)}`);
    }
    faults.push('down' in f ? { kind: 'failLink', linkId: f.link, atNs: f.down } : { kind: 'degradeLink', linkId: f.link, factor: f.degrade, atNs: f.at ?? 0 });
  }
  const checkRank = (flag: string, r: number) => {
    if (r >= nranks) throw new WeftInputError(`${flag}: rank ${r} is not a rank; this topology has ranks 0..${nranks - 1}`);
  };
  for (const s of scenario.stragglers ?? []) {
    checkRank('--straggler', s.rank);
    faults.push('slow' in s ? { kind: 'slowRank', rank: s.rank, factor: s.slow } : { kind: 'delayRank', rank: s.rank, delayNs: s.delay });
  }
  for (const c of scenario.crashes ?? []) {
    checkRank('--crash', c.rank);
    faults.push({ kind: 'crashRank', rank: c.rank, atNs: c.at });
  }
  return faults;
}

/** Links a hint names before it says how many more there are. */
const HINT_LINKS = 6;

/**
 * The links a mistyped id most likely meant: those leaving its source node, the ones whose far
 * end shares the longest prefix with the one typed first (leaf0->spine9 lists leaf0->spine0 and
 * leaf0->spine1 before leaf0's host links), with how many were left out.
 */
function linkHint(linkId: string, topology: Topology): string {
  const [from = '', to = ''] = linkId.split('->');
  const shared = (name: string): number => {
    let n = 0;
    while (n < name.length && n < to.length && name[n] === to[n]) n++;
    return n;
  };
  const near = topology.links.filter((l) => l.from === from).sort((a, b) => shared(b.to) - shared(a.to));
  if (near.length === 0) return `e.g. ${topology.links.slice(0, 3).map((l) => l.id).join(', ')} (weft topo --json lists every link)`;
  const more = near.length > HINT_LINKS ? `, and ${near.length - HINT_LINKS} more (weft topo --json lists every link)` : '';
  return `links from ${from}: ${near.slice(0, HINT_LINKS).map((l) => l.id).join(', ')}${more}`;
}

/** One line per fault, for report headers. */
export function describeFaults(faults: readonly Fault[]): string[] {
  return faults.map((f) => {
    switch (f.kind) {
      case 'failLink':
        return `link ${f.linkId} down at ${f.atNs} ns`;
      case 'degradeLink':
        return `link ${f.linkId} at ${f.factor}× capacity from ${f.atNs} ns`;
      case 'slowRank':
        return `rank ${f.rank} computes ${f.factor}× slower`;
      case 'delayRank':
        return `rank ${f.rank} starts ${f.delayNs} ns late`;
      case 'crashRank':
        return `rank ${f.rank} crashes at ${f.atNs} ns`;
    }
  });
}

/** Errors a faulted run may end with: reported as the run's outcome, not as a failure of weft. */
export const RUN_FAILURE_NAMES: ReadonlySet<string> = new Set(['DeadlockError', 'TransferStrandedError', 'RankCrashedError', 'RankError', 'RankTimeoutError']);

/** What faults did to a run, as `weft bench` and `weft train` name it. */
export type FaultOutcomeName = 'unaffected' | 'slower' | 'faster' | 'rerouted' | 'failed';

/** A faulted run's failure as its outcome text (`Name: first line`); undefined when it is not a run failure (weft itself failed: rethrow). */
export function runFailureText(error: unknown): string | undefined {
  if (!(error instanceof Error && RUN_FAILURE_NAMES.has(error.name))) return undefined;
  return `${error.name}: ${error.message.split('\n')[0]!}`;
}

/**
 * The outcome of a faulted run that completed, against the same run without faults:
 * rerouted when a failed link carried less than without the fault (the bytes went over
 * other paths), else slower, faster (a late rank can ease contention) or unaffected by the
 * time, equal within float rounding (1e-9 relative) being unaffected: a 0.997× run was
 * "unaffected (−0.3 %)" and an equal one "slower 1.000×".
 */
export function completedOutcome(
  faults: readonly Fault[],
  baseline: { readonly timeNs: number; readonly linkStats: readonly LinkStats[] },
  faulted: { readonly timeNs: number; readonly linkStats: readonly LinkStats[] },
): Exclude<FaultOutcomeName, 'failed'> {
  const carried = (stats: readonly LinkStats[], id: string) => stats.find((l) => l.linkId === id)?.bytesCarried ?? 0;
  const rerouted = faults.some((f) => f.kind === 'failLink' && carried(faulted.linkStats, f.linkId) < carried(baseline.linkStats, f.linkId) - 0.5);
  if (rerouted) return 'rerouted';
  const tolerance = baseline.timeNs * 1e-9;
  return faulted.timeNs > baseline.timeNs + tolerance ? 'slower' : faulted.timeNs < baseline.timeNs - tolerance ? 'faster' : 'unaffected';
}

/** A slowdown factor as printed after an outcome: ` 1.234x (23.4%)`; empty when there is none or it is 1 within float rounding. */
export function slowdownText(slowdown: number | null): string {
  return slowdown === null || Math.abs(slowdown - 1) <= 1e-9 ? '' : ` ${slowdown.toFixed(3)}x (${((slowdown - 1) * 100).toFixed(1)}%)`;
}
