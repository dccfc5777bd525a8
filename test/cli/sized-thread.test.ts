import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COL, expectUsageError, tableRows, WEFT_MAIN, weftInProcess, type WeftRun } from './run-weft.js';

// `weft` runs a ghost bench or train of 4,096+ ranks in a thread sized for it (packages/cli/src/
// entry.ts, main.ts). Which thread ran it is seen through a preload that logs every thread's
// resourceLimits (fixtures/log-sized-thread.mjs); the sized one has a 192 MiB young generation.
const LOG_THREADS = fileURLToPath(new URL('./fixtures/log-sized-thread.mjs', import.meta.url));
// 4,096 GPUs: a preset at the threshold, about a second of CPU at a small size.
const LARGE = ['bench', 'allreduce', '--topology', 'dgx-h100:nodes=512', '--mode', 'ghost'];
/** What bench says first at 4,096 ranks, thread or not (bench/work-estimate.ts longPlanNotice). */
const withoutPlanNotice = (stderr: string) => stderr.replace(/^weft bench: 4,096 ranks: ring-class schedules take .*\n/, '');

interface LoggedRun extends WeftRun {
  /** The resourceLimits of every thread the run started. */
  readonly threads: { maxYoungGenerationSizeMb: number; maxOldGenerationSizeMb: number }[];
}

function weftLogged(args: readonly string[], options: { env?: Record<string, string>; cwd?: string; preload?: string[] } = {}): LoggedRun {
  const dir = mkdtempSync(join(tmpdir(), 'weft-sized-'));
  const log = join(dir, 'threads.log');
  const run = spawnSync(process.execPath, [...(options.preload ?? []), '--import', LOG_THREADS, WEFT_MAIN, ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    env: { ...process.env, ...options.env, WEFT_TEST_THREAD_LOG: log },
    timeout: 120_000,
  });
  if (run.error) throw run.error;
  const threads = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line)) : [];
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, threads };
}

const isSized = (threads: LoggedRun['threads']) => threads.length === 1 && threads[0]!.maxYoungGenerationSizeMb === 192 && threads[0]!.maxOldGenerationSizeMb >= 1000;
const withoutWall = (json: string) => JSON.stringify(JSON.parse(json), (key, value) => (key === 'wallMs' ? undefined : value));

describe('weft on a large ghost run: the sized thread', () => {
  it('runs a 4,096-GPU ghost bench in the sized thread, with the JSON (stdout and --out) of the direct run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-sized-out-'));
    const args = [...LARGE, '-b', '8', '-e', '8', '--format', 'json'];
    const run = weftLogged([...args, '--out', 'report.json'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(withoutPlanNotice(run.stderr)).toBe('');
    expect(isSized(run.threads)).toBe(true);
    // runCli in this process never hands over (only the entry arms the check): the direct path.
    const direct = await weftInProcess(args);
    expect(direct.code).toBe(0);
    expect(withoutWall(run.stdout)).toBe(withoutWall(direct.stdout));
    expect(withoutWall(readFileSync(join(dir, 'report.json'), 'utf8'))).toBe(withoutWall(direct.stdout));
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('runs a 4,096-GPU ghost train, and a train --scale reaching 4,096, in it too', () => {
    const run = weftLogged(['train', '--topology', 'dgx-h100:nodes=512', '--mode', 'ghost', '--steps', '1', '--global-batch', '4096', '--model', 'synthetic:params=1e3,layers=1']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('samples/s');
    expect(isSized(run.threads)).toBe(true);
    // --scale: by its largest row (over --exact-limit 0, so priced by alpha-beta: under a second).
    const scale = weftLogged(['train', '--scale', '4096', '--exact-limit', '0', '--model', 'synthetic:params=1e3,layers=1', '--algo', 'ring']);
    expect(scale.code).toBe(0);
    expect(scale.stdout).toMatch(/^\s+4096 ring/m);
    expect(isSized(scale.threads)).toBe(true);
  });

  it('keeps smaller ghost runs and commands that do not simulate in the process itself', () => {
    for (const args of [['bench', 'allreduce', '--topology', 'dgx-h100:nodes=256', '--mode', 'ghost', '-b', '8', '-e', '8'], ['algos'], ['topo', 'dgx-h100:nodes=512']]) {
      const run = weftLogged(args);
      expect(run.code, args.join(' ')).toBe(0);
      expect(run.threads, args.join(' ')).toEqual([]);
    }
  });

  it('bad input found inside the thread is one line, exit 2, as directly', async () => {
    const args = ['bench', 'broadcast', '--topology', 'dgx-h100:nodes=512', '--mode', 'ghost', '-b', '8', '-e', '8', '-r', '5000'];
    const run = weftLogged(args);
    expect(isSized(run.threads)).toBe(true);
    expectUsageError({ ...run, stderr: withoutPlanNotice(run.stderr) }, /^weft: -r\/--root: 5000 is not a rank; this topology has ranks 0\.\.4095$/);
    const direct = await weftInProcess(args);
    expect(run.stderr).toBe(direct.stderr);
    expect(run.code).toBe(direct.code);
  });

  it('a thread that reaches its heap limit is one line naming the limit, exit 2, no stack', () => {
    // The test-only old generation (main.ts): 16 MiB is outgrown while the command loads.
    const run = weftLogged([...LARGE, '-b', '8', '-e', '8'], { env: { WEFT_TEST_SIZED_THREAD_OLD_MB: '16' } });
    expect(run.threads.map((limits) => limits.maxOldGenerationSizeMb)).toEqual([16]);
    expectUsageError(run, /^weft: run too big for this machine: it reached the JS heap limit its thread was given \(16 MiB, from this machine's memory\) before the heap guard could stop it cleanly; use fewer ranks/);
  });

  it('draws the progress bar when the process is on a terminal, and none when it is not', () => {
    // The process's stderr made to say it is a terminal; the thread's own stderr is a pipe.
    const tty = ['--import', 'data:text/javascript,import{isMainThread}from"node:worker_threads";if(isMainThread)Object.defineProperty(process.stderr,"isTTY",{value:true})'];
    const args = [...LARGE, '-b', '8', '-e', '256', '-f', '32'];
    const onTerminal = weftLogged(args, { preload: tty });
    expect(onTerminal.code).toBe(0);
    expect(isSized(onTerminal.threads)).toBe(true);
    expect(onTerminal.stderr).toContain('weft bench [');
    expect(onTerminal.stderr).toMatch(/2\/2 auto\(\w+\) 256 B/);
    const piped = weftLogged(args);
    expect(piped.code).toBe(0);
    expect(withoutPlanNotice(piped.stderr)).toBe('');
    // The bar stays off stdout: the same rows (wall time aside) either way.
    const rows = (stdout: string) => tableRows(stdout).map((row) => row.slice(0, COL.wall));
    expect(rows(onTerminal.stdout)).toHaveLength(2);
    expect(rows(piped.stdout)).toEqual(rows(onTerminal.stdout));
  });

  it('Ctrl-C ends the process promptly, as the signal ends a direct run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-sized-sig-'));
    const log = join(dir, 'threads.log');
    // Minutes of simulation: stopped long before it ends.
    const child = spawn(process.execPath, ['--import', LOG_THREADS, WEFT_MAIN, ...LARGE, '-b', '1G', '-e', '1G'], {
      env: { ...process.env, WEFT_TEST_THREAD_LOG: log },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    while (!existsSync(log)) await new Promise((resolve) => setTimeout(resolve, 20));
    // Into the simulation (past the command's start in the thread).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const sent = Date.now();
    child.kill('SIGINT');
    const exit = await exited;
    expect(exit).toEqual({ code: null, signal: 'SIGINT' });
    expect(Date.now() - sent).toBeLessThan(5000);
    expect(withoutPlanNotice(stderr)).toBe('');
  });

  it('a reader that goes away (| head) does not cost the --out file, and the status is 141 as directly (was: file written, status 0)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-sized-head-'));
    const out = join(dir, 'r.json');
    const log = join(dir, 'threads.log');
    const run = spawnSync('bash', ['-c', `"${process.execPath}" --import "${LOG_THREADS}" "${WEFT_MAIN}" ${LARGE.join(' ')} --algo hierarchical -b 1M -e 4M -f 4 --out "${out}" | head -1; echo "status \${PIPESTATUS[0]}"`], {
      encoding: 'utf8',
      env: { ...process.env, WEFT_TEST_THREAD_LOG: log },
      timeout: 120_000,
    });
    expect(run.stdout).toBe('# weft bench allreduce\nstatus 141\n');
    expect(isSized(readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line)))).toBe(true);
    expect(JSON.parse(readFileSync(out, 'utf8')).rows.map((row: { bytes: number }) => row.bytes)).toEqual([1048576, 4194304]);
  });

  it('rows reach stdout as they finish, not all at the end (was: held until the thread\'s simulation let its stream be acknowledged)', async () => {
    // The scale walk's case: a --scale table whose largest row (4,096 GPUs) puts it in the thread.
    const args = ['train', '--model', 'synthetic:params=1e8,layers=8', '--scale', '8,64,4096', '--algo', 'hierarchical'];
    const child = spawn(process.execPath, [WEFT_MAIN, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    const rowAt = new Map<string, number>();
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      for (const [, gpus] of stdout.matchAll(/^\s+(\d+) hierarchical /gm)) if (!rowAt.has(gpus!)) rowAt.set(gpus!, Date.now());
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect([...rowAt.keys()]).toEqual(['8', '64', '4096']);
    // The 4,096-GPU row takes about a second after the 8-GPU one (more on a loaded machine): the
    // 8-GPU row was printed before it, not with it at the end (a 0.09 s gap before).
    expect(rowAt.get('4096')! - rowAt.get('8')!).toBeGreaterThan(500);
  });
});
