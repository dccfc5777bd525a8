/** Every preset by name, in the order `weft topo` lists them. */
import { dgxH100Preset } from './dgx-h100.js';
import { gb200Nvl4Preset } from './gb200-nvl4.js';
import { hgxA100Preset } from './hgx-a100.js';
import { hgxB200Preset } from './hgx-b200.js';
import { hgxH200Preset } from './hgx-h200.js';
import { leafSpinePreset } from './leafspine.js';
import { multisitePreset } from './multisite.js';
import { nvl72Preset } from './nvl72.js';
import type { PresetDef } from './params.js';
import { fullMeshPreset, ringPreset, switchPreset } from './simple.js';

export const PRESETS: readonly PresetDef[] = [switchPreset, ringPreset, fullMeshPreset, leafSpinePreset, multisitePreset, hgxA100Preset, dgxH100Preset, hgxH200Preset, hgxB200Preset, gb200Nvl4Preset, nvl72Preset];

export function findPreset(name: string): PresetDef | undefined {
  return PRESETS.find((preset) => preset.name === name);
}
