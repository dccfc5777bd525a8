/**
 * A teacher's walk of the lab (instructor authoring course material): the engine-level fixes.
 * The same engine code the page's workers run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '@weft/cli';
import { checkPlanned, checkUserAlgorithm } from '@weft/cli/check';
import type { Algorithm } from '@weft/collectives';
import { cliArgs, faultFlags, forThePage, gradeAlgorithm, gradeCustom, inPageWords, parseScenario, recordAttempt, runLab, scenarioKey, scenarioRecord, shellLine } from '../dist/engine/index.js';

const COLLECTIVES = pathToFileURL(fileURLToPath(import.meta.resolve('@weft/collectives'))).href;
const dir = mkdtempSync(join(tmpdir(), 'weft-lab-teacher-'));

/** docs/writing-an-algorithm.md's my-ring.mjs, `edit`ed, loaded as a student's module is. */
async function myRing(edit: (source: string) => string = (s) => s, file = 'my-ring.mjs'): Promise<Algorithm> {
  const doc = readFileSync(fileURLToPath(new URL('../../../docs/writing-an-algorithm.md', import.meta.url)), 'utf8');
  const source = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.startsWith('// my-ring.mjs'))!;
  const path = join(dir, file);
  writeFileSync(path, edit(source).replace(/from '@weft\/collectives'/, `from '${COLLECTIVES}'`));
  return ((await import(pathToFileURL(path).href)) as { default: Algorithm }).default;
}

const checks = { matrix: checkUserAlgorithm, planned: checkPlanned };

describe('exercise 3 proves the schedule it times', () => {
  it('refuses a ring that is right on the small cases but wrong at the timed count, saying so', async () => {
    const wrongWhenBig = await myRing(
      (s) => s.replace('b.recvReduceCopySend(r, c, prev, next, block(r));', 'if (count > 5000) b.recvCopySend(r, c, prev, next, block(r)); else b.recvReduceCopySend(r, c, prev, next, block(r));'),
      'wrong-when-big.mjs',
    );
    const grade = await gradeAlgorithm(wrongWhenBig, checks);
    expect(grade.passed).toBe(false);
    expect(grade.run).toBeUndefined();
    expect(grade.message).toMatch(/^Not correct at the size it is timed at \(4 MiB\).*wrong on 8 ranks \(count 1048576/);
    expect(grade.message).toContain('depends on count');
  });

  it('still passes the doc\u2019s ring', async () => {
    const grade = await gradeAlgorithm(await myRing(), checks);
    expect(grade).toMatchObject({ passed: true });
    expect(grade.message).toMatch(/^Correct on all \d+ checked cases/);
  });
});

describe('an instructor\u2019s exercise on a run its faults stop', () => {
  const KiB = 1024;
  const scenario = (faults: Record<string, unknown>) =>
    parseScenario({ config: { topology: 'switch:8', algorithms: ['ring'], sizesBytes: [256 * KiB, 1024 * KiB], focusBytes: 1024 * KiB, ...faults }, exercise: { prompt: 'How long does ring take?', algorithm: 'ring' } });

  for (const [what, faults] of [
    ['a crash', { crash: ['rank=2@20us'] }],
    ['a link down', { fault: ['link=gpu1->switch0,down@20us'] }],
  ] as const) {
    it(`grades ${what} as "does not complete", not against the fault-free time`, async () => {
      const { config, exercise } = scenario(faults);
      const { faults: _faults, ...faultFree } = config;
      const faultFreeUs = (await runLab({ ...faultFree, sizesBytes: [config.focusBytes] })).details[0]!.timeNs / 1000;
      const grade = await gradeCustom(config, exercise!, faultFreeUs);
      expect(grade.passed).toBe(false);
      expect(grade.message).toMatch(/^ring at 1 MiB does not complete in this scenario \(.+\), so it has no time to predict/);
      expect(grade.reveal).toBeUndefined();
    });
  }

  it('grades a straggler (which completes, slower) against the faulted time', async () => {
    const { config, exercise } = scenario({ straggler: ['rank=3,delay=50us'] });
    const slowUs = (await runLab({ ...config, sizesBytes: [config.focusBytes] })).details[0]!.timeNs / 1000;
    expect((await gradeCustom(config, exercise!, slowUs)).passed).toBe(true);
  });
});

describe('the CLI line the page prints, for a shell', () => {
  it('quotes the words a shell would not read back as they are (a fault\u2019s `->` is a redirection)', () => {
    const config = parseScenario({ config: { topology: 'leafspine:hosts=16,leaves=2,spines=4', algorithms: ['ring'], sizesBytes: [262144], focusBytes: 262144, faults: { links: [{ link: 'leaf0->spine0', down: '30us' }] } } }).config;
    const line = shellLine(cliArgs(config, 'sweep'));
    expect(line).toContain("--fault 'link=leaf0->spine0,down@30000ns'");
    expect(line).toContain('--topology leafspine:hosts=16,leaves=2,spines=4 '); // nothing quoted that needs none
    // bash reads the line back as the very arguments.
    const words = execFileSync('bash', ['-c', `printf '%s\\n' ${line}`], { encoding: 'utf8' }).trimEnd().split('\n');
    expect(words).toEqual(cliArgs(config, 'sweep'));
    expect(shellLine(["it's", 'a b', ''])).toBe(`'it'\\''s' 'a b' ''`);
  });
});

describe('a scenario\u2019s exercise and code: typos refused, in one message naming the accepted fields', () => {
  const config = { topology: 'switch:8', algorithms: ['ring', 'tree'] };
  const refusal = (scenario: Record<string, unknown>): string => {
    try {
      parseScenario({ config, ...scenario });
    } catch (error) {
      return (error as Error).message;
    }
    return 'accepted';
  };
  it('names an unknown or misspelt exercise field and the accepted ones', () => {
    expect(refusal({ exercise: { prompt: 'How long?', tolerence: 0.3, algoritm: 'ring' } })).toBe("exercise: 'tolerence' is not an exercise field; use title, prompt, algorithm or tolerance");
    expect(refusal({ exercise: { question: 'How long?' } })).toBe("exercise: 'question' is not an exercise field; use title, prompt, algorithm or tolerance");
    expect(refusal({ exercise: 'How long?' })).toBe('exercise: an object of exercise fields (title, prompt, algorithm or tolerance)');
  });
  it('refuses a mistyped title or code instead of replacing or dropping it', () => {
    expect(refusal({ exercise: { prompt: 'How long?', title: 42 } })).toBe("exercise.title: the card's heading, a string (got 42)");
    expect(refusal({ code: 42 })).toBe("code: the editor's code, a string (got 42)");
    expect(parseScenario({ config, code: 'export default {};', exercise: { prompt: 'How long?', title: 'Tree at 64 KiB', algorithm: 'tree', tolerance: 0.3 } })).toMatchObject({
      code: 'export default {};', exercise: { title: 'Tree at 64 KiB', algorithm: 'tree', tolerance: 0.3 },
    });
  });
});

describe('a scenario\u2019s faults after the form changed the topology', () => {
  it('says what to do in the form (the faults\u2019 list, "Clear faults"), not which flag to pass', async () => {
    const { config } = parseScenario({ config: { topology: 'leafspine:hosts=16,leaves=2,spines=4', sizesBytes: [1024], focusBytes: 1024, faults: { links: [{ link: 'leaf0->spine0', down: '30us' }] } } });
    const message = await inPageWords(() => runLab({ ...config, topology: 'switch:8' }), 'run').then(() => 'ran', (e: Error) => e.message);
    expect(message).toMatch(/^faults: link 'leaf0->spine0' is not in topology switch:8; e\.g\. gpu0->switch0, .*; press "Clear faults" in the form \(it lists the run's faults\) or go back to a topology that has it \(in a scenario: config\.fault or config\.faults\)\.$/);
    expect(message).not.toMatch(/--fault|weft topo/);
    const crash = await inPageWords(() => runLab({ ...config, topology: 'switch:8', faults: { crashes: [{ rank: 13, at: 5000 }] } }), 'run').then(() => 'ran', (e: Error) => e.message);
    expect(crash).toMatch(/^faults: rank 13 is not a rank; this topology has ranks 0\.\.7; press "Clear faults"/);
    expect(faultFlags(config.faults).map((f) => `${f.flag} ${f.text}`)).toEqual(['--fault link=leaf0->spine0,down@30000ns']);
    // A scenario that does not load keeps the CLI's line: its `fault` field is that flag's text.
    const cliLine = "--fault: link 'gpu0->gpu1' is not in topology switch:8; links from gpu0: gpu0->switch0";
    expect(forThePage(cliLine)).toBe(cliLine);
  });
});

describe('an instructor\u2019s exercise in the exported results', () => {
  it('is named by its title, prompt and run beside its key, which stays the hash it was', () => {
    const { config, exercise } = parseScenario({ config: { topology: 'switch:8', algorithms: ['ring'] }, exercise: { title: 'Ring at 256 KiB', prompt: 'How long?', algorithm: 'ring' } });
    expect(scenarioKey(config, exercise!)).toBe('scenario:d055671a'); // the key results already exported carry
    const saved = recordAttempt(undefined, 100, { passed: false, score: 0.5, message: 'About 2× too high.' }, '2026-01-01T00:00:00.000Z');
    expect(scenarioRecord(saved, config, exercise!)).toEqual({
      ...saved,
      exercise: { title: 'Ring at 256 KiB', prompt: 'How long?', algorithm: 'ring', tolerance: 0.1, topology: 'switch:8', focusBytes: 262144 },
    });
  });
});

describe('the protocol (LL, LL128, Simple) a run ran, and a scenario\u2019s choice of it', () => {
  afterEach(() => vi.restoreAllMocks());
  const MiB = 1024 * 1024;

  it('takes proto as weft bench --proto: checked, in the CLI line, the same rows as the CLI', async () => {
    const { config } = parseScenario({ config: { algorithms: ['ring', 'tree'], sizesBytes: [64 * MiB], focusBytes: 64 * MiB, proto: 'LL' } });
    expect(config.proto).toBe('LL');
    const args = cliArgs(config, 'sweep');
    expect(args[args.indexOf('--proto') + 1]).toBe('LL');
    const run = await runLab(config);
    expect(run.rows.map((r) => r.protocol)).toEqual(['LL', 'LL']);
    expect(run.details.map((d) => d.protocol)).toEqual(['LL', 'LL']);
    let stdout = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
    expect(await runCli(args)).toBe(0);
    vi.restoreAllMocks();
    const cli = JSON.parse(stdout) as { rows: { algorithm: string; protocol: string; timeUs: number }[] };
    expect(run.rows.map((r) => [r.algorithm, r.protocol, r.timeUs])).toEqual(cli.rows.map((r) => [r.algorithm, r.protocol, r.timeUs]));
    // auto (the default) is absent: the config, its links and its exercises' keys are as before the field.
    const auto = parseScenario({ config: { algorithms: ['ring'], sizesBytes: [64 * MiB], focusBytes: 64 * MiB } }).config;
    expect('proto' in auto).toBe(false);
    expect(parseScenario({ config: { proto: 'auto' } }).config).toEqual(parseScenario({ config: {} }).config);
    expect(cliArgs(auto, 'sweep')).not.toContain('--proto');
    expect((await runLab(auto)).rows[0]!.protocol).toBe('Simple'); // what NCCL's tuner picks at 64 MiB
  });

  it('refuses a protocol it does not know with the CLI\u2019s line, and says in the form\u2019s words when an algorithm has none', async () => {
    expect(() => parseScenario({ config: { proto: 'fast' } })).toThrow("config.proto (--proto): 'fast' is not accepted; use LL, LL128, Simple or auto");
    const { config } = parseScenario({ config: { proto: 'LL', algorithms: ['rhd'], sizesBytes: [1024], focusBytes: 1024 } });
    const message = await inPageWords(() => runLab(config), 'run').then(() => 'ran', (e: Error) => e.message);
    expect(message).toBe("proto LL: 'rhd' is a textbook algorithm without NCCL protocols; a protocol applies to NCCL's algorithms (ring, tree, nvls, nvlstree): pick proto auto in the form, or untick the others (config.proto, config.algorithms in a scenario).");
  });
});
