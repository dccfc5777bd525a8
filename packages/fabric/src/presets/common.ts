/** Pieces shared by the preset builders. */
import { hardwareCitations, hardwareText, type HardwareKey } from './hardware.js';
import { describeParams, paramText, type ParamTexts, type ParamValues, type PresetDef } from './params.js';

/**
 * The `sources` lines of a preset topology: the final parameters, then a citation for
 * every parameter whose default (a cited hardware.json value) was used, and a note for
 * every parameter the spec overrode. `derived` are hardware.json keys behind values the
 * builder derived itself (a fabric's switch latency when the spec does not set one).
 */
export function presetSources(preset: PresetDef, values: ParamValues, notes: readonly string[], texts: ParamTexts = {}, derived: readonly HardwareKey[] = []): string[] {
  const lines = [`${preset.name} parameters: ${describeParams(preset, values, texts)}`, ...notes];
  const cited: HardwareKey[] = [];
  for (const [key, def] of Object.entries(preset.params)) {
    if (!def.hardware || values[key] === undefined) continue;
    if (values[key] === def.defaultValue) cited.push(def.hardware);
    else lines.push(`${key} = ${paramText(def, values[key]!, texts[key])}: set by the spec (default ${hardwareText(def.hardware)} from hardware.json ${def.hardware})`);
  }
  lines.push(...hardwareCitations([...new Set([...cited, ...derived])]));
  return lines;
}

/** Splits `total` items into `parts` contiguous blocks whose sizes differ by at most one. */
export function blockSizes(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}
