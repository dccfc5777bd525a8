/**
 * Topology specs: `parseTopologySpec("dgx-h100:nodes=4,nicBw=800Gbps")` is a preset name,
 * optionally `:` and comma-separated `key=value` parameters (a leading bare value fills the
 * preset's positional key, `ring:8`). Keys are looked up among the preset's own declared
 * keys, each value is checked by its kind's reader, and missing keys take their
 * defaults. The topology built is validated like any topology file. Every error is one
 * line naming the bad key or value and what is accepted.
 */
import { WeftInputError } from '@weft/sim';
import { BANDWIDTH_RANGE_BYTES_PER_SEC, LATENCY_RANGE_NS, validateTopology } from '../topology/validate.js';
import { inRange } from '../topology/file.js';
import type { Topology } from '../types.js';
import { parseBandwidth, parseLatency, BANDWIDTH_UNITS_HELP, LATENCY_UNITS_HELP } from '../units.js';
import { hardwareText } from './hardware.js';
import { choiceIndex, formatParam, type ParamDef, type ParamKind, type ParsedArgs, type PresetDef } from './params.js';
import { PRESETS, findPreset } from './registry.js';

export function parseTopologySpec(spec: string): Topology {
  const text = spec.trim();
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  const preset = findPreset(name);
  if (!preset) {
    throw new WeftInputError(`unknown topology preset "${name}"; accepted presets: ${PRESETS.map((p) => p.name).join(', ')} (or a .json/.yaml topology file)`);
  }
  const { values, texts } = parsePresetArgs(preset, colon < 0 ? '' : text.slice(colon + 1));
  checkScale(preset, values);
  return validateTopology(preset.build(values, text, texts));
}

/**
 * Every count in a spec is at most this (the CLI's --ranks limit): weft holds every node and
 * link in memory and routes between rank pairs, so larger fabrics take minutes and gigabytes
 * before the first message moves.
 */
export const MAX_PRESET_COUNT = 65536;
/** The product of a spec's counts bounds the nodes and links a preset builds (leaves × spines …). */
export const MAX_PRESET_SCALE = 2 ** 24;

function checkScale(preset: PresetDef, values: Readonly<Record<string, number>>): void {
  let product = 1;
  const counts: string[] = [];
  for (const [key, def] of Object.entries(preset.params)) {
    const value = values[key];
    if (def.kind !== 'count' || def.notBuilt || value === undefined) continue;
    product *= Math.max(1, value);
    counts.push(`${key}=${value}`);
  }
  if (product > MAX_PRESET_SCALE) {
    throw new WeftInputError(
      `${preset.name}: ${counts.join(' × ')} = ${product} is too large; the product of a preset's counts must be at most ${MAX_PRESET_SCALE} (it bounds the nodes and links weft builds and routes in memory)`,
    );
  }
}

/**
 * Per kind: what is accepted (for error messages) and how a value's text is read (undefined:
 * not accepted). Plain checks rather than zod schemas: every preset run parses its spec at
 * start-up, and building and running one schema per value cost ≈ 1.3 ms of `weft bench`'s
 * 140 (benchmarks/results/smpi.md §37). They accept what the zod schemas did: `count` a digit
 * string whose value is a safe integer (zod's `.int()`) at least `min`; `factor`/`ratio`
 * `Number(text)` (zod's coercion), finite (zod's numbers are). Bandwidth and latency are
 * read by the unit parsers, whose own one-line errors name the units they accept; `what`
 * ("preset: key") prefixes those messages.
 */
const KINDS: Readonly<Record<ParamKind, { readonly help: string; read(def: ParamDef, what: string, text: string): number | undefined }>> = {
  count: {
    help: 'a positive integer',
    read: (def, _, text) => {
      const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
      return Number.isSafeInteger(value) && value >= (def.min ?? 1) ? value : undefined;
    },
  },
  bandwidth: {
    help: BANDWIDTH_UNITS_HELP,
    read: (_, what, text) => inRange(parseBandwidth(text, what), BANDWIDTH_RANGE_BYTES_PER_SEC, what, `"${text}"`),
  },
  latency: {
    help: LATENCY_UNITS_HELP,
    read: (_, what, text) => inRange(parseLatency(text, what), LATENCY_RANGE_NS, what, `"${text}"`),
  },
  factor: { help: 'a number in (0, 1]', read: (_, __, text) => finiteWhere(text, (value) => value > 0 && value <= 1) },
  ratio: { help: 'a number >= 1', read: (_, __, text) => finiteWhere(text, (value) => value >= 1) },
  boolean: { help: 'true or false', read: (_, __, text) => (text === 'true' ? 1 : text === 'false' ? 0 : undefined) },
  choice: { help: 'one of the listed names', read: (def, what, text) => choiceIndex(def, text, what) },
};

/** What a count accepts: `a positive integer` (min 1), `an integer >= 0` (min 0: not "positive"), `a positive integer >= 2`. */
function countHelp(min: number): string {
  if (min === 1) return KINDS.count.help;
  return min < 1 ? `an integer >= ${min}` : `${KINDS.count.help} >= ${min}`;
}

/** `Number(text)` when finite and `accepted`, else undefined. */
function finiteWhere(text: string, accepted: (value: number) => boolean): number | undefined {
  const value = Number(text);
  return Number.isFinite(value) && accepted(value) ? value : undefined;
}

/** Parses the part after `preset:` into parameter values, applying defaults. */
export function parsePresetArgs(preset: PresetDef, argText: string): ParsedArgs {
  // Maps, and Object.hasOwn on the declared table: a key such as `__proto__` or
  // `constructor` is an unknown key like any other, never an inherited property.
  const values = new Map<string, number>();
  const texts = new Map<string, string>();
  const accepted = Object.keys(preset.params).join(', ');
  const tokens = argText === '' ? [] : argText.split(',');
  tokens.forEach((rawToken, index) => {
    const token = rawToken.trim();
    if (token === '') throw new WeftInputError(`${preset.name}: empty parameter in "${argText}"; write key=value pairs separated by commas`);
    const eq = token.indexOf('=');
    if (eq < 0 && (index !== 0 || !preset.positional)) {
      throw new WeftInputError(`${preset.name}: "${token}" is not key=value; accepted keys: ${accepted}`);
    }
    const key = eq < 0 ? preset.positional! : token.slice(0, eq).trim();
    const text = eq < 0 ? token : token.slice(eq + 1).trim();
    if (!Object.hasOwn(preset.params, key)) throw new WeftInputError(`${preset.name}: unknown parameter "${key}"; accepted keys: ${accepted}`);
    if (values.has(key)) throw new WeftInputError(`${preset.name}: parameter "${key}" given twice`);
    values.set(key, parseValue(preset.name, key, preset.params[key]!, text));
    texts.set(key, text);
  });
  for (const [key, def] of Object.entries(preset.params)) {
    if (values.has(key) || def.optional) continue;
    if (def.defaultValue === undefined) {
      throw new WeftInputError(`${preset.name}: missing required parameter "${key}" (${def.doc}); e.g. ${preset.examples[0]}`);
    }
    values.set(key, def.defaultValue);
    texts.set(key, def.hardware ? hardwareText(def.hardware) : formatParam(def.kind, def.defaultValue));
  }
  return { values: Object.fromEntries(values), texts: Object.fromEntries(texts) };
}

function parseValue(presetName: string, key: string, def: ParamDef, text: string): number {
  const what = `${presetName}: ${key}`;
  const value = KINDS[def.kind].read(def, what, text);
  if (value !== undefined) {
    const max = def.max ?? { value: MAX_PRESET_COUNT, why: 'weft holds every node and link in memory and routes between rank pairs' };
    if (def.kind === 'count' && value > max.value) {
      throw new WeftInputError(`${what}: ${value} is more than ${max.value}, the most accepted (${max.why})`);
    }
    return value;
  }
  throw new WeftInputError(`${what}: cannot use "${text}"; expected ${def.kind === 'count' ? countHelp(def.min ?? 1) : KINDS[def.kind].help}`);
}
