import { describe, expect, it } from 'vitest';
import { WeftInputError } from '@weft/sim';
import { formatBandwidth, formatLatency, parseBandwidth, parseLatency } from '../src/units.js';

/** The message `parse` throws, or 'accepted'. */
function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    return (error as Error).message;
  }
  return 'accepted';
}

describe('parseBandwidth', () => {
  it.each([
    ['400Gbps', 50e9], // 400e9 bits / 8
    ['400Gb/s', 50e9],
    ['1bps', 0.125],
    ['8Kbps', 1e3],
    ['8Mbps', 1e6],
    ['1.6Tbps', 200e9],
    ['450GB/s', 450e9], // bytes, 1e9 steps as nccl-tests
    ['450GBps', 450e9],
    ['2TB/s', 2e12],
    ['1PB/s', 1e15], // the physical range's top (validate.ts), in the unit its message names
    ['8Pbps', 1e15],
    ['3KB/s', 3e3],
    ['5MB/s', 5e6],
    ['7B/s', 7],
    ['12Bps', 12],
    [' 100 Gbps ', 12.5e9], // surrounding and inner space tolerated
    ['2.5e1Gbps', 3.125e9],
  ])('%s = %d bytes/s', (text, bytesPerSec) => {
    expect(parseBandwidth(text)).toBeCloseTo(bytesPerSec, 6);
  });

  it.each(['400', '400gbps', 'fast', '0Gbps', '-5Gbps', '400 Gibps', '', 'GB/s'])('rejects "%s" with a one-line WeftInputError naming it', (text) => {
    let caught: unknown;
    try {
      parseBandwidth(text, 'linkBw');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WeftInputError);
    const message = (caught as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain(`"${text}"`);
    expect(message).toMatch(/^linkBw: /);
    expect(message).toContain('Gbps');
  });
});

describe('parseLatency', () => {
  it.each([
    ['250ns', 250],
    ['1us', 1000],
    ['1.5µs', 1500],
    ['2ms', 2e6],
    ['1s', 1e9],
    ['0ns', 0],
  ])('%s = %d ns', (text, ns) => {
    expect(parseLatency(text)).toBeCloseTo(ns, 9);
  });

  it.each(['1', '1 min', 'us', '-1us', '1h'])('rejects "%s" (bare numbers are ambiguous)', (text) => {
    expect(() => parseLatency(text, 'linkLatency')).toThrowError(WeftInputError);
    expect(() => parseLatency(text, 'linkLatency')).toThrowError(/^linkLatency: .*ns, us, ms or s/);
  });

  it('says what is wrong: a negative time is negative, only a bare number lacks a unit', () => {
    const message = (text: string) => refusal(() => parseLatency(text, 'down'));
    expect(message('-5us')).toBe('down: "-5us" is negative; a time must be >= 0, a number with ns, us, ms or s, e.g. 1us or 250ns');
    expect(message('- 2 ms')).toMatch(/^down: "- 2 ms" is negative; /);
    expect(message('5')).toMatch(/^down: cannot read "5"; .*\(a bare number is ambiguous\)$/);
    expect(message('-5')).toMatch(/\(a bare number is ambiguous\)$/);
    for (const text of ['5 sec', 'soon', '1h']) expect(message(text)).not.toContain('bare number');
  });
});

describe('negative and bare bandwidths', () => {
  const message = (text: string) => refusal(() => parseBandwidth(text, 'linkBw'));
  it('a negative rate with its unit must be > 0; only a bare number lacks a unit', () => {
    expect(message('-400Gbps')).toMatch(/^linkBw: must be > 0, got "-400Gbps"; expected /);
    expect(message('400')).toMatch(/^linkBw: cannot read "400"; .*\(a bare number is ambiguous\)$/);
    expect(message('fast')).not.toContain('bare number');
  });
});

describe('formatting', () => {
  it('prints GB/s (1e9 B/s) with the bit rate beside it', () => {
    expect(formatBandwidth(50e9)).toBe('50 GB/s (400 Gb/s)');
    expect(formatBandwidth(2.5e12)).toBe('2500 GB/s (20000 Gb/s)');
  });
  it('below 1 GB/s, the unit that keeps the number >= 1 (a bare 400 in a file is 400 B/s, not 4e-7 GB/s)', () => {
    expect(formatBandwidth(400)).toBe('400 B/s (3.2 Kb/s)');
    expect(formatBandwidth(12.5e3)).toBe('12.5 KB/s (100 Kb/s)');
    expect(formatBandwidth(999e6)).toBe('999 MB/s (7.992 Gb/s)');
    expect(formatBandwidth(0)).toBe('0 GB/s (0 Gb/s)');
  });
  it('prints the largest unit that keeps the number >= 1', () => {
    expect(formatLatency(300)).toBe('300 ns');
    expect(formatLatency(2700)).toBe('2.7 us');
    expect(formatLatency(3e6)).toBe('3 ms');
  });
});
