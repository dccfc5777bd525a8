/**
 * Fault injection for `weft bench` and `weft train`: flags and a scenario file, one schema.
 *
 *   --fault 'link=node0.nic3->su0.leaf3,down@50us'     the link fails at 50 us (default @0)
 *   --fault 'link=node0.nic3->su0.leaf3,degrade=0.5@10us'   the link keeps half its capacity
 *   --straggler 'rank=3,slow=2x'                       rank 3 computes 2× slower
 *   --straggler 'rank=3,delay=100us'                   rank 3 starts 100 us late
 *   --crash 'rank=2@30us'                              rank 2 stops at 30 us
 *   --scenario faults.yaml                             the same as a file:
 *
 *     links:      [{ link: "node0.nic3->su0.leaf3", down: 50us }, { link: "…", degrade: 0.5, at: 10us }]
 *     stragglers: [{ rank: 3, slow: 2 }, { rank: 5, delay: 100us }]
 *     crashes:    [{ rank: 2, at: 30us }]
 *
 * Flags are read into the file's shape, so both pass the same zod schema; link ids and
 * ranks are checked against the topology once it is loaded (`resolveFaults`).
 */
import { parseConfigText, parseLatency, type LinkStats, type Topology } from '@weft/fabric';
import type { Fault } from '@weft/runtime';
import { WeftInputError } from '@weft/sim';
import { z } from 'zod';
import { readInputFile } from './input-file.js';

/** Fault times are virtual: at most an hour (a collective takes microseconds to seconds). */
const MAX_FAULT_TIME_NS = 3600e9;
/** A straggler at most 1000× slower: beyond that the run is a hang, which --crash states better. */
const MAX_SLOW_FACTOR = 1000;

const time = z.union([z.string(), z.number()]).transform((value, ctx): number => {
  try {
    const ns = typeof value === 'number' ? value : parseLatency(value, 'time');
    if (ns >= 0 && ns <= MAX_FAULT_TIME_NS) return ns;
    ctx.addIssue({ code: 'custom', message: `'${value}' is not accepted; use a time from 0 to 1 h (e.g. 50us; a bare number is ns)` });
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^time: /, '') });
  }
  return z.NEVER;
});
const rank = z.number().int().min(0, 'use a rank number >= 0');
const DEGRADE = { message: 'use a factor between 0 and 1 (exclusive): the share of capacity the link keeps' };
const SLOW = { message: `use a factor > 1 and <= ${MAX_SLOW_FACTOR} (how many times slower the rank computes)` };

const LinkFaultSchema = z.union([
  z.object({ link: z.string().min(1), down: time }).strict(),
  z.object({ link: z.string().min(1), degrade: z.number().gt(0, DEGRADE).lt(1, DEGRADE), at: time.optional() }).strict(),
]);
const StragglerSchema = z.union([
  z.object({ rank, slow: z.number().gt(1, SLOW).lte(MAX_SLOW_FACTOR, SLOW) }).strict(),
  z.object({ rank, delay: time }).strict(),
]);
const CrashSchema = z.object({ rank, at: time }).strict();

export const ScenarioSchema = z
  .object({
    links: z.array(LinkFaultSchema).optional(),
    stragglers: z.array(StragglerSchema).optional(),
    crashes: z.array(CrashSchema).optional(),
  })
  .strict();

export type Scenario = z.output<typeof ScenarioSchema>;

const SCENARIO_HELP = 'keys: links [{link, down} or {link, degrade (0..1), at}], stragglers [{rank, slow (> 1)} or {rank, delay}], crashes [{rank, at}]';

function schemaError(where: string, error: z.ZodError): WeftInputError {
  const issue = error.issues[0]!;
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  const detail = issue.code === 'invalid_union' || issue.code === 'unrecognized_keys' ? `${issue.message}; ${SCENARIO_HELP}` : issue.message;
  return new WeftInputError(`${where}${path ? ` ${path}` : ''}: ${detail}`);
}

/** `link=ID,down@T` / `link=ID,degrade=F@T` */
const LINK_FLAG = /^link=(.+),(down|degrade=([^@]+))(?:@(.+))?$/;
/** `rank=R,slow=Nx` / `rank=R,delay=T` */
const STRAGGLER_FLAG = /^rank=(\d+),(?:slow=([^,]+?)x?|delay=(.+))$/;
/** `rank=R@T` */
const CRASH_FLAG = /^rank=(\d+)@(.+)$/;

function flagError(flag: string, text: string, usage: string): WeftInputError {
  return new WeftInputError(`${flag}: '${text}' is not accepted; use ${usage}`);
}

/** The fault flags, read into the scenario file's shape (then checked by the same schema). */
export function scenarioFromFlags(flags: { fault?: readonly string[]; straggler?: readonly string[]; crash?: readonly string[]; scenario?: string }): Scenario {
  const base: { links: unknown[]; stragglers: unknown[]; crashes: unknown[] } = { links: [], stragglers: [], crashes: [] };
  if (flags.scenario !== undefined) {
    const raw = parseConfigText(readInputFile('--scenario', flags.scenario), flags.scenario);
    const parsed = ScenarioSchema.safeParse(raw ?? {});
    if (!parsed.success) throw schemaError(`--scenario ${flags.scenario}:`, parsed.error);
    base.links.push(...(parsed.data.links ?? []));
    base.stragglers.push(...(parsed.data.stragglers ?? []));
    base.crashes.push(...(parsed.data.crashes ?? []));
  }
  for (const text of flags.fault ?? []) {
    const m = LINK_FLAG.exec(text.trim());
    if (!m) throw flagError('--fault', text, "link=FROM->TO,down@TIME or link=FROM->TO,degrade=FACTOR@TIME (e.g. link=node0.nic3->su0.leaf3,down@50us)");
    const at = m[4] ?? '0ns';
    base.links.push(m[2] === 'down' ? { link: m[1], down: at } : { link: m[1], degrade: Number(m[3]), at });
  }
  for (const text of flags.straggler ?? []) {
    const m = STRAGGLER_FLAG.exec(text.trim());
    if (!m) throw flagError('--straggler', text, 'rank=R,slow=FACTORx or rank=R,delay=TIME (e.g. rank=3,slow=2x or rank=3,delay=100us)');
    base.stragglers.push(m[2] !== undefined ? { rank: Number(m[1]), slow: Number(m[2]) } : { rank: Number(m[1]), delay: m[3] });
  }
  for (const text of flags.crash ?? []) {
    const m = CRASH_FLAG.exec(text.trim());
    if (!m) throw flagError('--crash', text, 'rank=R@TIME (e.g. rank=2@30us)');
    base.crashes.push({ rank: Number(m[1]), at: m[2] });
  }
  const parsed = ScenarioSchema.safeParse(base);
  if (!parsed.success) {
    const section = parsed.error.issues[0]!.path[0];
    throw schemaError(section === 'links' ? '--fault' : section === 'stragglers' ? '--straggler' : '--crash', parsed.error);
  }
  return parsed.data;
}

export function isEmptyScenario(scenario: Scenario): boolean {
  return (scenario.links?.length ?? 0) + (scenario.stragglers?.length ?? 0) + (scenario.crashes?.length ?? 0) === 0;
}

/** The runtime's faults for `topology`: every link id and rank checked, one line if not found. */
export function resolveFaults(scenario: Scenario, topology: Topology): Fault[] {
  const linkIds = new Set(topology.links.map((l) => l.id));
  const nranks = topology.ranks.length;
  const faults: Fault[] = [];
  for (const f of scenario.links ?? []) {
    if (!linkIds.has(f.link)) {
      const from = f.link.split('->')[0]!;
      const near = topology.links.filter((l) => l.from === from).slice(0, 4).map((l) => l.id);
      const hint = near.length > 0 ? `links from ${from}: ${near.join(', ')}` : `e.g. ${topology.links.slice(0, 3).map((l) => l.id).join(', ')} (weft topo --json lists every link)`;
      throw new WeftInputError(`--fault: link '${f.link}' is not in topology ${topology.name}; ${hint}`);
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
export type FaultOutcomeName = 'unaffected' | 'slower' | 'rerouted' | 'failed';

/** A faulted run's failure as its outcome text (`Name: first line`); undefined when it is not a run failure (weft itself failed: rethrow). */
export function runFailureText(error: unknown): string | undefined {
  if (!(error instanceof Error && RUN_FAILURE_NAMES.has(error.name))) return undefined;
  return `${error.name}: ${error.message.split('\n')[0]!}`;
}

/**
 * The outcome of a faulted run that completed, against the same run without faults:
 * rerouted when a failed link carried less than without the fault (the bytes went over
 * other paths), else slower or unaffected by the time.
 */
export function completedOutcome(
  faults: readonly Fault[],
  baseline: { readonly timeNs: number; readonly linkStats: readonly LinkStats[] },
  faulted: { readonly timeNs: number; readonly linkStats: readonly LinkStats[] },
): Exclude<FaultOutcomeName, 'failed'> {
  const carried = (stats: readonly LinkStats[], id: string) => stats.find((l) => l.linkId === id)?.bytesCarried ?? 0;
  const rerouted = faults.some((f) => f.kind === 'failLink' && carried(faulted.linkStats, f.linkId) < carried(baseline.linkStats, f.linkId) - 0.5);
  return rerouted ? 'rerouted' : faulted.timeNs > baseline.timeNs ? 'slower' : 'unaffected';
}

/** A slowdown factor as printed after an outcome: ` 1.234x (23.4%)`; empty when there is none or it is exactly 1. */
export function slowdownText(slowdown: number | null): string {
  return slowdown === null || slowdown === 1 ? '' : ` ${slowdown.toFixed(3)}x (${((slowdown - 1) * 100).toFixed(1)}%)`;
}
