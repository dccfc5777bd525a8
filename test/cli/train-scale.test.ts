/**
 * `weft train --scale` end to end: the weak-scaling table at small counts, checked against
 * `weft train --mode ghost` / `--mode predict` runs of the same configuration, and its bad input.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectUsageError, weft, weftInProcess, type WeftRun } from './run-weft.js';

const tmp = mkdtempSync(join(tmpdir(), 'weft-train-scale-'));

interface Row {
  gpus: number;
  algorithm: string;
  ran: string;
  computeMs: number;
  allReduceMs: number;
  exposedCommMs: number;
  stepMs: number;
  efficiency: number;
  efficiencyVsOneGpu: number;
  predictedStepMs: number;
  source: string;
  notes: string[];
}

const rowsOf = (run: WeftRun): Row[] => {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout).rows;
};

/** The report of one ordinary `weft train` run (one step, the table's per-GPU batch of 1). */
function trainReport(mode: 'ghost' | 'predict', ranks: number, algo: string) {
  const out = join(tmp, `${mode}-${ranks}-${algo}.json`);
  const run = weft(['train', '--model', 'mlp', '--mode', mode, '--ranks', String(ranks), '--algo', algo, '--steps', '1', '--global-batch', String(ranks), '--out', out]);
  expect(run.code).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8'));
}

describe('weft train --scale on switch:2 and switch:4 (mlp: one gradient bucket)', () => {
  let rows: Row[];
  beforeAll(() => {
    rows = rowsOf(weft(['train', '--model', 'mlp', '--topology', 'switch', '--scale', '4,2', '--algo', 'ring,auto', '--format', 'json']));
  }, 120_000);

  it('has one row per count (ascending) and algorithm, auto naming its pick', () => {
    expect(rows.map((r) => [r.gpus, r.algorithm])).toEqual([[2, 'ring'], [2, 'auto'], [4, 'ring'], [4, 'auto']]);
    for (const r of rows.filter((row) => row.algorithm === 'auto')) expect(r.ran).toMatch(/^auto\(\w+(\/\w+)?\)$/);
    // auto picks ring's protocol too on a switch (ring under --algo runs NCCL's protocol per size):
    // a row whose all-reduces equal an earlier row's reuses its simulation.
    for (const r of rows) {
      if (r.algorithm === 'ring') expect(r.source).toBe('simulated');
      else expect(['simulated', 'reused']).toContain(r.source);
    }
  });

  it('times the step as weft train --mode ghost does (one bucket: the same simulation)', () => {
    for (const gpus of [2, 4]) {
      const ghost = trainReport('ghost', gpus, 'ring');
      const row = rows.find((r) => r.gpus === gpus && r.algorithm === 'ring')!;
      expect(row.stepMs).toBeCloseTo(ghost.stepTime.totalNs / 1e6, 9);
      expect(row.allReduceMs).toBeCloseTo(ghost.stepTime.commBusyNs / 1e6, 9);
      expect(row.computeMs).toBeCloseTo(ghost.compute.computeNs / 1e6, 9);
      expect(row.predictedStepMs).toBeCloseTo(ghost.predicted.totalNs / 1e6, 9);
    }
  }, 120_000);

  it('gives efficiency against the smallest count and against one GPU', () => {
    for (const algorithm of ['ring', 'auto']) {
      const [small, large] = rows.filter((r) => r.algorithm === algorithm);
      expect(small!.efficiency).toBe(1);
      expect(large!.efficiency).toBeCloseTo(small!.stepMs / large!.stepMs, 12);
      for (const r of [small!, large!]) {
        expect(r.efficiencyVsOneGpu).toBeCloseTo(r.computeMs / r.stepMs, 12);
        expect(r.exposedCommMs).toBeCloseTo(r.stepMs - r.computeMs, 9);
      }
    }
  });
});

describe('weft train --scale: other modes and formats', () => {
  it('--mode predict gives the alpha-beta step of weft train --mode predict', () => {
    const rows = rowsOf(weft(['train', '--model', 'mlp', '--topology', 'switch', '--scale', '4', '--algo', 'ring', '--mode', 'predict', '--format', 'json']));
    const predict = trainReport('predict', 4, 'ring');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.source).toBe('predicted');
    expect(rows[0]!.stepMs).toBeCloseTo(predict.stepTime.totalNs / 1e6, 9);
    expect(rows[0]!.stepMs).toBe(rows[0]!.predictedStepMs);
  });

  it('--exact-limit 0: an all-reduce over budget gives the prediction and says so', () => {
    const rows = rowsOf(weft(['train', '--model', 'mlp', '--topology', 'switch', '--scale', '4', '--algo', 'ring', '--proto', 'Simple', '--exact-limit', '0', '--format', 'json']));
    expect(rows[0]!.source).toBe('over budget');
    expect(rows[0]!.stepMs).toBe(rows[0]!.predictedStepMs);
    expect(rows[0]!.notes.join('\n')).toMatch(/^4 GPUs ring\/Simple: over budget: \d+ transfers to run exactly \(--exact-limit 0\): the alpha-beta prediction stands in$/);
  });

  describe("fast-forward's short runs count against --exact-limit (--fast-forward on: tried whatever the size)", () => {
    // 4 GPUs, a 2-layer synthetic model: 25 MiB buckets with a steady part to cut. A ring's
    // three short runs post more transfers than its exact run here; a tree's (16 KiB chunks) far fewer.
    const at = (algo: string, limit: number, fastForward = 'on') =>
      rowsOf(weft(['train', '--model', 'synthetic:params=1e8,layers=2,seq=2048', '--precision', 'bf16', '--topology', 'switch', '--scale', '4', '--algo', algo, '--proto', 'Simple', '--chunk', algo === 'tree' ? '16K' : 'auto', '--fast-forward', fastForward, '--exact-limit', String(limit), '--format', 'json']))[0]!;
    const label = (algo: string) => `4 GPUs ${algo}/Simple`;
    /** The exact run's and the short runs' transfers, from the note of a row with no budget at all. */
    const priced = (algo: string): [number, number] => {
      const row = at(algo, 0);
      expect(row.source).toBe('over budget');
      const note = new RegExp(`^${label(algo)}: over budget: ([\\d,]+) transfers to run exactly \\(--exact-limit 0\\); fast-forward's three short runs \\(([\\d,]+) transfers\\) not attempted: the alpha-beta prediction stands in$`).exec(row.notes.join('\n'));
      expect(note).not.toBeNull();
      return [note![1]!, note![2]!].map((n) => Number(n.replaceAll(',', ''))) as [number, number];
    };

    it('a rung that cannot fit is not run: over budget below the price of the rungs, fast-forwarded at it', () => {
      // The tree's first two rungs are not steady (--fast-forward on climbs the ladder); its
      // third is. Each budget just short of the next rung stops before it and says what it spent.
      const [exact, first] = priced('tree');
      expect(first).toBeLessThan(exact);
      let limit = first;
      const stops: number[] = [];
      for (let rung = 1; rung <= 3; rung++) {
        const row = at('tree', limit);
        if (row.source === 'fast-forwarded') break;
        expect(row.source).toBe('over budget');
        const note = /after ([\d,]+) in fast-forward's short runs; fast-forward's next three short runs \(([\d,]+) transfers\) not attempted/.exec(row.notes.join('\n'));
        expect(note).not.toBeNull();
        const [spent, next] = [note![1]!, note![2]!].map((n) => Number(n.replaceAll(',', ''))) as [number, number];
        expect(spent).toBe(limit);
        expect(at('tree', spent + next - 1).source).toBe('over budget');
        stops.push(limit);
        limit = spent + next;
      }
      expect(stops).toHaveLength(2);
      expect(at('tree', limit).source).toBe('fast-forwarded');
      expect(limit).toBeLessThan(exact);
    });

    it('a rung dearer than an exact run that fits is not run: the exact run goes ahead', () => {
      const [exact, tries] = priced('ring');
      expect(tries).toBeGreaterThan(exact);
      const row = at('ring', exact);
      expect(row.source).toBe('simulated');
      expect(row.notes).toEqual([`${label('ring')}: fast-forward's three short runs (${tries.toLocaleString('en-US')} transfers) not attempted: running it exactly posts ${exact.toLocaleString('en-US')}`]);
      expect(row.allReduceMs).toBe(at('ring', exact, 'off').allReduceMs);
      expect(at('ring', exact - 1).source).toBe('over budget');
    });
  });

  it('prints a table (header, then a line per row) and CSV with a header line', () => {
    const table = weft(['train', '--model', 'mlp', '--topology', 'switch', '--scale', '2,4', '--algo', 'ring']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^# weft train --scale: weak scaling of mlp/m);
    expect(table.stdout).toMatch(/^#\s+GPUs algorithm/m);
    expect(table.stdout.split('\n').filter((l) => /^\s+\d+ ring\s/.test(l))).toHaveLength(2);
    const csv = weft(['train', '--model', 'mlp', '--topology', 'switch', '--scale', '2,4', '--algo', 'ring', '--format', 'csv']);
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^gpus,topology,algorithm,ran,/);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['2,switch:2,ring', '4,switch:4,ring']);
  });
});

describe('weft train --scale: bad input is one line, exit 2', () => {
  it.each([
    [['--scale', '8,abc'], /--scale: 'abc' is not accepted; use GPU counts from 1 to 65,536/],
    [['--scale', '12'], /--scale: 12 GPUs is not a whole number of dgx-h100 nodes \(8 GPUs each\)/],
    [['--scale', '8', '--topology', 'dgx-h100:nodes=2'], /names nodes=; with --scale give the preset without it/],
    [['--scale', '8', '--topology', 'ring:4'], /has no nodes= parameter to scale/],
    [['--scale', '8', '--format', 'xml'], /--format: 'xml' is not accepted; use table, json or csv/],
    [['--scale', '8', '--algo', 'ring,bogus'], /--algo: 'bogus' is not accepted with --scale/],
    [['--scale', '8', '--global-batch', '8'], /--global-batch: not with --scale; use --batch-per-gpu/],
    [['--scale', '8', '--mode', 'data'], /--mode data: --scale times the step without tensors/],
    [['--scale', '8', '--batch-per-gpu', '0'], /--batch-per-gpu: '0' is not accepted/],
    [['--scale', '8', '--exact-limit', '-1'], /--exact-limit: '-1' is not accepted/],
    [['--scale', '8,32768'], /--scale: 32,768 GPUs is 2,147,418,112 ring schedule steps per channel to plan/],
    [['--batch-per-gpu', '2'], /--batch-per-gpu: only with --scale/],
    [['--scale', '8', '--straggler', 'rank=1,slow=2x'], /--scale times the fault-free step/],
  ])('%j', async (args, message) => {
    // In process (no Node start-up per case): every one is refused before anything runs.
    expectUsageError(await weftInProcess(['train', '--model', 'mlp', ...args]), message);
  });
});
