import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { WEFT_MAIN } from './run-weft.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const BUNDLE_URL = pathToFileURL(dirname(WEFT_MAIN)).href + '/';
const dir = mkdtempSync(join(tmpdir(), 'weft-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI with `--import preload` ahead of it (the preload sees the same argv as weft). */
function weftWith(preload: string, args: readonly string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, ['--import', fixture(preload), WEFT_MAIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  if (run.error) throw run.error;
  return run;
}

describe('start-up', () => {
  it('weft algos opens a few bundle files, none holding what listing the algorithms does not need (topology parsers, runtime, plotter)', () => {
    const log = join(dir, 'algos.log');
    const run = weftWith('record-modules.mjs', ['algos'], { WEFT_MODULE_LOG: log });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^allreduce:/m);
    const loaded = readFileSync(log, 'utf8').trim().split('\n').filter((url) => !url.startsWith('node:'));
    // Every file is a chunk of the bundle (nothing from node_modules or a package's dist/), and few.
    expect(loaded.filter((url) => !url.startsWith(BUNDLE_URL))).toEqual([]);
    expect(loaded.length).toBeLessThanOrEqual(8);
    // What each chunk was built from, by its source map (the bundler's own runtime chunk has none).
    const sources = loaded.flatMap((url) => {
      const map = fileURLToPath(`${url}.map`);
      if (!existsSync(map)) return [];
      return (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources.map((source) => resolve(dirname(map), source));
    });
    expect(sources.some((path) => path.includes('/packages/collectives/dist/'))).toBe(true);
    const heavy = sources.filter((path) => /\/(zod|yaml|vega|vega-lite|comlink)@|\/packages\/(fabric|runtime|train)\/dist\//.test(path));
    expect(heavy).toEqual([]);
  });

  it('every file the bundle starts by URL (workers, rank programs, module hooks) is in the bundle', () => {
    const bundle = dirname(WEFT_MAIN);
    const started = readdirSync(bundle)
      .filter((name) => name.endsWith('.js'))
      .flatMap((name) => [...readFileSync(join(bundle, name), 'utf8').matchAll(/new URL\(\s*["'`](\.\/[^"'`]+\.js)["'`]\s*,\s*import\.meta\.url\s*\)/g)].map((match) => match[1]!));
    expect(new Set(started)).toEqual(new Set(['./worker.js', './ghost-program-worker.js', './ghost-program-traced.js', './rank-program.js', './sandbox-monitor.js', './sandbox-worker.js', './resolve-hooks.js', './sized-thread-main.js']));
    for (const path of started) expect(existsSync(join(bundle, path)), path).toBe(true);
  });
});
