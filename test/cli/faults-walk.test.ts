import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectUsageError, weft } from './run-weft.js';

/**
 * What a resilience researcher's walk found (benchmarks/results/hostile.md §24): the outputs a
 * fault study reads must describe the faulted runs.
 */
const tmp = mkdtempSync(join(tmpdir(), 'weft-faults-walk-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Candidate { algorithm: string; protocol: string | null; simulatedUs?: number }

function json(args: readonly string[]): { rows: { timeUs: number; candidates?: Candidate[] }[] } {
  const run = weft(['bench', ...args, '--mode', 'ghost', '--format', 'json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

describe('faults reach every output', () => {
  const degrade = ['--fault', 'link=node0.nic3->su0.leaf3,degrade=0.5@0us'];
  const h100x2 = ['allreduce', '--topology', 'dgx-h100:nodes=2', '-b', '4M', '-e', '4M'];

  it('--explain simulates every candidate under the faults (it showed the others fault-free)', () => {
    const explained = json([...h100x2, ...degrade, '--explain']).rows[0]!.candidates!;
    const tree = explained.find((c) => c.algorithm === 'tree' && c.protocol === 'LL128')!;
    const alone = json([...h100x2, ...degrade, '--algo', 'tree', '--proto', 'LL128']).rows[0]!.timeUs;
    const faultFree = json([...h100x2, '--algo', 'tree', '--proto', 'LL128']).rows[0]!.timeUs;
    expect(alone).not.toBe(faultFree);
    expect(tree.simulatedUs).toBe(alone);
  });

  it('--trace of a run a crash stopped draws its no-fault run, labelled so (it was empty)', () => {
    const trace = join(tmp, 'crash.json');
    const run = weft(['bench', 'allreduce', '--ranks', '8', '--algo', 'ring', '-b', '1M', '-e', '1M', '--mode', 'ghost', '--crash', 'rank=2@30us', '--trace', trace]);
    expect(run.code, run.stderr).toBe(0);
    const events = JSON.parse(readFileSync(trace, 'utf8')).traceEvents as { ph: string; name: string; args?: { name?: string } }[];
    expect(events.filter((e) => e.ph === 'X').length).toBeGreaterThan(0);
    const names = events.filter((e) => e.name === 'process_name').map((e) => e.args!.name);
    expect(names).toEqual([expect.stringMatching(/^ring 1048576 B, no-fault run \(with the faults it failed: RankCrashedError: rank 2 crashed at 30000 ns/)]);
  });

  it('packet model: a link down while a packet crosses it strands its transfer, as a queued one does (it was dropped silently: a deadlock at 443.9 µs)', () => {
    for (const routing of ['adaptive', 'spray']) {
      const run = weft(['bench', 'allreduce', '--topology', 'leafspine:hosts=16,leaves=4,spines=2', '--network', 'packet', '--routing', routing, '--algo', 'ring', '-b', '4M', '-e', '4M', '--mode', 'ghost', '--fault', 'link=leaf0->spine0,down@20us']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout, routing).toMatch(/failed: TransferStrandedError: .* link leaf0->spine0 went down with packets of it queued on or crossing it/);
      expect(run.stdout).not.toContain('DeadlockError');
    }
  });

  it('weft train --out after a crash names the faults injected (its config said faults: [], a clean run\'s file)', () => {
    const out = join(tmp, 'crash-train.json');
    const run = weft(['train', '--model', 'mlp', '--ranks', '4', '--steps', '20', '--mode', 'ghost', '--crash', 'rank=2@500us', '--out', out]);
    expect(run.code).toBe(1);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.config.faults).toEqual([{ kind: 'crashRank', rank: 2, atNs: 500000 }]);
    expect(report.faults.reportIs).toBe('faultFree');
    expect(report.faults.outcome).toBe('failed');
  });

  it('weft train: a straggler\'s one late start costs its delay once (it added 17 µs to every later step of a 4-rank ring)', () => {
    const out = join(tmp, 'straggler.json');
    const run = weft(['train', '--model', 'mlp', '--ranks', '4', '--steps', '6', '--mode', 'ghost', '--straggler', 'rank=2,delay=30us', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as { perStep: { totalNs: number }[]; faults: { components: { component: string; faultedNs: number; faultFreeNs: number }[] } };
    const [first, ...rest] = report.perStep.map((s) => s.totalNs);
    const total = report.faults.components.find((c) => c.component === 'total')!;
    expect(first! - total.faultFreeNs).toBeCloseTo(30_000, 3);
    for (const ns of rest) expect(ns).toBeCloseTo(total.faultFreeNs, 3);
  });

  it('a fault flag\'s mistakes are named as such (zod\'s "received NaN"; two faults in one flag read as an unknown link)', () => {
    const small = ['bench', 'allreduce', '--ranks', '4', '--mode', 'ghost', '-b', '1K', '-e', '1K'];
    expectUsageError(weft([...small, '--fault', 'link=gpu3->switch0,degrade=NaN@0us']), /^weft: --fault 'link=gpu3->switch0,degrade=NaN@0us': degrade 'NaN' is not a number; use the share of capacity the link keeps/);
    expectUsageError(weft([...small, '--fault', 'link=gpu3->switch0,degrade=0.5@1us,down@2us']), /^weft: --fault: 'link=gpu3->switch0,degrade=0\.5@1us,down@2us' is not accepted; use .*, one fault per --fault/);
  });
});
