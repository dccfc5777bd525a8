import { describe, expect, it } from 'vitest';
import { WeftInputError } from '@weft/sim';
import { formatBandwidth, formatLatency, parseBandwidth, parseLatency } from '../src/units.js';

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
});

describe('formatting', () => {
  it('prints GB/s (1e9 B/s) with the bit rate beside it', () => {
    expect(formatBandwidth(50e9)).toBe('50 GB/s (400 Gb/s)');
  });
  it('prints the largest unit that keeps the number >= 1', () => {
    expect(formatLatency(300)).toBe('300 ns');
    expect(formatLatency(2700)).toBe('2.7 us');
    expect(formatLatency(3e6)).toBe('3 ms');
  });
});
