import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { COL, expectUsageError, tableRows, weft } from './run-weft.js';

/** The finished module of docs/writing-an-algorithm.md: the ```js block that starts `// my-ring.mjs`. */
const DOC = fileURLToPath(new URL('../../docs/writing-an-algorithm.md', import.meta.url));
function docExample(): string {
  const blocks = [...readFileSync(DOC, 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const example = blocks.find((block) => block.startsWith('// my-ring.mjs'));
  if (example === undefined) throw new Error(`${DOC} has no \`\`\`js block starting with // my-ring.mjs`);
  return example;
}

// A directory outside the repository: `@weft/collectives` must resolve from anywhere.
const dir = mkdtempSync(join(tmpdir(), 'weft-user-algo-'));
const file = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return `./${name}`;
};

describe('the example of docs/writing-an-algorithm.md', () => {
  let example: string;
  beforeAll(() => {
    example = docExample();
    file('my-ring.mjs', example);
  });

  it('passes weft algos --check', () => {
    const run = weft(['algos', '--check', './my-ring.mjs'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\.\/my-ring\.mjs: allReduce\/my-ring is correct on all \d+ cases/);
  });

  it('runs in weft bench beside a built-in: #wrong 0, and the same simulated times and prediction as the built-in rank-order ring', () => {
    const run = weft(['bench', 'allreduce', '--ranks', '4', '--algo', 'ring-rankorder,./my-ring.mjs', '-b', '1K', '-e', '1M', '-f', '32', '--channels', '2', '--chunk', '64K'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('# weft bench allreduce');
    const rows = tableRows(run.stdout);
    const mine = rows.filter((r) => r[COL.algorithm] === 'my-ring');
    const ring = rows.filter((r) => r[COL.algorithm] === 'ring-rankorder');
    expect(mine).toHaveLength(3);
    expect(mine.map((r) => r[COL.wrong])).toEqual(['0', '0', '0']);
    // The example is the ring written out by hand: on one switch NCCL's ring takes the rank
    // order, so the same steps as ring-rankorder and, like it, hardware timing only (no NCCL
    // protocol: the built-in `ring` adds NCCL's launch and step latencies).
    const simulated = (r: string[]) => [r[COL.size], r[COL.time], r[COL.busbw], r[COL.predicted]];
    expect(mine.map(simulated)).toEqual(ring.map(simulated));
    expect(run.stdout).toMatch(/# Avg bus bandwidth\s+: \d+\.\d{4}/);
  });

  it('with one send dropped: one line naming the smallest failing rank count and the checker error, exit 2 (algos --check and bench)', () => {
    const broken = example.replace(/^\s*b\.send\(r, c, next, block\(r - 1\)\);\n/m, '');
    expect(broken).not.toBe(example);
    file('broken.mjs', broken);
    const message = /^weft: --(check|algo): '\.\/broken\.mjs': allReduce\/my-ring is wrong on 2 ranks \(count 1, channels 1, chunk 0\): deadlock: .*stuck/;
    expectUsageError(weft(['algos', '--check', './broken.mjs'], { cwd: dir }), message);
    expectUsageError(weft(['bench', 'allreduce', '--ranks', '2', '--algo', './broken.mjs'], { cwd: dir }), message);
  });
});

describe('user modules that are not algorithms: one line, exit 2', () => {
  const cases: [string, string, RegExp][] = [
    ['exports nothing useful', 'export const x = 1;\n', /'\.\/m\.mjs' has no algorithm \(it exports x\); export default \{ name, collective,/],
    ['exports nothing at all', '\n', /has no algorithm \(it exports nothing\)/],
    ['lacks fields', "export default { name: 'half', collective: 'allReduce', description: 'd' };\n", /its algorithm lacks constraints, unsupported, plan, predictNs/],
    ['names no collective weft knows', "export default { name: 'x', collective: 'allSum', description: '', constraints: '', unsupported() { return null; }, plan() {}, predictNs() { return 0; } };\n", /collective must be one of allReduce/],
    ['does not parse', 'export default {\n', /cannot load '\.\/m\.mjs': /],
    ['imports a missing package', "import 'no-such-package-anywhere';\nexport default {};\n", /cannot load '\.\/m\.mjs': .*no-such-package-anywhere/],
    ['plans the wrong collective', "import { invalidParams } from '@weft/collectives';\nexport default { name: 'x', collective: 'allGather', description: '', constraints: '', unsupported: invalidParams, plan() { throw new Error('boom'); }, predictNs() { return 0; } };\n", /allGather\/x is wrong on 1 rank \(count 0, channels 1, chunk 0\): plan\(\) threw: boom/],
  ];
  for (const [name, text, message] of cases) {
    it(name, () => {
      file('m.mjs', text);
      expectUsageError(weft(['algos', '--check', './m.mjs'], { cwd: dir }), message);
    });
  }
  it('a missing file', () => {
    expectUsageError(weft(['bench', 'allreduce', '--algo', './nope.mjs'], { cwd: dir }), /^weft: --algo: cannot load '\.\/nope\.mjs': no such file$/);
  });
  it('an algorithm of another collective', () => {
    file('my-ring.mjs', docExample());
    expectUsageError(weft(['bench', 'allgather', '--algo', './my-ring.mjs'], { cwd: dir }), /^weft: --algo: '\.\/my-ring\.mjs' is for allReduce, not allGather$/);
  });
});
