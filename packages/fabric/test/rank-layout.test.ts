import { describe, expect, it } from 'vitest';
import { parseTopologySpec } from '../src/presets/spec.js';
import { rankLayout } from '../src/topology/rank-groups.js';

describe('rankLayout once per topology', () => {
  it('the same topology object gives the same layout object; another topology its own, equal to a fresh one', () => {
    const t = parseTopologySpec('dgx-h100:nodes=4');
    const layout = rankLayout(t);
    expect(rankLayout(t)).toBe(layout);
    expect(layout.groups).toHaveLength(4);
    const again = parseTopologySpec('dgx-h100:nodes=4');
    expect(rankLayout(again)).not.toBe(layout);
    expect(rankLayout(again)).toEqual(layout);
    const other = rankLayout(parseTopologySpec('dgx-h100:nodes=2'));
    expect(other.groups).toHaveLength(2);
    expect(other.rails).toHaveLength(16);
  });
});

describe('rail leaves', () => {
  it("a rank's rail leaf: one per rail in a scalable unit, another rail leaf in the next unit; none without rails", () => {
    const layout = rankLayout(parseTopologySpec('dgx-h100:nodes=8,serversPerSu=4'));
    const leaves = layout.railLeaves!;
    expect(leaves).toHaveLength(64);
    // GPU g of servers 0–3 share rail g's leaf of unit 0; servers 4–7 reach rail g's leaf of unit 1.
    for (let g = 0; g < 8; g++) {
      for (let s = 1; s < 4; s++) expect(leaves[8 * s + g]).toBe(leaves[g]);
      expect(leaves[8 * 4 + g]).not.toBe(leaves[g]);
      expect(layout.rails![8 * 4 + g]).toBe(layout.rails![g]);
    }
    expect(new Set(leaves).size).toBe(16);
    expect(rankLayout(parseTopologySpec('switch:8')).railLeaves).toBeUndefined();
  });
});
