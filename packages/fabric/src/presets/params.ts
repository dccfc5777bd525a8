/**
 * Preset parameters: each preset declares its keys, their kind (count, bandwidth …),
 * defaults (taken from hardware.json where they are hardware facts) and a one-line doc,
 * and how the final values are written back as text. A spec such as
 * `dgx-h100:nodes=4,nicBw=800Gbps` is parsed against that table in spec.ts.
 */
import { WeftInputError } from '@weft/sim';
import type { Topology } from '../types.js';
import type { HardwareKey } from './hardware.js';

export type ParamKind = 'count' | 'bandwidth' | 'latency' | 'factor' | 'ratio' | 'boolean' | 'choice';

export interface ParamDef {
  readonly kind: ParamKind;
  /** Parsed default (bytes/s, ns, count, factor, 0/1 for booleans); undefined = required. */
  readonly defaultValue?: number;
  /** The hardware.json entry the default comes from, if any (for citations). */
  readonly hardware?: HardwareKey;
  readonly doc: string;
  /** Smallest accepted count (default 1). */
  readonly min?: number;
  /** Largest accepted count (default MAX_PRESET_COUNT in spec.ts) and why, for the message. */
  readonly max?: { readonly value: number; readonly why: string };
  /** No default: when absent the builder derives the value (documented in `doc`). */
  readonly optional?: boolean;
  /** A count that is not a number of things built (a length, a buffer size): left out of the scale bound. */
  readonly notBuilt?: boolean;
  /** For kind 'choice': the accepted names; the value is the index of the one given. */
  readonly choices?: readonly string[];
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

/** "key=value" pairs of the final parameters (as written where known), for reports. */
export function describeParams(preset: PresetDef, values: ParamValues, texts: ParamTexts = {}): string {
  return Object.entries(preset.params)
    .filter(([key]) => values[key] !== undefined)
    .map(([key, def]) => `${key}=${paramText(def, values[key]!, texts[key])}`)
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

/** A parameter's value as text: the choice's name, else as written, else formatted. */
export function paramText(def: ParamDef, value: number, written?: string): string {
  if (def.kind === 'choice') return def.choices![value]!;
  return written ?? formatParam(def.kind, value);
}

/** Index of `text` among a choice parameter's names; a one-line input error listing them otherwise. */
export function choiceIndex(def: ParamDef, text: string, what: string): number {
  const index = (def.choices ?? []).indexOf(text);
  if (index < 0) throw new WeftInputError(`${what}: cannot use "${text}"; expected one of ${(def.choices ?? []).join(', ')}`);
  return index;
}
