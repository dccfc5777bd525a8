/**
 * What a new user met walking weft as its README and help texts show it (2026-11-28,
 * benchmarks/results/hostile.md "A new user's walk through weft"): one regression test per
 * defect found, each run on the built bundle as a user runs it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEFT_MAIN, expectUsageError, weft } from './run-weft.js';

const small = ['bench', 'allreduce', '--ranks', '2', '-b', '8', '-e', '64', '--mode', 'ghost'];

describe('weft --version', () => {
  it.each(['--version', '-V'])('%s prints the version of packages/cli/package.json, exit 0', (flag) => {
    const { version } = JSON.parse(readFileSync(new URL('../../packages/cli/package.json', import.meta.url), 'utf8')) as { version: string };
    const run = weft([flag]);
    expect(run).toEqual({ code: 0, stdout: `weft ${version}\n`, stderr: '' });
  });
});

describe('a reader that stops reading (weft … | head)', () => {
  it('ends weft quietly with the status of a SIGPIPE (141), no EPIPE stack', async () => {
    // 25 rows streamed one by one: the pipe is closed after the first chunk, so later rows hit it.
    const child = spawn(process.execPath, [WEFT_MAIN, 'bench', 'allreduce', '--ranks', '4', '--mode', 'ghost', '-b', '8', '-e', '128M'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.once('close', (status) => resolve(status)));
    expect(stderr).toBe('');
    expect(code).toBe(141);
  });
});

describe('commander errors: one line, with where to look', () => {
  it.each([
    [[...small, '--fomat', 'json'], /^weft: unknown option '--fomat' \(Did you mean --format\?\)$/],
    [[...small, '--frobnicate'], /^weft: unknown option '--frobnicate'; weft bench --help lists the options$/],
    [['bnech', 'allreduce'], /^weft: unknown command 'bnech' \(Did you mean bench\?\)$/],
    [['help', 'nope'], /^weft: unknown command 'nope'; commands: bench, algos, topo, train, lab$/],
  ])('%j', (args, message) => expectUsageError(weft(args), message));
});

describe("nccl-tests' flags as its users type them", () => {
  it.each([
    ['-t', '2', /^weft: -t\/--nthreads \(nccl-tests\): .*--ranks N/],
    ['-g', '8', /^weft: -g\/--ngpus \(nccl-tests\): .*--topology dgx-h100:nodes=1 \(8 H100s\) or --ranks N/],
    ['-m', '4', /^weft: -m\/--agg_iters \(nccl-tests\): /],
    ['-p', '1', /^weft: -p\/--parallel_init \(nccl-tests\): /],
    ['-z', '1', /^weft: -z\/--blocking \(nccl-tests\): /],
    ['-G', '1', /^weft: -G\/--cudagraph \(nccl-tests\): /],
    ['-C', '1', /^weft: -C\/--report_cputime \(nccl-tests\): /],
    ['-a', '3', /^weft: -a\/--average \(nccl-tests\): /],
    ['-R', '1', /^weft: -R\/--local_register \(nccl-tests\): /],
    ['-N', '2', /^weft: -N\/--run_cycles \(nccl-tests\): /],
    ['-T', 'soon', /^weft: -T\/--timeout: 'soon' is not accepted; use a number of seconds/],
  ])('%s %s: one line saying why and what to use, exit 2', (flag, value, message) => expectUsageError(weft([...small, flag, value]), message));

  it('-T is the watchdog, as in nccl-tests', () => {
    const run = weft([...small, '-T', '60']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
  });

  it.each(['all_reduce_perf', 'all_reduce', 'AllReduce'])("the collective by nccl-tests' binary name: %s", (name) => {
    const run = weft(['bench', name, ...small.slice(2)]);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('# weft bench allreduce');
  });

  it.each(['reduce_scatter_perf', 'alltoall_perf', 'sendrecv_perf'])('%s is accepted too', (name) => {
    expect(weft(['bench', name, ...small.slice(2)]).code).toBe(0);
  });
});

describe("an output on '-' takes stdout alone", () => {
  it('--trace -: stdout is the trace, one JSON document', () => {
    const run = weft([...small, '--trace', '-']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveProperty('traceEvents');
  });

  it('--out - --format json: the report once, one JSON document', () => {
    const run = weft([...small, '--out', '-', '--format', 'json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveProperty('rows');
  });

  it("--out - (a table) keeps the faults table that follows the sweep's, as stdout shows it", () => {
    const faulted = ['bench', 'allreduce', '--ranks', '4', '-b', '1K', '-e', '1K', '--mode', 'ghost', '--fault', 'link=gpu0->switch0,degrade=0.5@0us'];
    const plain = weft(faulted);
    const viaOut = weft([...faulted, '--out', '-']);
    expect(viaOut.code).toBe(0);
    expect(plain.stdout).toMatch(/^# Faults: link gpu0->switch0 at 0\.5× capacity from 0 ns$/m);
    const withoutWall = (text: string) => text.split('\n').filter((line) => !/^\s+\d/.test(line)).join('\n');
    expect(withoutWall(viaOut.stdout)).toBe(withoutWall(plain.stdout));
  });

  it("two outputs on '-' are refused", () => {
    expectUsageError(weft([...small, '--out', '-', '--trace', '-']), /^weft: --trace: '-' is stdout, which --out already writes; give one of them a file$/);
  });

  it("weft topo --dot - (as the README says outputs take '-'): the DOT on stdout", () => {
    const run = weft(['topo', 'switch:4', '--dot', '-']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^digraph "switch:4" \{\n[\s\S]*\}\n$/);
  });

  it('weft topo --dot - with --json is refused (two documents on one stream)', () => {
    expectUsageError(weft(['topo', 'switch:4', '--dot', '-', '--json']), /^weft: --dot: '-' puts the DOT alone on stdout; not with --json/);
  });
});

describe('packet-model flags without --network packet', () => {
  it.each([
    [['--cc', 'dcqcn'], /^weft: --cc: only with --network packet \(.*--network is 'maxMin'\)$/],
    [['--mtu', '9000', '--network', 'alphaBeta'], /^weft: --mtu: only with --network packet \(.*--network is 'alphaBeta'\)$/],
    [['--compare', 'cc=none,dcqcn'], /^weft: --cc: only with --network packet/],
  ])('%j: refused, not silently ignored', (extra, message) => expectUsageError(weft([...small, ...extra]), message));

  it.each([
    [['train', '--mode', 'ghost', '--ranks', '2', '--steps', '1', '--cc', 'dcqcn']],
    [['train', '--scale', '8', '--model', 'synthetic:params=1e8', '--cc', 'dcqcn']],
  ])('weft train %j: --cc refused too', (args) => {
    expectUsageError(weft(args), /^weft: --cc: only with --network packet \(.*--network is 'maxMin'\)$/);
  });

  it('--compare network=maxMin,packet with --cc is accepted (the packet run reads it)', () => {
    expect(weft([...small, '--compare', 'network=maxMin,packet', '--cc', 'dcqcn']).code).toBe(0);
  });
});

describe("the README's commands as written", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

  it('its my-cluster.yaml is a topology file weft reads (the README runs --topology my-cluster.yaml)', () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(yaml, 'a yaml block in the README').toBeDefined();
    const dir = mkdtempSync(join(tmpdir(), 'weft-readme-'));
    writeFileSync(join(dir, 'my-cluster.yaml'), yaml!);
    expect(readme).toContain('--topology my-cluster.yaml');
    const run = weft(['bench', 'allreduce', '--topology', 'my-cluster.yaml', '-b', '1M', '-e', '1M', '--mode', 'ghost', '--format', 'json'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout).topology).toEqual({ spec: 'my-cluster.yaml', ranks: 4 });
  });

  it('on its my-cluster.yaml tree is predicted within 2 % of its simulation and auto runs the faster of ring and tree (it ran tree, predicted 2x too fast, 32 % slower than ring at 64 MiB)', () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)![1]!;
    const dir = mkdtempSync(join(tmpdir(), 'weft-readme-'));
    writeFileSync(join(dir, 'my-cluster.yaml'), yaml);
    const run = weft(['bench', 'allreduce', '--topology', 'my-cluster.yaml', '--algo', 'ring,tree,auto', '--mode', 'ghost', '-b', '1M', '-e', '64M', '-f', '8', '--format', 'json'], { cwd: dir });
    expect(run.stderr).toBe('');
    const rows = JSON.parse(run.stdout).rows as { algorithm: string; bytes: number; timeUs: number; predictedUs: number }[];
    const at = (algorithm: string, bytes: number) => rows.find((r) => r.algorithm.startsWith(algorithm) && r.bytes === bytes)!;
    for (const bytes of [1 << 20, 8 << 20, 64 << 20]) {
      const tree = at('tree', bytes);
      expect(Math.abs(tree.timeUs / tree.predictedUs - 1), `tree at ${bytes} B`).toBeLessThan(0.02);
      expect(at('auto', bytes).timeUs, `auto at ${bytes} B`).toBe(Math.min(at('ring', bytes).timeUs, tree.timeUs));
    }
  });
});

describe('--format and --out of --compare and --tenant', () => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-formats-'));

  it('--compare --format csv prints CSV (it printed the table): busbw per size under FLAG=VALUE columns', () => {
    const run = weft([...small, '--compare', 'routing=ecmp,adaptive', '--format', 'csv']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('bytes,algorithm,routing=ecmp,routing=adaptive,algorithm routing=ecmp,algorithm routing=adaptive');
    expect(lines.slice(1).map((line) => line.split(',').length)).toEqual([6, 6, 6, 6]);
  });

  it('--compare --out FILE.json writes JSON whatever --format prints (it wrote the table)', () => {
    const out = join(dir, 'compare.json');
    const run = weft([...small, '--compare', 'routing=ecmp,adaptive', '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^# weft bench allreduce/);
    expect(JSON.parse(readFileSync(out, 'utf8')).compare).toEqual({ flag: 'routing', values: ['ecmp', 'adaptive'] });
  });

  it('--tenant --out FILE.json writes JSON beside the table', () => {
    const out = join(dir, 'tenants.json');
    const run = weft(['bench', 'allreduce', '--ranks', '4', '-e', '1K', '--tenant', 'ranks=0-3', '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^# weft bench --tenant/);
    expect(JSON.parse(readFileSync(out, 'utf8')).tenants).toHaveLength(1);
  });

  it.each([
    [['--format', 'csv'], /^weft: --format csv: not with --tenant; its isolation table is printed as table or json$/],
    [['--out', 'tenants.csv'], /^weft: --out: 'tenants\.csv' asks for CSV; with --tenant the isolation table is written as a table or as JSON \(\.json\)$/],
  ])('--tenant with %j: refused (no CSV form), not a table under another name', (extra, message) => {
    expectUsageError(weft(['bench', 'allreduce', '--ranks', '4', '-e', '1K', '--tenant', 'ranks=0-3', ...extra], { cwd: dir }), message);
  });
});

describe('--trace of a sweep too big for the JS heap', () => {
  it('is refused in one line before the first run (it aborted with a V8 heap stack after minutes)', () => {
    // A 0.44 GiB heap holds about 105,000 traced steps; 64 GPUs' ring at 1 GiB has 131,072
    // (before: V8's heap-out-of-memory abort, exit 134, after ≈ 15 s).
    const dir = mkdtempSync(join(tmpdir(), 'weft-trace-'));
    const args = ['bench', 'allreduce', '--topology', 'dgx-h100:nodes=8', '--algo', 'ring', '--mode', 'ghost', '-b', '1G', '-e', '1G', '--trace', join(dir, 't.json')];
    const result = spawnSync(process.execPath, ['--max-old-space-size=400', WEFT_MAIN, ...args], { encoding: 'utf8', timeout: 120_000 });
    expectUsageError(
      { code: result.status, stdout: result.stdout, stderr: result.stderr },
      /^weft: --trace: this sweep's trace would hold more than [\d,]+ schedule steps with their flows \(≈ 3\.5 KiB of JS heap each until the file is written: more than 80 % of this process's 0\.\d\d GiB heap\); trace fewer sizes/,
    );
  });
});

describe('flags another flag leaves with nothing to do: refused, not ignored', () => {
  const data = ['bench', 'allreduce', '--ranks', '2', '-b', '8', '-e', '64'];
  it.each([
    [[...data, '--fast-forward', 'on'], /^weft: --fast-forward: ghost mode only \(--mode ghost\); data mode runs every step of every run$/],
    [[...data, '--compare', 'fast-forward=on,off'], /^weft: --fast-forward: ghost mode only/],
    [[...small, '--ranks-per-worker', '2'], /^weft: --ranks-per-worker: data mode only; ghost mode starts no worker threads$/],
    [[...small, '--exact-limit', '5'], /^weft: --exact-limit: only with --explain in ghost mode \(it bounds the candidates --explain simulates\)$/],
    [[...data, '--explain', '--exact-limit', '5'], /^weft: --exact-limit: only with --explain in ghost mode/],
    // Fast-forward cuts one iteration's pipeline: with -n > 1 (or -w) the run was exact, the flag silently unused.
    [[...small, '--fast-forward', 'on', '-n', '3'], /^weft: --fast-forward on: one iteration only \(-n 1 -w 0, here -n 3 -w 0\); more iterations run exactly: drop --fast-forward or use -n 1 -w 0$/],
    [[...small, '--fast-forward', 'auto', '-w', '1'], /^weft: --fast-forward auto: one iteration only \(-n 1 -w 0, here -n 1 -w 1\)/],
    [[...small, '--compare', 'fast-forward=on,off', '-n', '2'], /^weft: --fast-forward: one iteration only \(-n 1 -w 0, here -n 2 -w 0\)/],
  ])('%j', (args, message) => expectUsageError(weft(args), message));

  it.each([
    [[...small, '--fast-forward', 'off']],
    [[...data, '--ranks-per-worker', '2']],
    [[...small, '--explain', '--exact-limit', '5']],
    [[...data, '--compare', 'mode=data,ghost', '--fast-forward', 'off']],
    // The default auto, not typed, refuses nothing; off says what -n > 1 does anyway.
    [[...small, '-n', '3']],
    [[...small, '--fast-forward', 'off', '-n', '3']],
  ])('%j runs', (args) => {
    const run = weft(args);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});
