export { leafSpinePreset } from './leafspine.js';
export { switchPreset, ringPreset, fullMeshPreset } from './simple.js';
export { dgxH100Preset } from './dgx-h100.js';
export { nvl72Preset } from './nvl72.js';
export { PRESETS, findPreset } from './registry.js';
export { parseTopologySpec, parsePresetArgs } from './spec.js';
export { describeParams } from './params.js';
export type { PresetDef, ParamDef, ParamKind, ParamValues, ParamTexts, ParsedArgs } from './params.js';
export { hardwareSources, hardwareCitations } from './hardware.js';
