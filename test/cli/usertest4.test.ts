/**
 * A network engineer's walk (benchmarks/results/hostile.md, "A network engineer's walk"):
 * each defect it found in weft bench's fabric features, run on the bundle as a user runs it.
 * Every test here failed on the bundle before the fix it names.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeLs16 } from './ls16.js';
import { weft } from './run-weft.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-usertest4-'));

/** 16 hosts on 4 leaves, 2 spines, every link 400 Gb/s: 2:1 oversubscribed. */
const LS16 = writeLs16(dir);

describe('--tenant', () => {
  it('two jobs that share no link run alone as they run together (alone, a job kept another flow key: ECMP drew other spines)', () => {
    // Job 1 on leaves 0-1, job 2 on leaves 2-3: no link carries both.
    const run = weft(['bench', 'alltoall', '--topology', LS16, '-e', '16M', '--format', 'json', '--tenant', 'ranks=0-7', '--tenant', 'ranks=8-15']);
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout).tenants as { alone: { busBwGBps: number }; shared: { busBwGBps: number }; isolation: number }[];
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.shared.busBwGBps).toBe(row.alone.busBwGBps);
      expect(row.isolation).toBe(1);
    }
  });
});

describe('--links with a fault scheduled after the run', () => {
  /** The run's rows: time and every listed link's utilization. */
  const linkRows = (extra: readonly string[]) => {
    const run = weft(['bench', 'alltoall', '--topology', LS16, '--mode', 'ghost', '-b', '4M', '-e', '4M', '--routing', 'adaptive', '--links', '4', '--format', 'json', ...extra]);
    expect(run.code).toBe(0);
    const row = JSON.parse(run.stdout).rows[0] as { timeUs: number; links: { linkId: string; utilization: number; bytesCarried: number }[] };
    return row;
  };

  for (const network of ['maxMin', 'packet']) {
    it(`${network}: utilization is over the run, not up to a fault at 1 s (it read 0.0 % on links busy 126 of 148 µs)`, () => {
      const extra = ['--network', network];
      const plain = linkRows(extra);
      const late = linkRows([...extra, '--fault', 'link=leaf0->spine0,degrade=0.5@1s']);
      expect(late.timeUs).toBe(plain.timeUs);
      expect(late.links).toEqual(plain.links);
      expect(plain.links[0]!.utilization).toBeGreaterThan(0.5);
    });
  }
});
