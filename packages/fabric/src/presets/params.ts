/**
 * Preset parameters: each preset declares its keys, their kind (count, bandwidth …),
 * defaults (taken from hardware.json where they are hardware facts) and a one-line doc.
 * A spec such as `dgx-h100:nodes=4,nicBw=800Gbps` is parsed against that table; unknown
 * keys and malformed values are one-line WeftInputErrors naming the key and value.
 */
import { WeftInputError } from '@weft/sim';
import { parseBandwidth, parseLatency, BANDWIDTH_UNITS_HELP, LATENCY_UNITS_HELP } from '../units.js';
import type { Topology } from '../types.js';
import { hardwareText, type HardwareKey } from './hardware.js';

export type ParamKind = 'count' | 'bandwidth' | 'latency' | 'factor' | 'ratio' | 'boolean';

export interface ParamDef {
  readonly kind: ParamKind;
  /** Parsed default (bytes/s, ns, count, factor, 0/1 for booleans); undefined = required. */
  readonly defaultValue?: number;
  /** The hardware.json entry the default comes from, if any (for citations). */
  readonly hardware?: HardwareKey;
  readonly doc: string;
  /** Smallest accepted count (default 1). */
  readonly min?: number;
  /** No default: when absent the builder derives the value (documented in `doc`). */
  readonly optional?: boolean;
}

export type ParamValues = Readonly<Record<string, number>>;

export interface PresetDef {
  readonly name: string;
  /** One sentence for `weft topo --list`-style output. */
  readonly description: string;
  /** Example spec strings. */
  readonly examples: readonly string[];
  /** Key filled by a leading bare value (`ring:8` → n=8). */
  readonly positional?: string;
  readonly params: Readonly<Record<string, ParamDef>>;
  /** `texts` holds each parameter as written (spec text, or hardware.json text for defaults). */
  build(values: ParamValues, spec: string, texts?: ParamTexts): Topology;
}

export type ParamTexts = Readonly<Record<string, string>>;

export interface ParsedArgs {
  readonly values: ParamValues;
  readonly texts: ParamTexts;
}

const KIND_HELP: Readonly<Record<ParamKind, string>> = {
  count: 'a positive integer',
  bandwidth: BANDWIDTH_UNITS_HELP,
  latency: LATENCY_UNITS_HELP,
  factor: 'a number in (0, 1]',
  ratio: 'a number >= 1',
  boolean: 'true or false',
};

/** Parses the part after `preset:` into parameter values, applying defaults. */
export function parsePresetArgs(preset: PresetDef, argText: string): ParsedArgs {
  const values: Record<string, number> = {};
  const texts: Record<string, string> = {};
  const accepted = Object.keys(preset.params).join(', ');
  const tokens = argText === '' ? [] : argText.split(',');
  tokens.forEach((rawToken, index) => {
    const token = rawToken.trim();
    if (token === '') throw new WeftInputError(`${preset.name}: empty parameter in "${argText}"; write key=value pairs separated by commas`);
    const eq = token.indexOf('=');
    let key: string;
    let text: string;
    if (eq < 0) {
      if (index !== 0 || !preset.positional) {
        throw new WeftInputError(`${preset.name}: "${token}" is not key=value; accepted keys: ${accepted}`);
      }
      key = preset.positional;
      text = token;
    } else {
      key = token.slice(0, eq).trim();
      text = token.slice(eq + 1).trim();
    }
    const def = preset.params[key];
    if (!def) throw new WeftInputError(`${preset.name}: unknown parameter "${key}"; accepted keys: ${accepted}`);
    if (key in values) throw new WeftInputError(`${preset.name}: parameter "${key}" given twice`);
    values[key] = parseParam(preset.name, key, def, text);
    texts[key] = text;
  });
  for (const [key, def] of Object.entries(preset.params)) {
    if (key in values || def.optional) continue;
    if (def.defaultValue === undefined) {
      throw new WeftInputError(`${preset.name}: missing required parameter "${key}" (${def.doc}); e.g. ${preset.examples[0]}`);
    }
    values[key] = def.defaultValue;
    texts[key] = def.hardware ? hardwareText(def.hardware) : formatParam(def.kind, def.defaultValue);
  }
  return { values, texts };
}

function parseParam(presetName: string, key: string, def: ParamDef, text: string): number {
  const what = `${presetName}: ${key}`;
  const fail = (): never => {
    throw new WeftInputError(`${what}: cannot use "${text}"; expected ${KIND_HELP[def.kind]}${def.kind === 'count' && (def.min ?? 1) !== 1 ? ` >= ${def.min}` : ''}`);
  };
  switch (def.kind) {
    case 'bandwidth':
      return parseBandwidth(text, what);
    case 'latency':
      return parseLatency(text, what);
    case 'count': {
      if (!/^[0-9]+$/.test(text)) return fail();
      const n = Number(text);
      if (!Number.isSafeInteger(n) || n < (def.min ?? 1)) return fail();
      return n;
    }
    case 'factor': {
      const x = Number(text);
      if (text === '' || !(x > 0 && x <= 1)) return fail();
      return x;
    }
    case 'ratio': {
      const x = Number(text);
      if (text === '' || !(x >= 1) || !Number.isFinite(x)) return fail();
      return x;
    }
    case 'boolean':
      if (text === 'true') return 1;
      if (text === 'false') return 0;
      return fail();
  }
}

/** "key=value" pairs of the final parameters (as written where known), for reports. */
export function describeParams(preset: PresetDef, values: ParamValues, texts: ParamTexts = {}): string {
  return Object.entries(preset.params)
    .filter(([key]) => values[key] !== undefined)
    .map(([key, def]) => `${key}=${texts[key] ?? formatParam(def.kind, values[key]!)}`)
    .join(',');
}

export function formatParam(kind: ParamKind, value: number): string {
  switch (kind) {
    case 'bandwidth':
      return `${Number((value / 1e9).toPrecision(6))}GB/s`;
    case 'latency':
      return `${Number(value.toPrecision(6))}ns`;
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return String(value);
  }
}
