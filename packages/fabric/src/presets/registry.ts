/** Every preset by name, in the order `weft topo` lists them. */
import { dgxH100Preset } from './dgx-h100.js';
import { leafSpinePreset } from './leafspine.js';
import { nvl72Preset } from './nvl72.js';
import type { PresetDef } from './params.js';
import { fullMeshPreset, ringPreset, switchPreset } from './simple.js';

export const PRESETS: readonly PresetDef[] = [switchPreset, ringPreset, fullMeshPreset, leafSpinePreset, dgxH100Preset, nvl72Preset];

export function findPreset(name: string): PresetDef | undefined {
  return PRESETS.find((preset) => preset.name === name);
}
