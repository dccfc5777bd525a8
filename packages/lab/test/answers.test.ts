/** How the page reads a typed number: either decimal mark, and nothing it would have to guess. */
import { describe, expect, it } from 'vitest';
import { parseDecimal } from '../dist/engine/index.js';

describe('parseDecimal', () => {
  it('reads a decimal comma as a decimal point (a German keyboard\u2019s 2642,24 was graded as 264224)', () => {
    expect(parseDecimal('2642,24')).toBe(2642.24);
    expect(parseDecimal('2642.24')).toBe(2642.24);
    expect(parseDecimal(' 2,5 ')).toBe(2.5);
    expect(parseDecimal(',5')).toBe(0.5);
    expect(parseDecimal('7')).toBe(7);
    expect(parseDecimal('-3,0')).toBe(-3);
    expect(parseDecimal('\u22123')).toBe(-3);
    expect(parseDecimal('1e3')).toBe(1000);
    expect(parseDecimal('1,5e2')).toBe(150);
  });

  it('refuses what it would have to guess at, or no number at all', () => {
    for (const text of ['', ' ', '1.234,5', '1,234.5', '1,234,567', '2642,24 µs', '12a', ',', '.', 'e3', '1e', 'NaN', 'Infinity', '0x10', '1e400']) {
      expect(parseDecimal(text), text).toBeNull();
    }
  });
});
