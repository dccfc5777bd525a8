import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runInSizedThread, sizedThreadHeapLimits, SIGNAL_GRACE_MS, SIZED_THREAD_YOUNG_GENERATION_MB, usableMemoryBytes } from '@weft/runtime/sized-thread';

const GIB = 2 ** 30;
const MIB = 2 ** 20;
const entry = new URL('./fixtures/sized-thread-entry.mjs', import.meta.url);

describe('sized thread heap limits', () => {
  it('gives the old generation half of a large machine, and the 64 MiB-semi-space young generation', () => {
    expect(sizedThreadHeapLimits(24 * GIB, 4144 * MIB)).toEqual({ youngGenerationMb: SIZED_THREAD_YOUNG_GENERATION_MB, oldGenerationMb: 12 * 1024 });
  });

  it("never goes below V8's own limit on a small machine", () => {
    expect(sizedThreadHeapLimits(2 * GIB, 2080 * MIB).oldGenerationMb).toBe(2080 - SIZED_THREAD_YOUNG_GENERATION_MB);
  });

  it("takes a container's memory limit when it is below the machine's", () => {
    expect(usableMemoryBytes(24 * GIB, 6 * GIB)).toBe(6 * GIB);
    // Node reports 2^64 (or 0) when no limit is set.
    expect(usableMemoryBytes(24 * GIB, 2 ** 64)).toBe(24 * GIB);
    expect(usableMemoryBytes(24 * GIB, 0)).toBe(24 * GIB);
  });

  it('refuses a machine or a default of no memory', () => {
    expect(() => sizedThreadHeapLimits(0, 4144 * MIB)).toThrow(/must be positive/);
    expect(() => sizedThreadHeapLimits(24 * GIB, Number.NaN)).toThrow(/must be positive/);
  });
});

describe('runInSizedThread', () => {
  const report = () => join(mkdtempSync(join(tmpdir(), 'weft-sized-')), 'report.json');

  it('runs the entry with its argv and limits; the schedule budget and the heap probe read the thread\'s heap', async () => {
    const file = report();
    const exit = await runInSizedThread(entry, [file, 'report'], { youngGenerationMb: 96, oldGenerationMb: 6000 });
    expect(exit).toEqual({ code: 3, outOfMemory: false });
    const seen = JSON.parse(readFileSync(file, 'utf8'));
    expect(seen.argv).toEqual([file, 'report']);
    expect(seen.resourceLimits).toMatchObject({ maxYoungGenerationSizeMb: 96, maxOldGenerationSizeMb: 6000 });
    // V8's limit is the old generation plus the young one's share: above the 4 GiB a process gets by default.
    expect(seen.heapLimitBytes).toBeGreaterThanOrEqual(6000 * MIB);
    expect(seen.heapLimitBytes).toBeLessThan(6200 * MIB);
    expect(seen.budgetBytes).toBe(Math.floor(seen.heapLimitBytes / 2));
    expect(seen.pressure.limitBytes).toBe(seen.heapLimitBytes);
    expect(seen.pressure.usedBytes).toBeGreaterThan(0);
  });

  it("prints an uncaught error with its stack and exits 1, as the process would", async () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const exit = await runInSizedThread(entry, [report(), 'throw'], { youngGenerationMb: 16, oldGenerationMb: 256 });
      expect(exit).toEqual({ code: 1, outOfMemory: false });
      expect(write.mock.calls.map((call) => String(call[0])).join('')).toMatch(/Error: entry failed\n\s+at /);
    } finally {
      write.mockRestore();
    }
  });

  it('reports a thread stopped at its heap limit instead of aborting the process', async () => {
    const exit = await runInSizedThread(entry, [report(), 'grow'], { youngGenerationMb: 16, oldGenerationMb: 64 });
    expect(exit.outOfMemory).toBe(true);
    expect(exit.code).not.toBe(0);
  }, 60_000);

  describe('SIGINT and SIGTERM while it runs', () => {
    const small = { youngGenerationMb: 16, oldGenerationMb: 256 };
    /** Starts `what`, waits until it listens, then delivers `signal` to this process's listeners — runInSizedThread's only (the test runner's set aside). */
    async function signalled(what: string, signal: 'SIGINT' | 'SIGTERM') {
      const file = report();
      const others = process.rawListeners(signal) as ((...args: unknown[]) => void)[];
      const exit = runInSizedThread(entry, [file, what], small);
      while (!existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 10));
      for (const listener of others) process.off(signal, listener);
      const sent = Date.now();
      try {
        process.emit(signal, signal);
      } finally {
        for (const listener of others) process.on(signal, listener);
      }
      return { exit: await exit, ms: Date.now() - sent, listenersAfter: process.listenerCount(signal) - others.length };
    }

    it('a thread between turns ends at once with the code the signal gives (128 + its number)', async () => {
      const { exit, ms, listenersAfter } = await signalled('wait', 'SIGTERM');
      expect(exit).toEqual({ code: 143, outOfMemory: false, signal: 'SIGTERM' });
      expect(ms).toBeLessThan(SIGNAL_GRACE_MS);
      expect(listenersAfter).toBe(0);
    });

    it('a thread busy in synchronous code is terminated after the grace period', async () => {
      const { exit, ms, listenersAfter } = await signalled('spin', 'SIGINT');
      expect(exit.signal).toBe('SIGINT');
      expect(ms).toBeGreaterThanOrEqual(SIGNAL_GRACE_MS - 5);
      expect(listenersAfter).toBe(0);
    });

    it('the listener does not keep a finished thread alive', async () => {
      expect(await runInSizedThread(entry, [report(), 'idle'], small)).toEqual({ code: 0, outOfMemory: false });
    });
  });
});
