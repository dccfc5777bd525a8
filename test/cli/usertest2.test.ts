/**
 * A new user's second walk (benchmarks/results/hostile.md, "A new user's second walk"): each
 * defect it found, run on the bundle as a user runs it. Every test here failed on the bundle
 * before the fix it names.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { COL, expectUsageError, tableRows, weft } from './run-weft.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-usertest2-'));
const at = (name: string): string => join(dir, name);
const file = (name: string, text: string): string => {
  writeFileSync(at(name), text);
  return `./${name}`;
};

/** docs/writing-an-algorithm.md's finished ring, the module every user starts from. */
function docRing(): string {
  const doc = readFileSync(fileURLToPath(new URL('../../docs/writing-an-algorithm.md', import.meta.url)), 'utf8');
  return [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).find((block) => block.startsWith('// my-ring.mjs'))!;
}

beforeAll(() => {
  file('my-ring.mjs', docRing());
});

/** A module built on the doc's ring: `extra` is its top level, `fields` override the algorithm's. */
const ringVariant = (name: string, extra: string, fields: string): string =>
  file(name, `import base from './my-ring.mjs';\n${extra}\nexport default { ...base, ${fields} };\n`);

describe('a user algorithm whose results are wrong', () => {
  it('data mode: the table and --out are written, then one line and exit 1, as nccl-tests exits on # Out of bounds values FAILED', () => {
    // Right wherever the checks look (counts up to 1000, and a run's ranks × 2 + 1), wrong from 10,000
    // elements on: the all-gather phase adds where it should copy.
    const ring = docRing();
    const wrong = ring.replace(
      'for (let s = 1; s < n - 1; s++) b.recvCopySend(r, c, prev, next, block(r - s));',
      'for (let s = 1; s < n - 1; s++) (count >= 10000 ? b.recvReduceCopySend.bind(b) : b.recvCopySend.bind(b))(r, c, prev, next, block(r - s));',
    );
    expect(wrong).not.toBe(ring);
    file('wrong-when-large.mjs', wrong);
    const run = weft(['bench', 'allreduce', '--ranks', '4', '--algo', './wrong-when-large.mjs', '-b', '64K', '-e', '64K', '--out', 'wrong.json'], { cwd: dir });
    expect(run.stderr).toMatch(/^weft: [\d,]+ wrong element\(s\) \(#wrong\) in 1 of 1 row\(s\), first my-ring at 65536 B: the results are not the collective's/);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('# Out of bounds values : ');
    expect(Number(tableRows(run.stdout)[0]![COL.wrong])).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(at('wrong.json'), 'utf8')).rows[0].wrong).toBeGreaterThan(0);
  });

  it("wrong only above the check matrix's 16 ranks: proved at the run's own rank count first, ghost mode too (before: ghost mode printed its time)", () => {
    const ring = docRing();
    const wrong = ring.replace(
      'for (let s = 1; s < n - 1; s++) b.recvCopySend(r, c, prev, next, block(r - s));',
      'for (let s = 1; s < n - 1; s++) (n > 16 ? b.recvReduceCopySend.bind(b) : b.recvCopySend.bind(b))(r, c, prev, next, block(r - s));',
    );
    file('wrong-above-16.mjs', wrong);
    expect(weft(['algos', '--check', './wrong-above-16.mjs'], { cwd: dir }).code).toBe(0);
    for (const mode of ['ghost', 'data']) {
      const run = weft(['bench', 'allreduce', '--ranks', '32', '--mode', mode, '--algo', './wrong-above-16.mjs', '-b', '1K', '-e', '1K'], { cwd: dir });
      expectUsageError(run, /^weft: --algo: '\.\/wrong-above-16\.mjs': allReduce\/my-ring is wrong on 32 ranks \(count 32, channels 1, chunk 0\): rank \d+ output\[/);
    }
  });

  it('a right one still exits 0', () => {
    const run = weft(['bench', 'allreduce', '--ranks', '4', '--algo', './my-ring.mjs', '-b', '1K', '-e', '1K'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});

describe("a user module whose thread ends between two calls (an error no one catches, in a timer or a promise)", () => {
  // Before: the next call waited for a reply from a thread that was gone, until --timeout (300 s).
  it.each([
    ['timer.mjs', "setTimeout(() => { throw new Error('late boom'); }, 10);", 'late boom'],
    ['rejection.mjs', "Promise.reject(new Error('rejected boom'));", 'rejected boom'],
  ])('%s: one line naming the uncaught error, exit 2, long before --timeout', (name, extra, thrown) => {
    ringVariant(name, extra, "name: 'dies'");
    const started = Date.now();
    const run = weft(['bench', 'allreduce', '--ranks', '4', '--mode', 'ghost', '--algo', `./${name}`, '-b', '1K', '-e', '1K', '--timeout', '100'], { cwd: dir, timeoutMs: 90_000 });
    expectUsageError(run, new RegExp(`^weft: --algo: '\\./${name.replace('.', '\\.')}': allReduce/dies is wrong on \\d+ ranks? .*threw: (its thread had ended before the call|ended its thread) \\(exit code 1: uncaught ${thrown}\\)`));
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});

describe('--algo and --check given something that is not a module file', () => {
  beforeAll(() => {
    mkdirSync(at('algo-dir.mjs'));
    execFileSync('mkfifo', [at('algo-fifo.mjs')]);
  });

  it.each([
    [['bench', 'allreduce', '--ranks', '4', '--algo', './algo-dir.mjs'], /^weft: --algo: cannot load '\.\/algo-dir\.mjs': it is a directory$/],
    [['algos', '--check', '.'], /^weft: --check: cannot load '\.': it is a directory$/],
    // Before: Node's import waited on the FIFO for a writer until --timeout.
    [['bench', 'allreduce', '--ranks', '4', '--algo', './algo-fifo.mjs', '--timeout', '100'], /^weft: --algo: cannot load '\.\/algo-fifo\.mjs': not a regular file \(a FIFO, socket or device\); give the module file \(\.mjs\)$/],
  ])('%j: one line, no Node internals (before: "Directory import … imported from …/bundle/sandbox-worker.js")', (args, message) => {
    const run = weft(args, { cwd: dir, timeoutMs: 60_000 });
    expectUsageError(run, message);
    expect(run.stderr).not.toContain('sandbox-worker');
  });
});

describe('an output in a directory that refuses new files though access() allows it', () => {
  // /proc (any user: EACCES or ENOENT); as root, access() passed and the write failed after the run with a stack.
  it.runIf(existsSync('/proc/self'))('--out /proc/weft.json, --dot, train --plot: refused before the run, one line, exit 2', () => {
    for (const args of [
      ['bench', 'allreduce', '--ranks', '2', '--mode', 'ghost', '-b', '8', '-e', '8', '--out', '/proc/weft.json'],
      ['topo', 'switch:2', '--dot', '/proc/weft.dot'],
      ['train', '--ranks', '2', '--steps', '1', '--mode', 'ghost', '--plot', '/proc/weft.svg'],
    ]) {
      expectUsageError(weft(args), /^weft: --(out|dot|plot): cannot write '\/proc\/weft\.(json|dot|svg)': /);
    }
  });
});

describe('weft topo --json --channels', () => {
  it('is one JSON document: the summary with a channels field (before: JSON, then NCCL_DEBUG text lines)', () => {
    const run = weft(['topo', 'dgx-h100:nodes=2', '--json', '--channels']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const topo = JSON.parse(run.stdout);
    expect(topo.rankCount).toBe(16);
    expect(topo.channels.count).toBe(16);
    expect(topo.channels.rings).toHaveLength(16);
    expect([...topo.channels.rings[0]].sort((a: number, b: number) => a - b)).toEqual(Array.from({ length: 16 }, (_, r) => r));
    expect(topo.channels.trees[0].parent.filter((p: number) => p === -1)).toHaveLength(1);
    expect(topo.channels.graphs.ring.nChannels).toBeGreaterThan(0);
    // The text form is unchanged: NCCL's log lines after the summary.
    expect(weft(['topo', 'dgx-h100:nodes=2', '--channels']).stdout).toMatch(/\nPattern 4 \(ring\), nChannels \d+, [\s\S]*\nChannel 00\/16 : /);
  });
});

describe('columns that hold algorithm names fit a long one', () => {
  const long = 'my-ring-with-a-rather-long-name';
  beforeAll(() => {
    file('long-name.mjs', docRing().replaceAll("'my-ring'", `'${long}'`));
  });

  it('the footer, --explain and the # Faults table line up their columns', () => {
    const run = weft(
      ['bench', 'allreduce', '--ranks', '4', '--mode', 'ghost', '--algo', `ring,./long-name.mjs`, '-b', '1K', '-e', '1K', '--explain', '--fault', 'link=gpu0->switch0,degrade=0.5@0us'],
      { cwd: dir },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    // The footer: every ':' in one column.
    const footer = lines.filter((l) => /^# {3}\S+ +: \d/.test(l));
    expect(footer).toHaveLength(2);
    expect(new Set(footer.map((l) => l.indexOf(':'))).size).toBe(1);
    // --explain: each value under its title, no trailing blanks.
    const mine = lines.findIndex((l) => l.startsWith(`#   ${long} `) && l.includes('<- chosen'));
    const [title, candidate] = [lines[mine - 1]!, lines[mine]!];
    expect(title).toMatch(/^# {3}algorithm +proto +predicted\(us\)/);
    // (before: the name ran 15 characters into the proto and time columns)
    expect(candidate.indexOf(' - ')).toBe(title.indexOf('proto') - 1);
    expect(candidate).toBe(candidate.trimEnd());
    expect(lines.filter((l) => /^# {3}ring +LL128/.test(l)).every((l) => l === l.trimEnd())).toBe(true);
    // # Faults: the size, no-fault and fault values end where their titles end (before: 3 columns to the right).
    const faults = lines.slice(lines.findIndex((l) => l.startsWith('# Faults:')) + 1).filter((l) => l.startsWith('#  '));
    const [head, ...rows] = faults;
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      for (const [titleText, value] of [['size', '1024'], ['no-fault(us)', null], ['fault(us)', null]] as const) {
        const end = head!.indexOf(titleText) + titleText.length;
        expect(row[end - 1], `${titleText} column of ${row}`).toMatch(/\d/);
        expect(row[end], `${titleText} column of ${row}`).toBe(' ');
        if (value !== null) expect(row.slice(end - value.length, end)).toBe(value);
      }
    }
  });
});

describe('--compare of a flag that takes no value', () => {
  it('confidential=off,on runs both (before: zod\'s "Invalid input: expected boolean, received string")', () => {
    const run = weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=2', '--mode', 'ghost', '-b', '1M', '-e', '1M', '--compare', 'confidential=off,on', '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const compare = JSON.parse(run.stdout);
    expect(compare.runs.map((r: { confidential?: boolean }) => r.confidential === true)).toEqual([false, true]);
  });

  it.each([
    ['confidential=1,0', /^weft: --compare: 'confidential=1,0' has '1' for --confidential, which takes no value; compare it as confidential=off,on$/],
    ['energy=on,off', /^weft: --compare: 'energy=on,off' names no flag --compare can vary; use one of .*\bconfidential\b/],
  ])('%s: one line saying what is accepted', (spec, message) => {
    expectUsageError(weft(['bench', 'allreduce', '--ranks', '2', '--mode', 'ghost', '-b', '8', '-e', '8', '--compare', spec]), message);
  });
});

describe('fault flags and scenario files name what the user wrote', () => {
  it.each([
    // before: "--fault links[0].down: …", the scenario file's shape, for a flag
    // (since robustmsgs: a negative time is said to be negative, hostile.md §18)
    [['--fault', 'link=gpu0->switch0,down@-5us'], /^weft: --fault 'link=gpu0->switch0,down@-5us': down: "-5us" is negative; /],
    [['--straggler', 'rank=1,delay=soon'], /^weft: --straggler 'rank=1,delay=soon': delay: cannot read "soon"; /],
    // before: "--scenario f.yaml:: Unrecognized key"
    [['--scenario', 'unknown-key.yaml'], /^weft: --scenario unknown-key\.yaml: Unrecognized key: "foo"; keys: links /],
  ])('%j', (flags, message) => {
    writeFileSync(at('unknown-key.yaml'), 'foo: 1\n');
    expectUsageError(weft(['bench', 'allreduce', '--ranks', '2', '--mode', 'ghost', '-b', '8', '-e', '8', ...flags], { cwd: dir }), message);
  });

  it('a flag after a scenario file is still named by its own text', () => {
    writeFileSync(at('one-link.yaml'), 'links:\n  - { link: "gpu0->switch0", down: 5us }\n');
    const run = weft(['bench', 'allreduce', '--ranks', '2', '--mode', 'ghost', '-b', '8', '-e', '8', '--scenario', 'one-link.yaml', '--fault', 'link=gpu1->switch0,degrade=7@0'], { cwd: dir });
    expectUsageError(run, /^weft: --fault 'link=gpu1->switch0,degrade=7@0': degrade: use a factor between 0 and 1/);
  });
});

describe('weft lab --export', () => {
  it.each([
    [['--export', ''], /^weft: --export: the directory name is empty; name a new or empty directory$/],
    [['--export', 'my-ring.mjs'], /^weft: --export: 'my-ring\.mjs' is a file; name a new or empty directory$/],
    [['--open', '--export', 'site'], /^weft: --open: not with --export/],
  ])('%j: one line (before: "\'\' exists and is not an empty directory", or --open ignored)', (args, message) => {
    expectUsageError(weft(['lab', ...args], { cwd: dir }), message);
    expect(existsSync(at('site'))).toBe(false);
  });

  it.runIf(existsSync('/proc/self'))('into a directory that refuses new entries: one line, exit 2 (before: a cpSync stack, exit 1)', () => {
    expectUsageError(weft(['lab', '--export', '/proc/weft-site']), /^weft: --export: cannot write '\/proc\/weft-site': /);
  });
});

describe('weft train --ranks-per-worker where no worker threads run', () => {
  // before: accepted and ignored (weft bench refuses it in ghost mode since the first walk)
  it.each([
    [['--mode', 'ghost'], /^weft: --ranks-per-worker: data mode only; ghost mode starts no worker threads$/],
    [['--mode', 'predict'], /^weft: --ranks-per-worker: data mode only; predict mode starts no worker threads$/],
  ])('%j: one line', (mode, message) => {
    expectUsageError(weft(['train', '--ranks', '2', '--steps', '1', ...mode, '--ranks-per-worker', '2']), message);
  });

  it('--scale: one line', () => {
    expectUsageError(weft(['train', '--scale', '8', '--ranks-per-worker', '2']), /^weft: --ranks-per-worker: not with --scale; the table runs no worker threads/);
  });
});

describe("weft bench --plot - (the help: \"'-': on stdout, alone\")", () => {
  it('writes the SVG alone on stdout (before: "--plot: \'-\' must end in .svg")', () => {
    const run = weft(['bench', 'allreduce', '--ranks', '2', '--mode', 'ghost', '-b', '8', '-e', '64', '--plot', '-']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^<svg [^>]*>[\s\S]*<\/svg>\n?$/);
  });
});

describe('faults with outputs that cannot hold their outcomes', () => {
  const faulted = ['bench', 'allreduce', '--ranks', '2', '--mode', 'ghost', '-b', '8', '-e', '8', '--fault', 'link=gpu0->switch0,down@0us'];
  // before: a CSV header and nothing else (every run failed), or a busbw table with no row, exit 0
  it.each([
    [['--format', 'csv'], /^weft: --format csv: not with faults; the fault outcomes .* have no CSV form; use --format table or json$/],
    [['--out', 'faults.csv'], /^weft: --out: 'faults\.csv' asks for CSV; the fault outcomes .* have no CSV form; write \.json or a table$/],
    [['--compare', 'routing=ecmp,adaptive'], /^weft: --compare: not with --fault\/--straggler\/--crash\/--scenario; /],
  ])('%j: one line', (flags, message) => {
    expectUsageError(weft([...faulted, ...flags], { cwd: dir }), message);
    expect(existsSync(at('faults.csv'))).toBe(false);
  });

  it('JSON still carries them', () => {
    const run = weft([...faulted, '--format', 'json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).faults.outcomes[0].outcome).toBe('failed');
  });
});

describe('CSV carries the rank classes fields (docs/bench-json.md: every row field but links and candidates)', () => {
  it('a 256-GPU ghost run: simulatedRanks and noClassesReason columns, as in its JSON (before: absent)', () => {
    const args = ['bench', 'allreduce', '--topology', 'dgx-h100:nodes=32', '--mode', 'ghost', '-b', '64K', '-e', '64K', '--algo', 'ring,tree'];
    const csv = weft([...args, '--format', 'csv']);
    const json = weft([...args, '--format', 'json']);
    expect(csv.code).toBe(0);
    const [header, ...records] = csv.stdout.trimEnd().split('\n');
    const columns = header!.split(',');
    expect(columns.slice(-2)).toEqual(['simulatedRanks', 'noClassesReason']);
    const rows = JSON.parse(json.stdout).rows as { simulatedRanks?: number; noClassesReason?: string }[];
    records.forEach((record, i) => {
      const cells = record.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '').replaceAll('""', '"'));
      expect(cells[columns.indexOf('simulatedRanks')]).toBe(rows[i]!.simulatedRanks === undefined ? '' : String(rows[i]!.simulatedRanks));
      expect(cells[columns.indexOf('noClassesReason')]).toBe(rows[i]!.noClassesReason ?? '');
    });
    expect(rows.some((row) => row.simulatedRanks !== undefined) || rows.some((row) => row.noClassesReason !== undefined)).toBe(true);
  });

  it('a small run keeps its columns', () => {
    const run = weft(['bench', 'allreduce', '--ranks', '2', '--mode', 'ghost', '-b', '8', '-e', '8', '--format', 'csv']);
    expect(run.stdout.split('\n')[0]).toBe('algorithm,bytes,count,dtype,redop,root,timeUs,algBwGBps,busBwGBps,wrong,predictedUs,protocol,channels,chunkBytes,wallMs,events');
  });
});

describe('small wording', () => {
  it("-e beyond 2^53 B says the limit (before: \"'…' is too large\" and nothing more)", () => {
    expectUsageError(weft(['bench', 'allreduce', '--ranks', '2', '-e', '99999999999999999999']), /^weft: -e\/--maxbytes: '99999999999999999999' is too large; at most 9007199254740991 bytes/);
  });

  it('train --scale: "1 gradient bucket" (before: "1 gradient buckets"), "N buckets" for more', () => {
    expect(weft(['train', '--scale', '8']).stdout).toMatch(/; 1 gradient bucket \(/);
    expect(weft(['train', '--scale', '8', '--model', 'synthetic:params=1e8', '--mode', 'predict']).stdout).toMatch(/; \d+ gradient buckets \(/);
  });

  it('a user module that fails at 1 rank: "on 1 rank" (before: "on 1 ranks")', () => {
    ringVariant('throws-at-one.mjs', '', "name: 'throws', plan() { throw new Error('no'); }");
    expectUsageError(weft(['algos', '--check', './throws-at-one.mjs'], { cwd: dir }), /is wrong on 1 rank \(count 0, channels 1, chunk 0\): plan\(\) threw: no$/);
  });
});

describe("--tenant's requests defaults are the ones the help and README state", () => {
  it('bytes 4K (not -e), every 10us, 100 times (before: the help said "bytes to -e" for every job)', () => {
    const run = weft(['bench', 'allreduce', '--ranks', '4', '-e', '1K', '--tenant', 'job=requests,ranks=0-3', '--format', 'json']);
    expect(run.code).toBe(0);
    const [tenant] = JSON.parse(run.stdout).tenants;
    expect([tenant.bytes, tenant.everyNs, tenant.count]).toEqual([4096, 10_000, 100]);
    const help = weft(['bench', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('requests: one message of bytes (default 4K) per rank every TIME (default 10us), N times (default 100)');
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain('`bytes=SIZE` (default `-e`; for requests 4K)');
    expect(readme).toContain('default every 10us, 100 times');
  });
});
