import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WEFT_MAIN } from './run-weft.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-lazy-cjs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Coverage {
  readonly result: readonly { readonly url: string; readonly functions: readonly { readonly functionName: string; readonly ranges: readonly { readonly startOffset: number; readonly count: number }[] }[] }[];
}

/** The npm package a bundled source file comes from, by its path in the source map (pnpm's store layout). */
function packageOf(source: string): string | undefined {
  return /node_modules\/\.pnpm\/((?:@[^/+]+\+)?[^/@]+)@/.exec(source)?.[1];
}

/**
 * What `weft args` did with the bundled npm packages: `loaded`, those with code in a bundle file
 * Node read and compiled (by the file's source map); `ran`, those any of whose functions ran;
 * `sources`, every source file (as the maps name it) with code in a file Node compiled;
 * `functions`, every function that ran, as `SOURCE#NAME`; `calls`, how often each ran.
 */
function packagesUsed(
  name: string,
  args: readonly string[],
  nodeArgs: readonly string[] = [],
): { loaded: Set<string>; ran: Set<string>; sources: Set<string>; functions: Set<string>; calls: Map<string, number>; stderr: string } {
  const coverage = join(dir, name);
  // stderr is a pipe, not a terminal: no progress bar is drawn (unless nodeArgs say it is one).
  const run = spawnSync(process.execPath, [...nodeArgs, WEFT_MAIN, ...args], { encoding: 'utf8', timeout: 120_000, cwd: dir, env: { ...process.env, NODE_V8_COVERAGE: coverage } });
  if (run.error) throw run.error;
  expect(run.status, run.stderr).toBe(0);
  const ran = new Set<string>();
  const loaded = new Set<string>();
  const sources = new Set<string>();
  const functions = new Set<string>();
  const calls = new Map<string, number>();
  for (const file of readdirSync(coverage)) {
    for (const script of (JSON.parse(readFileSync(join(coverage, file), 'utf8')) as Coverage).result) {
      if (!script.url.startsWith('file://') || !script.url.includes('/dist/bundle/')) continue;
      const path = fileURLToPath(script.url);
      let map: SourceMap;
      try {
        map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')));
      } catch {
        continue; // the bundler's runtime chunk has no map
      }
      for (const source of (map.payload as { sources: readonly string[] }).sources) {
        sources.add(source);
        const pkg = packageOf(source);
        if (pkg !== undefined) loaded.add(pkg);
      }
      const text = readFileSync(path, 'utf8');
      const lineStarts = [0];
      for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lineStarts.push(at + 1);
      for (const fn of script.functions) {
        const { startOffset, count } = fn.ranges[0]!;
        if (count === 0 || startOffset === 0) continue; // not run, or the chunk's own top level
        // A CommonJS package's module is a function the bundler wrote (unmapped at its start):
        // the first mapped position inside it names the package.
        let source = '';
        for (let at = startOffset; at < startOffset + 200 && source === ''; at++) {
          let line = lineStarts.length - 1;
          while (lineStarts[line]! > at) line--;
          source = (map.findEntry(line, at - lineStarts[line]!) as { originalSource?: string }).originalSource ?? '';
        }
        functions.add(`${source}#${fn.functionName}`);
        calls.set(`${source}#${fn.functionName}`, (calls.get(`${source}#${fn.functionName}`) ?? 0) + count);
        const pkg = packageOf(source);
        if (pkg !== undefined) ran.add(pkg);
      }
    }
  }
  return { loaded, ran, sources, functions, calls, stderr: run.stderr };
}

describe('CommonJS packages a rare path needs are read at first use, not at load (rolldown.config.mjs LAZY_CJS_IMPORTS)', () => {
  const bench = ['bench', 'allreduce', '--topology', 'switch:8', '--algo', 'ring', '--mode', 'ghost', '-b', '4', '-e', '4'];

  it('a bench on a preset, off a terminal, neither compiles nor runs any code of yaml or cli-progress', () => {
    const { loaded, ran } = packagesUsed('preset', bench);
    expect(loaded.has('commander')).toBe(true);
    // Their code is in side bundles (yaml.cjs, cli-progress.cjs) Node never reads here, not in a chunk it compiles.
    expect(loaded.has('yaml')).toBe(false);
    expect(loaded.has('cli-progress')).toBe(false);
    expect(ran.has('commander')).toBe(true); // the coverage sees bundled packages
    expect(ran.has('yaml')).toBe(false);
    expect(ran.has('cli-progress')).toBe(false);
  });

  it('a .yaml topology still loads yaml, and is read as before', () => {
    writeFileSync(
      join(dir, 'two.yaml'),
      ['nodes:', '  - { id: g0, kind: gpu }', '  - { id: g1, kind: gpu }', '  - { id: sw, kind: switch }', 'links:', '  - { from: g0, to: sw, bandwidth: 100GB/s, latency: 1us }', '  - { from: g1, to: sw, bandwidth: 100GB/s, latency: 1us }', ''].join('\n'),
    );
    const { ran } = packagesUsed('yaml', ['bench', 'allreduce', '--topology', 'two.yaml', '--mode', 'ghost', '-b', '4', '-e', '4']);
    expect(ran.has('yaml')).toBe(true);
  });

  it('on a terminal the progress bar is drawn by cli-progress, read from its side bundle', () => {
    // stderr made to say it is a terminal before the CLI starts.
    const tty = ['--import', 'data:text/javascript,Object.defineProperty(process.stderr, "isTTY", { value: true })'];
    const { ran, stderr } = packagesUsed('tty', bench, tty);
    expect(ran.has('cli-progress')).toBe(true);
    expect(stderr).toContain('weft bench [');
    expect(stderr).toContain('1/1 ring 4 B');
  });
});

describe("weft's own modules only a rare path needs are not loaded by a preset bench", () => {
  it('a bench of built-in algorithms does not load the user-algorithm loader (its zod shape, sandbox, checker)', () => {
    const { sources } = packagesUsed('builtin', ['bench', 'allreduce', '--topology', 'switch:8', '--algo', 'ring', '--mode', 'ghost', '-b', '4', '-e', '4']);
    expect([...sources].some((source) => source.endsWith('/bench/algorithms.js'))).toBe(true); // the maps name weft's files
    expect([...sources].filter((source) => /\/user-algorithm\/(load|check|sandbox)\.js$/.test(source))).toEqual([]);
  });

  it("a bench on a preset builds neither the topology file's zod schema nor the fault scenario's (built at first use)", () => {
    const { functions } = packagesUsed('schemas', ['bench', 'allreduce', '--topology', 'switch:8', '--algo', 'ring', '--mode', 'ghost', '-b', '4', '-e', '4']);
    // The bundler may rename a function whose name another module uses too (number → number$1).
    const zodClassic = (name: string) => [...functions].some((fn) => new RegExp(`zod/v4/classic/schemas\\.js#${name}(\\$\\d+)?$`).test(fn));
    expect(zodClassic('string')).toBe(true); // the bench flags' schema is built
    // Only those two schemas take a z.number(): built at load, they ran it in every run.
    expect(zodClassic('number')).toBe(false);
    expect([...functions].filter((fn) => /#build(File|Scenario)Schema$/.test(fn))).toEqual([]);
  });

  it("a bench on a preset reads the spec's parameter values without zod (no coerced number)", () => {
    const { functions } = packagesUsed('spec', ['bench', 'allreduce', '--topology', 'dgx-h100:nodes=2,nvlinkEfficiency=0.5', '--algo', 'ring', '--mode', 'ghost', '-b', '4', '-e', '4']);
    expect([...functions].some((fn) => fn.endsWith('/presets/spec.js#parsePresetArgs'))).toBe(true);
    // The zod schemas the readers replaced took z.coerce.number() for counts and factors; nothing else does.
    expect([...functions].filter((fn) => /zod\/v4\/classic\/coerce\.js#/.test(fn))).toEqual([]);
  });

  it("the bench flags' schema shares one z.string() among its ~40 text flags (built once, not per flag)", () => {
    const { calls } = packagesUsed('strings', ['bench', 'allreduce', '--topology', 'switch:8', '--algo', 'ring', '--mode', 'ghost', '-b', '4', '-e', '4']);
    const built = [...calls].filter(([fn]) => /zod\/v4\/classic\/schemas\.js#string(\$\d+)?$/.test(fn)).reduce((sum, [, count]) => sum + count, 0);
    expect(built).toBeGreaterThan(0); // the counts are read
    expect(built).toBeLessThanOrEqual(2); // 38 when each flag built its own
  });

  it('a ghost bench loads none of the Node built-ins only data mode needs (worker_threads, vm, os); a data bench does', () => {
    // process.moduleLoadList names every built-in the process loaded, printed as it exits.
    const list = ['--import', 'data:text/javascript,process.on("exit", () => console.error(process.moduleLoadList.join(";")))'];
    const builtins = (mode: string) => {
      const run = spawnSync(process.execPath, [...list, WEFT_MAIN, 'bench', 'allreduce', '--topology', 'switch:4', '--algo', 'ring', '--mode', mode, '-b', '4', '-e', '4'], { encoding: 'utf8', cwd: dir });
      expect(run.status, run.stderr).toBe(0);
      return new Set(run.stderr.trim().split('\n').at(-1)!.split(';').filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length)));
    };
    const ghost = builtins('ghost');
    expect(ghost.has('fs')).toBe(true); // the list is read
    expect(['worker_threads', 'vm', 'os'].filter((name) => ghost.has(name))).toEqual([]);
    expect(builtins('data').has('worker_threads')).toBe(true);
  });

  it('a topology file and a fault flag still build and apply their schemas', () => {
    writeFileSync(join(dir, 'two.json'), JSON.stringify({ nodes: [{ id: 'g0', kind: 'gpu' }, { id: 'g1', kind: 'gpu' }, { id: 'sw', kind: 'switch' }], links: [{ from: 'g0', to: 'sw', bandwidth: '100GB/s', latency: '1us' }, { from: 'g1', to: 'sw', bandwidth: 0, latency: '1us' }] }));
    const bad = spawnSync(process.execPath, [WEFT_MAIN, 'bench', 'allreduce', '--topology', 'two.json', '--mode', 'ghost', '-b', '4', '-e', '4'], { encoding: 'utf8', cwd: dir });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^weft: two\.json: links\[1\]\.bandwidth: /);
    const { functions } = packagesUsed('fault', ['bench', 'allreduce', '--topology', 'switch:8', '--algo', 'ring', '--mode', 'ghost', '-b', '4', '-e', '4', '--straggler', 'rank=1,delay=1us']);
    expect([...functions].some((fn) => fn.endsWith('#buildScenarioSchema'))).toBe(true);
  });
});
