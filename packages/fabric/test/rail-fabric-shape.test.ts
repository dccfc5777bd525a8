import { describe, expect, it } from 'vitest';
import { WeftInputError } from '@weft/sim';
import { railFabricShape } from '../src/presets/rail-fabric.js';
import { parseTopologySpec } from '../src/presets/spec.js';

/**
 * A rail fat tree's shape from counts alone (rail-fabric.ts railFabricShape), which presets check
 * before they build a GPU: `dgx-h100:nodes=65536` was refused only after 524,288 GPUs and NICs had
 * been built (32 s, 1.2 GB; the scale walk, hostile.md §23), now in a fraction of a second.
 */
describe('the rail fabric sized before it is built', () => {
  const sizing = { what: 'dgx-h100', radix: 128, serversPerSu: 32, spines: 0, tiers: 0, rails: 8 };

  it('gives the shape the built fabric has', () => {
    expect(railFabricShape({ ...sizing, servers: 4 })).toEqual({ tiers: 2, sus: 1, leaves: 8, pods: 1, spinesPerPod: 2, coresPerPlane: 0 });
    const notes = (spec: string) => parseTopologySpec(spec).sources!.filter((line) => line.startsWith('fabric:'));
    expect(notes('dgx-h100:nodes=4')[0]).toContain('two tiers: 2 spines');
    expect(railFabricShape({ ...sizing, servers: 2048 }).tiers).toBe(3);
  });

  it('refuses a fabric no switch builds from the counts, in the preset\'s words', () => {
    const message = '65536 servers need 16384 rail leaves, more than three tiers of 128-port switches can join non-blocking';
    expect(() => railFabricShape({ ...sizing, servers: 65536 })).toThrow(message);
    expect(() => parseTopologySpec('dgx-h100:nodes=65536')).toThrow(WeftInputError);
    expect(() => parseTopologySpec('dgx-h100:nodes=65536')).toThrow(message);
    expect(() => parseTopologySpec('nvl72:racks=20000')).toThrow(/^nvl72: 20000 servers need/);
  });
});
