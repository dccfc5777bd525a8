/**
 * Scenarios: a LabConfig (any subset; the rest from the defaults) plus optional student code
 * and an instructor's exercise, from JSON/YAML (a file, `?scenario=URL`, or `?s=` in a shared
 * link: ui/url-state.ts). Parsed in the engine worker, so the page loads no schema code.
 * The run's fields are checked by `weft bench`'s own schema (@weft/cli/schema), so a bad
 * field gets the CLI's one-line message for the same flag: `config.qps (--qps): '0' is not
 * accepted; use a whole number from 1 to 64`. Faults are the CLI's too: `fault`,
 * `straggler` and `crash` take the flags' text, `faults` a `--scenario` file's content, both
 * checked by the CLI's fault schema and against the topology as `weft bench` checks them.
 * The lab checks only what is its own (the focus size, the exercise) and what it does not
 * run (packet network, files).
 */
import { listAlgorithms, type CollectiveName } from '@weft/collectives';
import { BENCH_FLAGS, benchSchema, flagLabel, orList, parseFaultScenario, type FlagKey } from '@weft/cli/schema';
import { resolveFaults } from '@weft/cli/sweep';
import { parseTopologySpec, resolveRouting, yamlProblemLine, type Topology } from '@weft/fabric';
import { WeftInputError } from '@weft/sim';
import { parseDocument as parseYamlDocument } from 'yaml';
import { DEFAULT_CONFIG, type LabConfig, type LabFaults } from './config.js';
import type { CustomExercise } from './exercise-list.js';

export interface Scenario {
  readonly config: LabConfig;
  readonly code?: string;
  /** An instructor's own exercise on this run: predict an algorithm's simulated time. */
  readonly exercise?: CustomExercise;
}

/** The lab reads no files: its topology is a preset spec and a `--scenario` file's faults are config.faults. */
const SCHEMA = benchSchema((flag) => {
  throw new WeftInputError(`${flag}: the lab reads no files`);
});

/** The scenario fields `weft bench`'s schema checks, and the flag (schema key) each one is. */
const FIELD_FLAGS = {
  collective: 'collective',
  topology: 'topology',
  algorithms: 'algo',
  network: 'network',
  routing: 'routing',
  qps: 'qps',
  seed: 'seed',
  channels: 'channels',
  chunkBytes: 'chunkBytes',
  mode: 'mode',
  proto: 'proto',
} as const satisfies Partial<Record<keyof LabConfig, FlagKey | 'collective'>>;

/** `weft bench`'s repeatable fault flags, as lists of the flags' text. */
const FAULT_FLAGS = ['fault', 'straggler', 'crash'] as const;

const FIELDS = Object.keys(DEFAULT_CONFIG).concat('proto', 'faults', ...FAULT_FLAGS) as (keyof LabConfig)[];

type SchemaKey = (typeof FIELD_FLAGS)[keyof typeof FIELD_FLAGS] | 'minBytes' | 'maxBytes';

/** `config.qps (--qps)`: the scenario field, and the CLI flag whose message follows. */
function label(field: string, key: SchemaKey | undefined): string {
  if (key === undefined || key === 'collective') return `config.${field}`;
  return `config.${field} (${flagLabel(BENCH_FLAGS[key].flags)})`;
}

const fail = (where: string, message: string): never => {
  throw new Error(`${where}: ${message}`);
};

/** A field's value as the flag text the CLI would have read. */
function flagText(field: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fail(`config.${field}`, `'${JSON.stringify(value)}' is not accepted; use a number or a string`);
}

/** A size field (`4096`, `'64K'`): in bytes, or the CLI's message for the same -b. */
function sizeOf(where: string, value: unknown): number {
  const read = BENCH_FLAGS.minBytes.schema.safeParse(flagText(where.replace(/^config\./, ''), value));
  return read.success ? read.data : fail(where, read.error.issues[0]!.message);
}

/** The lab's runs: the CLI's other networks and routings run in `weft bench`, not here. */
const LAB_NETWORKS = ['maxMin', 'alphaBeta'];
const LAB_ROUTINGS = ['ecmp', 'adaptive'];

/** A LabConfig from a scenario's `config`: defaults filled in, each field checked by the CLI's schema. */
function parseConfig(value: unknown): LabConfig {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    fail('config', 'an object of run fields (topology, collective, algorithms, sizesBytes, ...)');
  }
  const given = (value ?? {}) as Record<string, unknown>;
  for (const field of Object.keys(given)) {
    if (!(FIELDS as string[]).includes(field)) fail('config', `'${field}' is not a scenario field; use ${orList(FIELDS)}`);
  }
  const raw = { ...DEFAULT_CONFIG, ...given } as Record<keyof LabConfig, unknown>;
  if (!Array.isArray(raw.sizesBytes) || raw.sizesBytes.length === 0) fail('config.sizesBytes', 'a list of sizes (bytes, or with a K, M or G suffix), at least one');
  const sizesBytes = (raw.sizesBytes as unknown[]).map((size, i) => sizeOf(`config.sizesBytes[${i}] (-b/--minbytes)`, size));
  const focusBytes = sizeOf('config.focusBytes', raw.focusBytes);
  const algorithms = Array.isArray(raw.algorithms) ? raw.algorithms.map((name, i) => flagText(`algorithms[${i}]`, name)).join(',') : flagText('algorithms', raw.algorithms);
  // Every other flag at its CLI default: the one schema runs whole (cross-flag checks included).
  const input: Record<string, unknown> = Object.fromEntries(Object.entries(BENCH_FLAGS).map(([key, f]) => [key, f.fallback]));
  for (const [field, key] of Object.entries(FIELD_FLAGS)) {
    // A field without a default of the lab's own (proto) stays at the CLI's.
    if (raw[field as keyof LabConfig] !== undefined) input[key] = field === 'algorithms' ? algorithms : flagText(field, raw[field as keyof LabConfig]);
  }
  for (const key of FAULT_FLAGS) {
    const list = given[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) fail(`config.${key}`, `a list of ${flagLabel(BENCH_FLAGS[key].flags)} values, e.g. ${BENCH_FLAGS[key].help.replace(/^.*repeatable: /, '')}`);
    input[key] = (list as unknown[]).map((v, i) => flagText(`${key}[${i}]`, v));
  }
  Object.assign(input, {
    channels: raw.channels === 0 ? 'auto' : input.channels, // the lab's 0 is --channels auto
    minBytes: String(Math.min(...sizesBytes)),
    maxBytes: String(Math.max(...sizesBytes)),
  });
  const parsed = SCHEMA.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path[0] as SchemaKey | undefined;
    const field = Object.entries(FIELD_FLAGS).find(([, k]) => k === key)?.[0] ?? (key === 'maxBytes' || key === 'minBytes' ? 'sizesBytes' : undefined);
    throw new Error(field === undefined ? issue.message : `${label(field, key)}: ${issue.message}`);
  }
  const flags = parsed.data;
  if (!LAB_NETWORKS.includes(flags.network)) fail(label('network', 'network'), `'${flags.network}' runs in weft bench, not in the lab; use ${LAB_NETWORKS.join(' or ')}`);
  let topology: Topology;
  try {
    topology = parseTopologySpec(flags.topologySpec);
  } catch (error) {
    return fail(label('topology', 'topology'), (error as Error).message);
  }
  // auto is the topology's own routing, as weft bench resolves it (adaptive on Spectrum-X and InfiniBand presets).
  const routing = resolveRouting(flags.routing, topology);
  if (!LAB_ROUTINGS.includes(routing)) fail(label('routing', 'routing'), `'${flags.routing}' runs in weft bench (--network packet), not in the lab; use ${LAB_ROUTINGS.join(', ')} or auto`);
  const config: LabConfig = {
    topology: flags.topologySpec,
    collective: flags.collective,
    algorithms: labAlgorithms(flags.collective, flags.algo),
    sizesBytes,
    focusBytes,
    network: flags.network as LabConfig['network'],
    routing: routing as LabConfig['routing'],
    qps: flags.qps,
    seed: flags.seed,
    channels: flags.channels,
    chunkBytes: flags.chunkBytes,
    mode: flags.mode,
    ...(flags.proto !== 'auto' ? { proto: flags.proto } : {}),
  };
  const faults = labFaults(flags.faultScenario, given.faults, topology);
  return faults === undefined ? config : { ...config, faults };
}

/** The flags' faults and a `--scenario` file's (`config.faults`), checked against the topology as weft bench does. */
function labFaults(fromFlags: LabFaults, file: unknown, topology: Topology): LabFaults | undefined {
  const fromFile = file === undefined ? {} : parseFaultScenario(file, 'config.faults (--scenario):');
  const lists = {
    links: [...(fromFile.links ?? []), ...(fromFlags.links ?? [])],
    stragglers: [...(fromFile.stragglers ?? []), ...(fromFlags.stragglers ?? [])],
    crashes: [...(fromFile.crashes ?? []), ...(fromFlags.crashes ?? [])],
  };
  // Only the kinds given, so a scenario parses back to itself.
  const faults: LabFaults = Object.fromEntries(Object.entries(lists).filter(([, list]) => list.length > 0));
  if (Object.keys(faults).length === 0) return undefined;
  resolveFaults(faults, topology);
  return faults;
}

/** The built-in algorithms named: the lab runs no `auto` or `all` and loads no modules. */
function labAlgorithms(collective: CollectiveName, names: readonly string[]): string[] {
  const known = listAlgorithms(collective).map((a) => a.name);
  const unknown = names.find((name) => !known.includes(name));
  if (unknown !== undefined) fail(label('algorithms', 'algo'), `'${unknown}' is not accepted for ${collective.toLowerCase()} in the lab; use ${orList(known)}`);
  return [...new Set(names)];
}

/** A scenario's top-level fields. */
const SCENARIO_FIELDS: readonly string[] = ['config', 'code', 'exercise'];

/** A scenario from untrusted JSON: defaults filled in, every field checked. Throws one sentence. */
export function parseScenario(value: unknown): Scenario {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('A scenario is a JSON object with a "config" field.');
  const raw = value as Record<string, unknown>;
  // A misspelt field ("confg") would otherwise run the default scenario without a word.
  const unknown = Object.keys(raw).find((key) => !SCENARIO_FIELDS.includes(key));
  if (unknown !== undefined) throw new Error(`'${unknown}' is not a scenario field; use ${orList([...SCENARIO_FIELDS])}.`);
  const config = parseConfig(raw.config);
  if (raw.code !== undefined && typeof raw.code !== 'string') fail('code', `the editor's code, a string (got ${JSON.stringify(raw.code)})`);
  return {
    config,
    ...(typeof raw.code === 'string' ? { code: raw.code } : {}),
    ...(raw.exercise !== undefined ? { exercise: parseExercise(raw.exercise, config) } : {}),
  };
}

/** An exercise's fields (CustomExercise): a misspelt one (`tolerence`) would otherwise be graded at the default without a word. */
const EXERCISE_FIELDS: readonly string[] = ['title', 'prompt', 'algorithm', 'tolerance'];

function parseExercise(value: unknown, config: LabConfig): CustomExercise {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('exercise', `an object of exercise fields (${orList([...EXERCISE_FIELDS])})`);
  const e = value as Record<string, unknown>;
  const unknown = Object.keys(e).find((key) => !EXERCISE_FIELDS.includes(key));
  if (unknown !== undefined) fail('exercise', `'${unknown}' is not an exercise field; use ${orList([...EXERCISE_FIELDS])}`);
  if (e.title !== undefined && (typeof e.title !== 'string' || e.title.trim() === '')) fail('exercise.title', `the card's heading, a string (got ${JSON.stringify(e.title)})`);
  if (typeof e.prompt !== 'string' || e.prompt.trim() === '') throw new Error('exercise.prompt: the text the student reads (a string).');
  const algorithm = e.algorithm ?? config.algorithms[0];
  if (typeof algorithm !== 'string' || !config.algorithms.includes(algorithm)) {
    throw new Error(`exercise.algorithm: one of the scenario's algorithms (${config.algorithms.join(', ')}).`);
  }
  const tolerance = e.tolerance ?? 0.1;
  if (typeof tolerance !== 'number' || !(tolerance > 0 && tolerance < 1)) throw new Error('exercise.tolerance: the relative error that passes, between 0 and 1 (0.1 is 10 %).');
  return { title: (e.title as string | undefined) ?? 'Your instructor\u2019s exercise', prompt: e.prompt, algorithm, tolerance };
}

/** A scenario file's text: YAML or JSON (YAML reads both). */
export function parseScenarioText(text: string, name: string): Scenario {
  const document = parseYamlDocument(text, { logLevel: 'silent', prettyErrors: false });
  const problem = document.errors[0];
  if (problem !== undefined) throw new Error(`${name} is not valid YAML or JSON: ${yamlProblemLine(problem, text)}`);
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw new Error(`${name} is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  return parseScenario(value);
}

