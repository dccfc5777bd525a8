/**
 * The fabric's NVLS inputs: reduction switches carry their cited reductionEfficiency
 * (hardware.json nvls.*), the cost model and topology files keep it, and rankLayout says how
 * the switch reaching every rank reduces (NVLS on an NVSwitch, SHARP-style elsewhere) and
 * whether every server has its own.
 */
import { describe, expect, it } from 'vitest';
import { alphaBetaCost, parseTopologySpec, parseTopologyText, rankLayout, topologyToJson } from '../src/index.js';
import { hardwareFactor } from '../src/presets/hardware.js';

describe('NVLS inputs', () => {
  it('dgx-h100 and nvl72 NVSwitches carry NCCL\'s nvlsEfficiency (Hopper 0.85, Blackwell 0.74), overridable', () => {
    const efficiencyOf = (spec: string) => parseTopologySpec(spec).nodes.filter((n) => n.reduction).map((n) => n.reductionEfficiency);
    expect(hardwareFactor('nvls.hopperEfficiency')).toBe(0.85);
    expect(efficiencyOf('dgx-h100:nodes=2')).toEqual([0.85, 0.85]);
    expect(efficiencyOf('nvl72')).toEqual([hardwareFactor('nvls.blackwellEfficiency')]);
    expect(efficiencyOf('dgx-h100:nodes=1,nvlsEfficiency=0.5')).toEqual([0.5]);
    expect(alphaBetaCost(parseTopologySpec('dgx-h100:nodes=1')).reductionEfficiency).toBe(0.85);
    expect(alphaBetaCost(parseTopologySpec('switch:4,reduction=true')).reductionEfficiency).toBe(1);
    expect(alphaBetaCost(parseTopologySpec('switch:4')).reductionEfficiency).toBeUndefined();
  });

  it('a topology file keeps reductionEfficiency through a round trip', () => {
    const topology = parseTopologySpec('dgx-h100:nodes=1');
    const again = parseTopologyText(topologyToJson(topology), 'dgx.json');
    expect(again.nodes.find((n) => n.reduction)!.reductionEfficiency).toBe(0.85);
  });

  it('rankLayout: NVLS on one NVSwitch, SHARP on a fabric switch, one NVSwitch per server on 2 DGX', () => {
    expect(rankLayout(parseTopologySpec('dgx-h100:nodes=1'))).toMatchObject({ hasReductionSwitch: true, inSwitchReduction: 'nvls', groupReductionSwitches: true });
    expect(rankLayout(parseTopologySpec('switch:4,reduction=true'))).toMatchObject({ hasReductionSwitch: true, inSwitchReduction: 'sharp' });
    expect(rankLayout(parseTopologySpec('dgx-h100:nodes=2'))).toMatchObject({ hasReductionSwitch: false, inSwitchReduction: undefined, groupReductionSwitches: true });
    expect(rankLayout(parseTopologySpec('switch:4'))).toMatchObject({ hasReductionSwitch: false, groupReductionSwitches: false });
  });
});
