/**
 * benchmarks/equitable-classes.mjs (speed.md §42): the colour refinement's blocks where the
 * answer is known — §41's orbits lie inside them, NCCL's 16 rings are one block, ECMP's spine
 * hashing splits a tree across two scalable units where adaptive routing keeps its servers'
 * GPUs together — the blocks checked against a real run's trace (and that check failing on a
 * partition that is wrong), and bad input ending in one line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs module of the benchmarks, no types
import { verifyTrace } from '../../benchmarks/equitable-classes.mjs';
import { expectUsageError, weft } from './run-weft.js';

const SCRIPT = fileURLToPath(new URL('../../benchmarks/equitable-classes.mjs', import.meta.url));

interface Row {
  readonly routing: string;
  readonly commute: boolean;
  readonly blocks: number;
  readonly largest: number;
  readonly smallest: number;
  readonly rankBlocks: number;
  readonly agentBlocks: number;
  readonly transfers: number;
  readonly transfersSimulated: number;
  readonly orbits?: { readonly classes?: number; readonly everyOrbitInOneBlock?: boolean; readonly none?: string };
  readonly trace?: { readonly blocksOfSeveral: number; readonly agree: number };
}

function script(args: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function rows(args: readonly string[]): Row[] {
  const run = script([...args, '--json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return run.stdout.trim().split('\n').map((line) => JSON.parse(line) as Row);
}

const dir = mkdtempSync(join(os.tmpdir(), 'weft-eqclasses-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('equitable-classes.mjs', () => {
  it("is at least as coarse as §41's orbits: hierarchical on 64 servers 32 blocks = 32 orbits; NCCL's rings on 32 servers one block against 2 orbits", () => {
    const [hier] = rows(['dgx-h100:nodes=64', '--algo', 'hierarchical', '--orbits']);
    expect(hier!.blocks).toBe(32);
    expect([hier!.largest, hier!.smallest]).toEqual([16, 16]);
    expect(hier!.orbits).toEqual({ classes: 32, everyOrbitInOneBlock: true });
    const [ring] = rows(['dgx-h100:nodes=32', '--algo', 'ring', '--orbits']);
    expect(ring!.blocks).toBe(1);
    expect(ring!.orbits).toEqual({ classes: 2, everyOrbitInOneBlock: true });
  });

  it('tree across two scalable units: ECMP leaves one block per rank, adaptive routing one per server (8 GPUs, 8× fewer transfers)', () => {
    const [ecmp, adaptive] = rows(['dgx-h100:nodes=64', '--algo', 'tree', '--size', '4M', '--routing', 'ecmp,adaptive']);
    expect([ecmp!.routing, ecmp!.blocks, ecmp!.largest]).toEqual(['ecmp', 512, 1]);
    expect(ecmp!.transfersSimulated).toBe(ecmp!.transfers);
    expect([adaptive!.routing, adaptive!.blocks, adaptive!.largest, adaptive!.smallest]).toEqual(['adaptive', 64, 8, 8]);
    expect(adaptive!.transfers / adaptive!.transfersSimulated).toBe(8);
  });

  it("NVLS on 4 servers: strictly every participant its own block; with commuting receives 4 blocks, and the run's trace agrees within each", () => {
    const trace = join(dir, 'nvlstree4.json');
    const run = weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=4', '--mode', 'ghost', '-b', '64M', '-e', '64M', '--trace', trace]);
    expect(run.code).toBe(0);
    const [strict, commute] = rows(['dgx-h100:nodes=4', '--size', '64M', '--modes', 'strict,commute', '--verify-trace', trace]);
    expect([strict!.commute, strict!.blocks]).toEqual([false, 36]);
    expect(strict!.trace).toEqual({ blocksOfSeveral: 0, agree: 0 });
    expect([commute!.commute, commute!.blocks, commute!.rankBlocks, commute!.agentBlocks, commute!.largest]).toEqual([true, 4, 2, 2, 16]);
    expect(commute!.trace).toEqual({ blocksOfSeveral: 4, agree: 4 });
    // The check can fail: all 32 GPUs put in one block (servers at different tree positions) disagree.
    const merged = new Int32Array(36).map((_, p) => (p < 32 ? 0 : 1 + p));
    expect(verifyTrace(JSON.parse(readFileSync(trace, 'utf8')), merged, 32, true)).toEqual({ blocksOfSeveral: 1, agree: 0 });
  });

  it('bad input: one line, exit 2, no stack, before any planning', () => {
    expectUsageError(script(['dgx-h100:nodes=4', '--routing', 'spray']), /^equitable-classes: --routing: ecmp or adaptive/);
    expectUsageError(script(['dgx-h100:nodes=4', '--verify-trace', join(dir, 'missing.json')]), /^equitable-classes: --verify-trace .*missing\.json: no such file$/);
    expectUsageError(script(['dgx-h100:nodes=4', '--size', 'lots']), /^equitable-classes: --size: 'lots' is not a size/);
    expectUsageError(script([]), /^equitable-classes: usage: /);
  });
});
