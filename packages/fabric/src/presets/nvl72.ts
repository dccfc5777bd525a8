/**
 * `nvl72` — one GB300 NVL72 NVLink domain: 72 Blackwell Ultra GPUs, each with 18 NVLink5
 * links to the NVLink switch trays (one link to each of the 18 switch chips). Modelled as
 * one aggregate, reduction-capable `nvswitch` node with one link each way per GPU: NVLink
 * stripes over all 18 links, so the aggregate is exact for bandwidth. No scale-out NICs.
 */
import { TopologyBuilder } from '../topology/builder.js';
import { hardwareBandwidth, hardwareFactor, hardwareLatency } from './hardware.js';
import { presetSources } from './common.js';
import type { ParamTexts, ParamValues, PresetDef } from './params.js';

export const nvl72Preset: PresetDef = {
  name: 'nvl72',
  description: 'one GB300 NVL72 NVLink domain: 72 GPUs on NVLink5 through the NVLink switch',
  examples: ['nvl72', 'nvl72:gpus=36'],
  params: {
    gpus: { kind: 'count', defaultValue: hardwareFactor('gb300Nvl72.gpus'), hardware: 'gb300Nvl72.gpus', doc: 'GPUs in the NVLink domain' },
    nvlinkBw: { kind: 'bandwidth', defaultValue: hardwareBandwidth('nvlink5.perGpuLineRate'), hardware: 'nvlink5.perGpuLineRate', doc: 'NVLink line rate per GPU per direction' },
    nvlinkEfficiency: { kind: 'factor', defaultValue: hardwareFactor('nvlink5.efficiency'), hardware: 'nvlink5.efficiency', doc: 'achievable fraction of the NVLink line rate' },
    nvlinkLatency: { kind: 'latency', defaultValue: hardwareLatency('nvlink.hopLatency'), hardware: 'nvlink.hopLatency', doc: 'GPU→NVLink switch→GPU latency' },
  },
  build(values: ParamValues, spec: string, texts?: ParamTexts) {
    const n = values.gpus!;
    const bandwidth = values.nvlinkBw! * values.nvlinkEfficiency!;
    const b = new TopologyBuilder();
    const ranks = Array.from({ length: n }, (_, i) => b.addNode(`gpu${i}`, 'gpu', { group: 'nvl72' }));
    b.addNode('nvswitch', 'nvswitch', { group: 'nvl72', reduction: true });
    for (const gpu of ranks) b.addDuplex(gpu, 'nvswitch', bandwidth, values.nvlinkLatency! / 2);
    const notes = [
      `structure: ${n} GPUs (group nvl72), one aggregate NVLink5 link each way to one reduction-capable nvswitch node`,
      'latency: GPU→switch→GPU = nvlinkLatency, half on each link',
    ];
    return { ...b.build(spec, ranks, presetSources(nvl72Preset, values, notes, texts)), deviceMemoryBandwidthBytesPerSec: hardwareBandwidth('gb300.hbmBandwidth') };
  },
};
