/**
 * A property-based fuzz of the CLI (fast-check, in-process so it can afford many runs):
 *
 * - random valid configurations (≤ 8 ranks, small sizes): data mode counts #wrong 0, ghost
 *   mode gives the same simulated times, a rerun gives identical rows (wall time aside), and
 *   no worker thread is left;
 * - random hostile inputs, drawn from the classes of issue #12 (names that are Object.prototype
 *   keys, sizes and steps out of bounds, preset counts and values out of range, unreadable or
 *   clobbering files, malformed faults): exit 2, one line, no stack, no file touched.
 *
 * Seeds are fixed so CI is deterministic; FUZZ_SEED=random explores.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { liveWorkerCount } from '@weft/runtime';
import { expectUsageError, snapshotDir, weftInProcess } from './run-weft.js';

const seed = process.env.FUZZ_SEED === 'random' ? Date.now() : 12;
const dir = mkdtempSync(join(tmpdir(), 'weft-fuzz-'));
const at = (name: string) => join(dir, name);
writeFileSync(at('two.yaml'), 'nodes: [{id: a, kind: gpu}, {id: b, kind: gpu}, {id: s, kind: switch}]\nlinks:\n  - {from: a, to: s, bandwidth: 100Gbps, latency: 1us}\n  - {from: b, to: s, bandwidth: 100Gbps, latency: 1us}\n');
// A link's bandwidth or latency that YAML reads as NaN, an infinity, or leaves out.
const BAD_LINK_VALUES = { nan: 'bandwidth: .nan, latency: 1us', inf: 'bandwidth: 1e309, latency: 1us', 'no-bw': 'latency: 1us', 'no-lat': 'bandwidth: 100Gbps', 'nan-lat': 'bandwidth: 100Gbps, latency: .nan' } as const;
for (const [name, fields] of Object.entries(BAD_LINK_VALUES)) {
  writeFileSync(at(`${name}.yaml`), `nodes: [{id: a, kind: gpu}, {id: b, kind: gpu}, {id: s, kind: switch}]\nlinks:\n  - {from: a, to: s, bandwidth: 100Gbps, latency: 1us}\n  - {from: b, to: s, ${fields}}\n`);
}
mkdirSync(at('adir'));
execFileSync('mkfifo', [at('fifo.json')]);

/** Rows without wall time (the only field that may differ between identical runs). */
function simulated(stdout: string) {
  const report = JSON.parse(stdout) as { rows: Record<string, unknown>[] };
  return report.rows.map(({ wallMs: _wall, ...row }) => row);
}

const COLLECTIVES = ['allreduce', 'reducescatter', 'allgather', 'broadcast', 'reduce', 'alltoall', 'gather', 'scatter', 'sendrecv'];

const validConfig = fc.record({
  collective: fc.constantFrom(...COLLECTIVES),
  topology: fc.oneof(
    fc.integer({ min: 1, max: 8 }).map((n) => `switch:${n}`),
    fc.integer({ min: 2, max: 6 }).map((n) => `ring:${n}`),
    fc.integer({ min: 2, max: 5 }).map((n) => `fullmesh:${n}`),
    fc.constant('leafspine:hosts=8,leaves=2,spines=2'),
  ),
  minExp: fc.integer({ min: 3, max: 10 }),
  spanExp: fc.integer({ min: 0, max: 6 }),
  factor: fc.constantFrom(2, 4, 8, 16),
  dtype: fc.constantFrom('float', 'double', 'int32', 'half', 'bfloat16', 'int8', 'uint64'),
  op: fc.constantFrom('sum', 'max', 'min'),
  network: fc.constantFrom('maxMin', 'alphaBeta'),
  routing: fc.constantFrom('ecmp', 'adaptive'),
  chunk: fc.constantFrom('1K', '64K', '2M', 'auto'),
  seed: fc.integer({ min: 0, max: 1000 }),
});

describe('fuzz: random valid configurations', () => {
  it('data: #wrong 0; ghost = data; reruns identical; no thread left', async () => {
    let configs = 0;
    await fc.assert(
      fc.asyncProperty(validConfig, async (c) => {
        configs += 1;
        const args = [
          'bench', c.collective, '--topology', c.topology, '--algo', 'all',
          '-b', String(2 ** c.minExp), '-e', String(2 ** (c.minExp + c.spanExp)), '-f', String(c.factor),
          '-d', c.dtype, '-o', c.op, '--network', c.network, '--routing', c.routing, '--chunk', c.chunk, '--seed', String(c.seed),
          '--format', 'json',
        ];
        const data = await weftInProcess([...args, '--mode', 'data']);
        expect(data.stderr).toBe('');
        expect(data.code).toBe(0);
        const rows = simulated(data.stdout);
        expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) expect({ algorithm: row.algorithm, bytes: row.bytes, wrong: row.wrong }).toEqual({ algorithm: row.algorithm, bytes: row.bytes, wrong: 0 });
        const ghost = await weftInProcess([...args, '--mode', 'ghost']);
        expect(ghost.code).toBe(0);
        expect(simulated(ghost.stdout).map(({ wrong: _w, ...r }) => r)).toEqual(rows.map(({ wrong: _w, ...r }) => r));
        const again = await weftInProcess([...args, '--mode', 'data']);
        expect(simulated(again.stdout)).toEqual(rows);
        expect(liveWorkerCount()).toBe(0);
      }),
      { numRuns: 6, seed, endOnFailure: true },
    );
    expect(configs).toBe(6);
  }, 120_000);
});

const protoKey = fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype');
const small = ['bench', 'allreduce', '--ranks', '2', '-b', '8', '-e', '8'];

/** Each class yields [argv, what the one line must say]. */
const hostile: fc.Arbitrary<readonly [readonly string[], RegExp]> = fc.oneof(
  // names looked up on plain objects
  fc.tuple(protoKey, fc.constantFrom('-o', '--format', '--network', '--routing', '--mode', '-d')).map(([key, flag]) => [[...small, flag, key], new RegExp(`^weft: ${flag}(/--[a-z_]+)?: '${key}' is not accepted; use `)] as const),
  protoKey.map((key) => [['bench', key], /^weft: <collective>: '.*' is not accepted; use allreduce/] as const),
  fc.tuple(protoKey, fc.constantFrom('--mode', '--device', '--network')).map(([key, flag]) => [['train', flag, key], new RegExp(`^weft: ${flag}: '${key}' is not accepted; use `)] as const),
  fc.tuple(fc.constantFrom('switch', 'ring', 'fullmesh'), protoKey).map(([preset, key]) => [['topo', `${preset}:4,${key}=1`], new RegExp(`^weft: ${preset}: unknown parameter "${key}"; accepted keys: `)] as const),
  // sizes, steps and chunks beyond what a run can do
  fc.double({ min: 1.0000001, max: 1.005, noNaN: true }).map((f) => [[...small, '-e', '1G', '-f', String(f)], /^weft: -f\/--stepfactor: .* gives \d+ sizes from -b to -e; at most 1000 are accepted/] as const),
  fc.integer({ min: 1, max: 1000 }).map((step) => [[...small, '-e', '1G', '-i', String(step)], /^weft: -i\/--stepbytes: \d+ gives \d+ sizes from -b to -e; at most 1000 are accepted/] as const),
  fc.integer({ min: 1, max: 1024 }).map((chunk) => [[...small, '-b', '1G', '-e', '1G', '--chunk', String(chunk)], /^weft: --chunk: '\d+' cuts a 1073741824-byte message into \d+ chunks; at most 65536/] as const),
  fc.string({ minLength: 1, maxLength: 6 }).filter((t) => !/^\s*\d+\s*[KMG]?B?\s*$/i.test(t) && !t.startsWith('-')).map((t) => [[...small, '-b', t], /^weft: -b\/--minbytes: '.*' is not a size; use a whole number of bytes/] as const),
  // preset counts and values out of range
  fc.tuple(fc.constantFrom('switch', 'ring'), fc.integer({ min: 65537, max: 2 ** 40 })).map(([p, n]) => [['topo', `${p}:${n}`], new RegExp(`^weft: ${p}: n: ${n} is more than 65536, the most accepted`)] as const),
  fc.integer({ min: 16, max: 30 }).map((e) => [['topo', `switch:4,linkBw=1e${e}Gbps`], /^weft: switch: linkBw: "1e\d+Gbps" is outside the physical range 1 B\/s to 1 PB\/s/] as const),
  fc.integer({ min: 2, max: 1e6 }).map((s) => [['topo', `switch:4,linkLatency=${s}s`], /^weft: switch: linkLatency: "\d+s" is outside the physical range 0 to 1 s/] as const),
  fc.constantFrom(...Object.keys(BAD_LINK_VALUES)).map((name) => [['topo', at(`${name}.yaml`)], /: links\[1\]\.(bandwidth|latency): missing or not a (bandwidth|latency); expected a number with .*, within /] as const),
  // files: unreadable inputs, outputs that would clobber something
  fc.constantFrom(at('fifo.json'), '/dev/zero.yaml', at('adir') + '.json').map((f) => [['bench', 'allreduce', '--topology', f], /^weft: --topology: cannot read '.*': (not a regular file|no such file)/] as const),
  fc.constantFrom('--out', '--trace').map((flag) => [[...small, flag, at('fifo.json')], new RegExp(`^weft: ${flag}: cannot write '.*': it is a FIFO`)] as const),
  fc.constantFrom('--out', '--trace').map((flag) => [[...small, flag, '/dev/null'], new RegExp(`^weft: ${flag}: cannot write '/dev/null': it is a device`)] as const),
  fc.constant([['bench', 'allreduce', '--topology', at('two.yaml'), '--trace', at('two.yaml')], /^weft: --trace: '.*' is the same file as the --topology input/] as const),
  fc.constant([[...small, '--out', ''], /^weft: --out: the file name is empty/] as const),
  // faults
  fc.string({ minLength: 1, maxLength: 12 }).filter((t) => !t.startsWith('-')).map((t) => [[...small, '--fault', t], /^weft: --fault: '.*' is not accepted; use link=FROM->TO,down@TIME/] as const),
  fc.integer({ min: 2, max: 1000 }).map((r) => [[...small, '--crash', `rank=${r}@1us`], new RegExp(`^weft: --crash: rank ${r} is not a rank; this topology has ranks 0..1$`)] as const),
  fc.double({ min: 1, max: 100, noNaN: true }).map((f) => [[...small, '--fault', `link=gpu0->switch0,degrade=${f}@0ns`], /^weft: --fault 'link=gpu0->switch0,degrade=[^']*@0ns': degrade: use a factor between 0 and 1/] as const),
);

describe('fuzz: random hostile inputs', () => {
  it('exit 2, one line naming the value, no stack, no file touched', async () => {
    let inputs = 0;
    await fc.assert(
      fc.asyncProperty(hostile, async ([args, message]) => {
        inputs += 1;
        const before = snapshotDir(dir);
        const run = await weftInProcess(args);
        expectUsageError(run, message);
        expect(snapshotDir(dir)).toEqual(before);
      }),
      { numRuns: 1000, seed, endOnFailure: true },
    );
    expect(inputs).toBe(1000);
  }, 60_000);
});
