/**
 * A worker thread that cannot start — its entry file missing from the build, a syntax error in
 * it, an import of it that fails — is one line naming the thread's entry file and the cause,
 * exit 1, whatever the build: never a silent exit 0 (issue #13, item 6). The bundled CLI is
 * broken in a copy of dist/bundle/ (beside it, so its externals resolve as the real one's do);
 * the unbundled CLI and the runtime's ghost-program thread through module hooks that fail to
 * load one entry file in worker threads (fixtures/worker-cannot-start.mjs).
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WEFT_MAIN } from './run-weft.js';

const BUNDLE = dirname(WEFT_MAIN);
const UNBUNDLED_MAIN = fileURLToPath(new URL('../../packages/cli/dist/main.js', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the bundle beside it, with `breakIt` applied to the copy's directory. */
function brokenBundle(breakIt: (dir: string) => void): string {
  const dir = mkdtempSync(join(dirname(BUNDLE), 'bundle-broken-'));
  made.push(dir);
  cpSync(BUNDLE, dir, { recursive: true });
  breakIt(dir);
  return dir;
}

function run(nodeArgs: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const result = spawnSync(process.execPath, nodeArgs, { encoding: 'utf8', timeout: 60_000, cwd: options.cwd, env: { ...process.env, ...options.env } });
  if (result.error) throw result.error;
  return result;
}

/** Exit 1, nothing on stdout, one line on stderr matching `line`, no stack. */
function expectOneLine(result: ReturnType<typeof run>, line: RegExp): void {
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(line)]);
  expect(result.status).toBe(1);
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const DATA_RUN = ['bench', 'allreduce', '--ranks', '4', '-b', '1K', '-e', '1K', '--mode', 'data'];

describe('a worker thread that cannot start (bundled CLI)', () => {
  const cases: [string, (dir: string) => void, (dir: string) => string][] = [
    ['its entry file is missing', (dir) => rmSync(join(dir, 'worker.js')), (dir) => `Cannot find module '${escape(join(dir, 'worker.js'))}'`],
    ['its entry file does not parse', (dir) => appendFileSync(join(dir, 'worker.js'), '\nexport const = 1;\n'), () => 'Unexpected token .*'],
    ['an import of its entry fails', (dir) => writeFileSync(join(dir, 'worker.js'), `import './gone.js';\n${readFileSync(join(dir, 'worker.js'), 'utf8')}`), (dir) => `Cannot find module '${escape(join(dir, 'gone.js'))}' imported from ${escape(join(dir, 'worker.js'))}`],
  ];
  for (const [what, breakIt, cause] of cases) {
    it(`data mode, when ${what}: one line naming worker.js and the cause, exit 1`, () => {
      const dir = brokenBundle(breakIt);
      const result = run([join(dir, 'main.js'), ...DATA_RUN]);
      expectOneLine(result, new RegExp(`^weft: the worker thread for ranks [\\d,]+ \\(${escape(join(dir, 'worker.js'))}\\) could not start: ${cause(dir)}$`));
    });
  }

  // The module's thread is started by its monitor thread (sandbox-monitor.js): either file missing is named.
  it.each(['sandbox-worker.js', 'sandbox-monitor.js'])("a user algorithm's sandbox thread without %s: exit 1 naming it (weft's fault, not the module's exit 2)", (file) => {
    const dir = brokenBundle((at) => rmSync(join(at, file)));
    const cwd = mkdtempSync(join(tmpdir(), 'weft-worker-start-'));
    made.push(cwd);
    writeFileSync(join(cwd, 'mine.mjs'), 'export default {};\n');
    const result = run([join(dir, 'main.js'), 'bench', 'allreduce', '--ranks', '4', '--algo', './mine.mjs', '-b', '1K', '-e', '1K'], { cwd });
    const entry = escape(join(dir, file));
    expectOneLine(result, new RegExp(`^weft: the thread for --algo \\./mine\\.mjs \\(${entry}\\) could not start: Cannot find module '${entry}'$`));
  });

  it('the intact bundle runs the same command (the copies above broke only what each case says)', () => {
    const dir = brokenBundle(() => undefined);
    const result = run([join(dir, 'main.js'), ...DATA_RUN]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^\s+1024\s+256\s+float\s+sum\s+-1\s.*\s0\s+auto\(\w+\)/m);
  });
});

describe('a worker thread that cannot start (unbundled)', () => {
  const brokenEntry = (name: string) => ({ env: { WEFT_BROKEN_ENTRY: name } });

  it('the unbundled CLI in data mode: one line naming worker.js, exit 1', () => {
    const result = run(['--import', fixture('worker-cannot-start.mjs'), UNBUNDLED_MAIN, ...DATA_RUN], brokenEntry('worker.js'));
    expectOneLine(result, /^weft: the worker thread for ranks [\d,]+ \(.*\/packages\/runtime\/dist\/node\/worker\.js\) could not start: Cannot find module '.*worker\.js'$/);
  });

  it("the runtime's ghost-program thread: a WorkerStartError naming ghost-program-worker.js", () => {
    const result = run(['--import', fixture('worker-cannot-start.mjs'), fixture('ghost-program.mjs')], brokenEntry('ghost-program-worker.js'));
    expect(result.stdout.trim()).toMatch(/^WorkerStartError: the ghost program's thread \(.*\/packages\/runtime\/dist\/node\/ghost-program-worker\.js\) could not start: Cannot find module '.*ghost-program-worker\.js'$/);
    const intact = run([fixture('ghost-program.mjs')]);
    expect(intact.stdout.trim()).toBe('ok');
  });
});
