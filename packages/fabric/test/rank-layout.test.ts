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
