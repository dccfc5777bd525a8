/**
 * Typed access to hardware.json, the one file of cited hardware numbers the presets use.
 * JSON (not a .ts module) so the numbers and their sources can be read, diffed and
 * reviewed as data; imported with an import attribute, which TS 5.9 (NodeNext) compiles,
 * Node >= 20.10 loads without a flag, and browsers/bundlers (Vite) accept.
 */
import hardware from './hardware.json' with { type: 'json' };
import { parseBandwidth, parseLatency } from '../units.js';

interface HardwareValue {
  readonly value: string | number | boolean;
  readonly note: string;
  readonly sources: readonly string[];
}

interface HardwareSource {
  readonly id: string;
  readonly title: string;
  readonly url: string;
  readonly section: string;
}

const values: Readonly<Record<string, HardwareValue>> = hardware.values;
const sources: readonly HardwareSource[] = hardware.sources;

export type HardwareKey = keyof typeof hardware.values;

function entry(key: HardwareKey): HardwareValue {
  const found = values[key];
  if (!found) throw new Error(`hardware.json has no value ${key}`);
  return found;
}

/** A bandwidth from hardware.json, in bytes per second. */
export function hardwareBandwidth(key: HardwareKey): number {
  return parseBandwidth(String(entry(key).value), `hardware.json ${key}`);
}

/** A latency from hardware.json, in nanoseconds. */
export function hardwareLatency(key: HardwareKey): number {
  return parseLatency(String(entry(key).value), `hardware.json ${key}`);
}

/** A dimensionless number (efficiency, count) from hardware.json. */
export function hardwareFactor(key: HardwareKey): number {
  const value = entry(key).value;
  if (typeof value !== 'number') throw new Error(`hardware.json ${key} is not a number`);
  return value;
}

/** A yes/no hardware fact (does a switch reduce in the network?) from hardware.json. */
export function hardwareFlag(key: HardwareKey): boolean {
  const value = entry(key).value;
  if (typeof value !== 'boolean') throw new Error(`hardware.json ${key} is not true or false`);
  return value;
}

/** The value as written in hardware.json ("400Gbps", 0.98), for tables and docs. */
export function hardwareText(key: HardwareKey): string {
  return String(entry(key).value);
}

export function hardwareNote(key: HardwareKey): string {
  return entry(key).note;
}

/** Citation lines for the given values: "key = value: note [title, section, url]". */
export function hardwareCitations(keys: readonly HardwareKey[]): string[] {
  const lines: string[] = [];
  for (const key of keys) {
    const item = entry(key);
    const refs = item.sources.map((id) => {
      const source = sources.find((s) => s.id === id);
      if (!source) throw new Error(`hardware.json ${key} cites unknown source ${id}`);
      return `${source.title}, ${source.section} <${source.url}>`;
    });
    lines.push(`${key} = ${item.value}: ${item.note}${refs.length > 0 ? ` Sources: ${refs.join('; ')}` : ''}`);
  }
  return lines;
}

export function hardwareSources(): readonly HardwareSource[] {
  return sources;
}

/** The source ids the given values cite, each once, in first-cited order (for short source lines). */
export function hardwareSourceIds(keys: readonly HardwareKey[]): string[] {
  return [...new Set(keys.flatMap((key) => entry(key).sources))];
}
