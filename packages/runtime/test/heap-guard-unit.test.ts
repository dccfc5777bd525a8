import { describe, expect, it } from 'vitest';
import { RunHeapGuard } from '../src/core/coordinator/heap-guard.js';

describe('RunHeapGuard: the once-a-second tick', () => {
  it('tells the simulated time reached at its first read, then not again within the second', () => {
    const told: number[] = [];
    const guard = new RunHeapGuard((nowNs) => told.push(nowNs));
    guard.check(1_500);
    guard.check(2_500);
    guard.check(3_500);
    // A fresh guard reads at once; the next read waits at least RUN_HEAP_CHECK_EVERY_MS of wall time.
    expect(told).toEqual([1_500]);
  });

  it('reads the heap without a listener as before', () => {
    expect(() => new RunHeapGuard().check(10)).not.toThrow();
  });
});
