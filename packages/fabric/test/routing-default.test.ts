import { describe, expect, it } from 'vitest';
import { parseTopologySpec } from '../src/presets/spec.js';
import { hardwareFlag } from '../src/presets/hardware.js';
import { resolveRouting } from '../src/routing/default.js';
import { parseTopologyText } from '../src/topology/file.js';
import { formatTopologySummary, summarizeTopology } from '../src/topology/summary.js';

// A preset's switches route as the product does out of the box: Spectrum-X and NVIDIA InfiniBand
// adaptively (cited flags in hardware.json), anything else (a generic Ethernet Clos, one switch) by
// ECMP. `--routing auto` runs that; a named routing always wins.
describe('the topology\'s default routing', () => {
  it('is a cited flag per scale-out fabric', () => {
    expect(hardwareFlag('fabric.spectrumxAdaptiveRouting')).toBe(true);
    expect(hardwareFlag('fabric.infinibandAdaptiveRouting')).toBe(true);
  });

  it.each([
    ['dgx-h100:nodes=2', 'adaptive'],
    ['dgx-h100:nodes=2,fabric=ib-ndr', 'adaptive'],
    ['hgx-a100:nodes=2', 'adaptive'],
    ['hgx-h200:nodes=2', 'adaptive'],
    ['gb200-nvl4:nodes=2', 'adaptive'],
    ['nvl72:racks=2', 'adaptive'],
    ['nvl72', 'ecmp'],
    ['leafspine:hosts=8,leaves=2,spines=2', 'ecmp'],
    ['switch:8', 'ecmp'],
  ])('%s: auto is %s', (spec, routing) => {
    const topology = parseTopologySpec(spec);
    expect(resolveRouting('auto', topology)).toBe(routing);
    expect(resolveRouting('ecmp', topology)).toBe('ecmp');
    expect(resolveRouting('adaptive', topology)).toBe('adaptive');
  });

  it('weft topo says it', () => {
    expect(formatTopologySummary(summarizeTopology(parseTopologySpec('dgx-h100:nodes=2')))).toContain(
      "\nrouting      adaptive by default (the fabric's switches route each packet adaptively; --routing ecmp pins each flow by a hash)\n",
    );
    expect(summarizeTopology(parseTopologySpec('switch:4')).defaultRouting).toBe('ecmp');
  });

  it('a preset says so in its sources', () => {
    expect(parseTopologySpec('dgx-h100:nodes=2').sources!.some((s) => s.includes('routing adaptive unless --routing says otherwise'))).toBe(true);
  });

  it('a topology file may name it; anything but ecmp or adaptive is refused with the field', () => {
    const file = (routing: unknown) => JSON.stringify({ nodes: [{ id: 'a', kind: 'host' }, { id: 'b', kind: 'host' }], links: [{ from: 'a', to: 'b', bandwidth: '1Gbps', latency: '1us' }], routing });
    expect(parseTopologyText(file('adaptive'), 'f.json').defaultRouting).toBe('adaptive');
    expect(parseTopologyText(file(undefined), 'f.json').defaultRouting).toBeUndefined();
    expect(() => parseTopologyText(file('spray'), 'f.json')).toThrow('f.json: routing: cannot use "spray"; expected ecmp or adaptive (what --routing auto runs on this fabric)');
  });
});
