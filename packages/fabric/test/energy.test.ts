/**
 * The energy estimate's physics (energy.ts) and confidential-computing mode
 * (confidential.ts): link classes from node kinds, closed-form joules from byte counters,
 * what is reported missing, and CC mode slowing exactly the GPU↔NIC links.
 */
import { describe, expect, it } from 'vitest';
import { isWeftInputError } from '@weft/sim';
import { confidentialTopology, energyModel, hardwareCitations, linkClass, operationEnergy, parseTopologySpec } from '../src/index.js';
import { hardwareFactor } from '../src/presets/hardware.js';

const J_PER_PJ_BYTE = 8e-12;

describe('energy estimate', () => {
  it('classes links by the node kinds they join', () => {
    expect(linkClass('gpu', 'nvswitch')).toBe('nvlink');
    expect(linkClass('nic', 'gpu')).toBe('pcie');
    expect(linkClass('nic', 'leaf')).toBe('nicPort');
    expect(linkClass('gpu', 'switch')).toBe('nicPort');
    expect(linkClass('spine', 'leaf')).toBe('switchPort');
    expect(linkClass('gpu', 'gpu')).toBeNull();
  });

  it('charges link bytes × pJ/bit, bytes entering a switch × its pJ/bit and idle power × GPUs × time, per operation', () => {
    const topology = parseTopologySpec('switch:4');
    const model = energyModel(topology);
    // 3 operations' worth of bytes: 300 B up gpu0->switch0, 300 B down switch0->gpu1.
    const links = [
      { from: 'gpu0', to: 'switch0', bytesCarried: 300 },
      { from: 'switch0', to: 'gpu1', bytesCarried: 300 },
      { from: 'gpu2', to: 'switch0', bytesCarried: 0 },
    ];
    const e = operationEnergy(model, topology, links, 3, 1000);
    const nicPort = hardwareFactor('optics.osfp400PjPerBit') + hardwareFactor('optics.osfp800TwinPjPerBit');
    expect(e.linksJ).toBeCloseTo(2 * 100 * nicPort * J_PER_PJ_BYTE, 20);
    expect(e.switchesJ).toBeCloseTo(100 * hardwareFactor('spectrum4.pjPerBitSwitched') * J_PER_PJ_BYTE, 20);
    expect(e.gpusJ).toBeCloseTo(hardwareFactor('h100.idlePowerW') * 4 * 1e-6, 15);
    expect(e.totalJ).toBe(e.linksJ + e.switchesJ + e.gpusJ);
    expect(model.assumptions.join()).toMatch(/names no GPU: H100 SXM/);
  });

  it('names what has no cited figure: Blackwell idle power, direct GPU↔GPU cables, NIC ASICs', () => {
    expect(energyModel(parseTopologySpec('nvl72')).missing.join()).toMatch(/GPU idle power of Blackwell/);
    expect(energyModel(parseTopologySpec('nvl72')).gpuIdleW).toBeNull();
    expect(energyModel(parseTopologySpec('fullmesh:4')).missing.join()).toMatch(/direct GPU↔GPU/);
    const nicAsic = ['NIC ASIC power (ConnectX-7/8): no cited figure; a NIC port counts its optics only'];
    expect(energyModel(parseTopologySpec('dgx-h100:nodes=2')).missing).toEqual(nicAsic);
    expect(energyModel(parseTopologySpec('switch:8')).missing).toEqual(nicAsic);
    expect(energyModel(parseTopologySpec('nvl72')).missing).not.toContain(nicAsic[0]);
  });

  it('every figure it uses cites a known source', () => {
    for (const spec of ['dgx-h100:nodes=2', 'nvl72', 'switch:8']) {
      expect(hardwareCitations(energyModel(parseTopologySpec(spec)).keys).length).toBeGreaterThan(0);
    }
  });
});

describe('confidential computing', () => {
  it('divides every GPU↔NIC link by the cited bounce-buffer cost and leaves NVLink and the fabric alone', () => {
    const plain = parseTopologySpec('dgx-h100:nodes=2');
    const cc = confidentialTopology(plain);
    const slowdown = hardwareFactor('cc.bounceBufferSlowdown');
    const kinds = new Map(plain.nodes.map((n) => [n.id, n.kind]));
    let pcie = 0;
    plain.links.forEach((link, i) => {
      const cls = linkClass(kinds.get(link.from)!, kinds.get(link.to)!);
      const expected = cls === 'pcie' ? link.bandwidthBytesPerSec / slowdown : link.bandwidthBytesPerSec;
      if (cls === 'pcie') pcie += 1;
      expect(cc.links[i]!.bandwidthBytesPerSec).toBe(expected);
      expect(cc.links[i]!.latencyNs).toBe(link.latencyNs);
    });
    expect(pcie).toBe(2 * 2 * 8);
    expect(cc.sources!.join('\n')).toMatch(/cc\.bounceBufferSlowdown = 12\.69/);
  });

  it('refuses a topology without a CC-capable GPU', () => {
    for (const spec of ['switch:8', 'hgx-a100:nodes=1']) {
      let error: unknown;
      try {
        confidentialTopology(parseTopologySpec(spec));
      } catch (e) {
        error = e;
      }
      expect(isWeftInputError(error)).toBe(true);
      expect(String((error as Error).message)).toMatch(/^--confidential: /);
    }
  });
});
