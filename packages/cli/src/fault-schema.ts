/**
 * Fault injection's input for `weft bench` and `weft train`: flags and a scenario file, one
 * schema. Browser-safe (the file is read by the caller's reader); faults.ts resolves them.
 *
 *   --fault 'link=node0.nic3->su0.leaf3,down@50us'     the link fails at 50 us (default @0)
 *   --fault 'link=node0.nic3->su0.leaf3,degrade=0.5@10us'   the link keeps half its capacity
 *   --straggler 'rank=3,slow=2x'                       rank 3 computes 2× slower
 *   --straggler 'rank=3,delay=100us'                   rank 3 starts 100 us late
 *   --crash 'rank=2@30us'                              rank 2 stops at 30 us
 *   --scenario faults.yaml                             the same as a file:
 *
 *     links:      [{ link: "node0.nic3->su0.leaf3", down: 50us }, { link: "…", degrade: 0.5, at: 10us }]
 *     stragglers: [{ rank: 3, slow: 2x }, { rank: 5, delay: 100us }]   (slow: 2 also)
 *     crashes:    [{ rank: 2, at: 30us }]
 *
 * Flags are read into the file's shape, so both pass the same zod schema; link ids and
 * ranks are checked against the topology once it is loaded (`resolveFaults`).
 */
import { parseConfigText, parseLatency } from '@weft/fabric';
import { WeftInputError, isWeftInputError } from '@weft/sim';
import { z } from 'zod';

/** Fault times are virtual: at most an hour (a collective takes microseconds to seconds). */
const MAX_FAULT_TIME_NS = 3600e9;
/** A straggler at most 1000× slower: beyond that the run is a hang, which --crash states better. */
const MAX_SLOW_FACTOR = 1000;

/** A degraded link's factor, as the CLI and the lab accept it. */
export const DEGRADE_HELP = 'use a factor between 0 and 1 (exclusive): the share of capacity the link keeps';

/**
 * The scenario file's schema (and the fault flags', read into its shape), built at first use:
 * a run with no fault flag or scenario never builds its ~20 zod schemas (benchmarks/results/smpi.md §36).
 */
function buildScenarioSchema() {
  const time = z.union([z.string(), z.number()]).transform((value, ctx): number => {
    try {
      const ns = typeof value === 'number' ? value : parseLatency(value, 'time');
      if (ns >= 0 && ns <= MAX_FAULT_TIME_NS) return ns;
      ctx.addIssue({ code: 'custom', message: `'${value}' is not accepted; use a time from 0 to 1 h with a unit (e.g. 50us)${typeof value === 'number' ? '; a bare number in a scenario file is ns' : ''}` });
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^time: /, '') });
    }
    return z.NEVER;
  });
  const rank = z.number().int().min(0, 'use a rank number >= 0');
  const DEGRADE = { message: DEGRADE_HELP };
  const SLOW = { message: `use a factor > 1 and <= ${MAX_SLOW_FACTOR} (how many times slower the rank computes)` };

  const LinkFaultSchema = z.union([
    z.object({ link: z.string().min(1), down: time }).strict(),
    z.object({ link: z.string().min(1), degrade: z.number().gt(0, DEGRADE).lt(1, DEGRADE), at: time.optional() }).strict(),
  ]);
  // A factor as the flag writes it (2x) or a bare number (2): a scenario file takes both.
  const factor = z.preprocess(
    (value) => (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*x?\s*$/i.test(value) ? Number(value.trim().replace(/x$/i, '')) : value),
    z.number(SLOW).gt(1, SLOW).lte(MAX_SLOW_FACTOR, SLOW),
  );
  const StragglerSchema = z.union([
    z.object({ rank, slow: factor }).strict(),
    z.object({ rank, delay: time }).strict(),
  ]);
  const CrashSchema = z.object({ rank, at: time }).strict();

  return z
    .object({
      links: z.array(LinkFaultSchema).optional(),
      stragglers: z.array(StragglerSchema).optional(),
      crashes: z.array(CrashSchema).optional(),
    })
    .strict();
}

let scenarioSchema: ReturnType<typeof buildScenarioSchema> | undefined;
const theScenarioSchema = () => (scenarioSchema ??= buildScenarioSchema());

export type Scenario = z.output<ReturnType<typeof buildScenarioSchema>>;

const SCENARIO_HELP = 'keys: links [{link, down} or {link, degrade (0..1), at}], stragglers [{rank, slow (> 1)} or {rank, delay}], crashes [{rank, at}]';

/**
 * The issue to report: for a union (link down or degraded, straggler slow or delayed), the
 * branch whose keys matched (no unrecognized keys), so a wrong value is named, not the shape.
 */
function firstIssue(error: z.ZodError): z.core.$ZodIssue {
  const issue = error.issues[0]!;
  if (issue.code !== 'invalid_union') return issue;
  const keysMatch = issue.errors.filter((branch) => branch.length > 0 && !branch.some((i) => i.code === 'unrecognized_keys'));
  // A wrong value, or (the one branch whose keys all match) a value of the wrong type: slow: fast.
  const matched = keysMatch.find((branch) => !branch.some((i) => i.code === 'invalid_type')) ?? (keysMatch.length === 1 ? keysMatch[0] : undefined);
  return matched ? { ...matched[0]!, path: [...issue.path, ...matched[0]!.path] } : issue;
}

function schemaError(where: string, error: z.ZodError): WeftInputError {
  const issue = firstIssue(error);
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  const detail = issue.code === 'invalid_union' || issue.code === 'unrecognized_keys' ? `${issue.message}; ${SCENARIO_HELP}` : issue.message;
  // `where` may end in ':' (`--scenario f.yaml:`): an issue of the whole file takes no second one.
  return new WeftInputError(`${path ? `${where} ${path}` : where.replace(/:$/, '')}: ${detail}`);
}

/** The three lists of a scenario and the flag that adds to each. */
const FLAG_OF_SECTION = { links: '--fault', stragglers: '--straggler', crashes: '--crash' } as const;

/**
 * A flag's value the schema refused, named as the user typed it (`--fault 'link=…,degrade=2@0'`:
 * degrade: …), not by the file shape it was read into (links[3].degrade). `fromFile`: how many
 * items of each list came from --scenario (already checked), which come before the flags'.
 */
function flagSchemaError(error: z.ZodError, flags: FaultFlags, fromFile: Readonly<Record<keyof typeof FLAG_OF_SECTION, number>>): WeftInputError {
  const issue = firstIssue(error);
  const [section, index, ...field] = issue.path as [keyof typeof FLAG_OF_SECTION, number, ...PropertyKey[]];
  const flag = FLAG_OF_SECTION[section];
  const typed = ({ links: flags.fault, stragglers: flags.straggler, crashes: flags.crash } as const)[section]?.[index - fromFile[section]];
  if (typed === undefined) return schemaError(flag, error);
  return new WeftInputError(`${flag} '${typed}': ${field.length > 0 ? `${field.map(String).join('.')}: ` : ''}${issue.message}`);
}

/** `link=ID,down@T` / `link=ID,degrade=F@T` (a link id has no comma: two faults in one flag fail here, not as an unknown link) */
const LINK_FLAG = /^link=([^,]+),(down|degrade=([^@,]+))(?:@([^,]+))?$/;
/** `rank=R,slow=Nx` / `rank=R,delay=T` */
const STRAGGLER_FLAG = /^rank=(\d+),(?:slow=([^,]+?)x?|delay=(.+))$/;
/** `rank=R@T` */
const CRASH_FLAG = /^rank=(\d+)@(.+)$/;

function flagError(flag: string, text: string, usage: string): WeftInputError {
  return new WeftInputError(`${flag}: '${text}' is not accepted; use ${usage}`);
}

/** Reads an input file's text for a flag (`--scenario`): node:fs in the CLI, none in a browser. */
export type ReadInputFile = (flag: string, path: string) => string;

export interface FaultFlags {
  readonly fault?: readonly string[];
  readonly straggler?: readonly string[];
  readonly crash?: readonly string[];
  readonly scenario?: string;
}

/** No link fault, straggler or crash. */
export function isEmptyScenario(scenario: Scenario): boolean {
  return (scenario.links?.length ?? 0) + (scenario.stragglers?.length ?? 0) + (scenario.crashes?.length ?? 0) === 0;
}

/** A scenario file's content (already read), checked by the schema; `where` starts the message (the lab passes its field). */
export function parseFaultScenario(raw: unknown, where: string): Scenario {
  const parsed = theScenarioSchema().safeParse(raw ?? {});
  if (!parsed.success) throw schemaError(where, parsed.error);
  return parsed.data;
}

/** The fault flags, read into the scenario file's shape (then checked by the same schema). */
/** The scenario file's document; its format errors ("unknown file type", "invalid YAML") name the flag too. */
function scenarioDocument(text: string, file: string): unknown {
  try {
    return parseConfigText(text, file);
  } catch (error) {
    if (isWeftInputError(error)) throw new WeftInputError(`--scenario ${(error as Error).message}`);
    throw error;
  }
}

export function readFaultFlags(flags: FaultFlags, readInputFile: ReadInputFile): Scenario {
  // No fault asked for: the empty scenario the schema would return for three empty lists, without building it.
  if (flags.scenario === undefined && !flags.fault?.length && !flags.straggler?.length && !flags.crash?.length) return { links: [], stragglers: [], crashes: [] };
  const base: { links: unknown[]; stragglers: unknown[]; crashes: unknown[] } = { links: [], stragglers: [], crashes: [] };
  if (flags.scenario !== undefined) {
    const scenario = parseFaultScenario(scenarioDocument(readInputFile('--scenario', flags.scenario), flags.scenario), `--scenario ${flags.scenario}:`);
    // A file that names no fault (empty, or only empty lists) would run a plain sweep without a word.
    if (isEmptyScenario(scenario)) {
      throw new WeftInputError(`--scenario ${flags.scenario}: the file names no fault; ${SCENARIO_HELP}`);
    }
    base.links.push(...(scenario.links ?? []));
    base.stragglers.push(...(scenario.stragglers ?? []));
    base.crashes.push(...(scenario.crashes ?? []));
  }
  const fromFile = { links: base.links.length, stragglers: base.stragglers.length, crashes: base.crashes.length };
  for (const text of flags.fault ?? []) {
    const m = LINK_FLAG.exec(text.trim());
    if (!m) throw flagError('--fault', text, "link=FROM->TO,down@TIME or link=FROM->TO,degrade=FACTOR@TIME, one fault per --fault (e.g. link=node0.nic3->su0.leaf3,down@50us)");
    if (m[3] !== undefined && !Number.isFinite(Number(m[3]))) throw new WeftInputError(`--fault '${text}': degrade '${m[3]}' is not a number; use the share of capacity the link keeps, above 0 and below 1 (e.g. degrade=0.5)`);
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
  // One parse per run: zod's compiled fast path would cost more than it saves (bench/config.ts).
  const parsed = theScenarioSchema().safeParse(base, { jitless: true });
  if (!parsed.success) throw flagSchemaError(parsed.error, flags, fromFile);
  return parsed.data;
}
