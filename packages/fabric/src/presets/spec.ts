/**
 * `parseTopologySpec("dgx-h100:nodes=4,nicBw=800Gbps")`: a preset name, optionally `:`
 * and comma-separated parameters. The result is validated like any topology file.
 */
import { WeftInputError } from '@weft/sim';
import type { Topology } from '../types.js';
import { validateTopology } from '../topology/validate.js';
import { parsePresetArgs } from './params.js';
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
  return validateTopology(preset.build(values, text, texts));
}
