/**
 * A new user's third walk (benchmarks/results/hostile.md, "A new user's third walk"): each
 * defect it found, run on the bundle as a user runs it. Every test here failed on the bundle
 * before the fix it names.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectUsageError, weft } from './run-weft.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-usertest3-'));
const at = (name: string): string => join(dir, name);

/** docs/writing-an-algorithm.md's finished ring, the module every user starts from. */
function docRing(): string {
  const doc = readFileSync(fileURLToPath(new URL('../../docs/writing-an-algorithm.md', import.meta.url)), 'utf8');
  return [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).find((block) => block.startsWith('// my-ring.mjs'))!;
}

beforeAll(() => {
  const ring = docRing();
  writeFileSync(at('my-ring.mjs'), ring);
  writeFileSync(at('my-ring-copy.mjs'), ring);
  writeFileSync(at('named-ring.mjs'), ring.replace("name: 'my-ring'", "name: 'ring'"));
  expect(readFileSync(at('named-ring.mjs'), 'utf8')).toContain("name: 'ring'");
});

describe('--plot', () => {
  it('leaves rows of 0 bytes out of the log size axis and says so (every point was drawn at x = 0)', () => {
    const svg = at('allgather.svg');
    const run = weft(['bench', 'allgather', '--topology', 'dgx-h100:nodes=2', '--mode', 'ghost', '-b', '8', '-e', '1M', '--plot', svg]);
    expect(run.code).toBe(0);
    const text = readFileSync(svg, 'utf8');
    expect(text).toMatch(/\d+ rows of 0 bytes left out/);
    // The line's points spread over the axis: no two consecutive points share x = 0.
    const path = /d="M([\d.]+),[\d.]+L([\d.]+),/.exec(text);
    expect(path).not.toBeNull();
    expect(Number(path![2])).toBeGreaterThan(Number(path![1]));
  });

  it('is refused for barrier, which has no size to draw against, and writes nothing', () => {
    const svg = at('barrier.svg');
    expectUsageError(weft(['bench', 'barrier', '--ranks', '4', '--plot', svg]), /^weft: --plot: barrier moves no bytes/);
    expect(existsSync(svg)).toBe(false);
  });
});

describe('weft topo --json', () => {
  it('lists every link by the id --fault takes (the fault error pointed there, but no id was in it)', () => {
    const run = weft(['topo', 'leafspine:hosts=4,leaves=2,spines=1', '--json']);
    expect(run.code).toBe(0);
    const { links, linkCount } = JSON.parse(run.stdout) as { links: { id: string; from: string; to: string; bandwidthBytesPerSec: number; latencyNs: number }[]; linkCount: number };
    expect(links).toHaveLength(linkCount);
    const uplink = links.find((l) => l.from === 'leaf0' && l.to === 'spine0')!;
    expect(uplink.bandwidthBytesPerSec).toBeGreaterThan(0);
    const faulted = weft(['bench', 'allreduce', '--topology', 'leafspine:hosts=4,leaves=2,spines=1', '--mode', 'ghost', '-b', '1M', '-e', '1M', '--fault', `link=${uplink.id},degrade=0.5@0us`]);
    expect(faulted.code).toBe(0);
  });

  it('names its argument in a file error (it said --topology, a flag topo does not have)', () => {
    const folder = at('folder.yaml');
    mkdirSync(folder);
    expectUsageError(weft(['topo', folder]), /^weft: <spec\|file>: cannot read '.*folder\.yaml': it is a directory$/);
  });
});

describe('user modules named like something else', () => {
  it('algos --check refuses a module named like a built-in, as bench --algo does (it said "correct")', () => {
    expectUsageError(weft(['algos', '--check', './named-ring.mjs'], { cwd: dir }), /^weft: --check: '\.\/named-ring\.mjs' is named 'ring', like a built-in; give it a name of its own$/);
  });

  it('bench refuses two modules of one name (the second one\'s rows vanished)', () => {
    const run = weft(['bench', 'allreduce', '--ranks', '4', '-e', '1K', '--mode', 'ghost', '--algo', './my-ring.mjs,./my-ring-copy.mjs'], { cwd: dir });
    expectUsageError(run, /^weft: --algo: '\.\/my-ring-copy\.mjs' is named 'my-ring', as '\.\/my-ring\.mjs' is; give each module a name of its own$/);
    // The same file twice is one algorithm, as before.
    expect(weft(['bench', 'allreduce', '--ranks', '4', '-e', '1K', '--mode', 'ghost', '--algo', './my-ring.mjs,./my-ring.mjs'], { cwd: dir }).code).toBe(0);
  });
});

describe('--compare', () => {
  const args = ['bench', 'allreduce', '-e', '16', '--mode', 'ghost', '--compare', 'ranks=2,4'];

  it('CSV and JSON say what ran under each value (auto picks ring on 2 ranks, tree on 4: the 4-rank busbw was filed under ring)', () => {
    const csv = weft([...args, '--format', 'csv']);
    expect(csv.code).toBe(0);
    const [head, first] = csv.stdout.trimEnd().split('\n');
    expect(head).toBe('bytes,algorithm,ranks=2,ranks=4,algorithm ranks=2,algorithm ranks=4');
    expect(first!.split(',').slice(-2)).toEqual(['auto(ring)', 'auto(tree)']);
    const json = weft([...args, '--format', 'json']);
    expect(JSON.parse(json.stdout).rows[0].algorithms).toEqual({ 2: 'auto(ring)', 4: 'auto(tree)' });
  });

  it('refuses the compared flag typed beside it (it was silently dropped)', () => {
    expectUsageError(weft([...args, '--ranks', '4']), /^weft: --compare ranks=2,4: sets --ranks per value; drop the --ranks given beside it$/);
  });
});

describe('weft train', () => {
  it('states the largest gradient bucket (it said "of <= 25 MiB" of 159 MiB buckets: one layer alone is over the cap)', () => {
    const run = weft(['train', '--model', 'synthetic:params=1e9', '--topology', 'dgx-h100:nodes=1', '--mode', 'ghost', '--steps', '1']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/24 gradient bucket\(s\) \(largest 158\.\d\d MiB, cap 25\.00 MiB\)/);
  });

  it("defaults on DGX H100 servers run NCCL's pick, NVLSTree, with its switch agents (it ended in 'nvlstree needs in-network agents')", () => {
    const run = weft(['train', '--model', 'synthetic:params=1e8', '--topology', 'dgx-h100:nodes=2', '--mode', 'ghost', '--steps', '1']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^# all-reduce auto \(NCCL's choice\): nvlstree\/Simple \d+ ch /m);
    expect(run.stdout).not.toContain('in place of');
    // Asked for by name it runs too (it was refused while rank programs could not drive agents).
    const named = weft(['train', '--model', 'synthetic:params=1e8', '--topology', 'dgx-h100:nodes=2', '--mode', 'ghost', '--steps', '1', '--algo', 'nvlstree']);
    expect(named.code).toBe(0);
    expect(named.stdout).toMatch(/^# all-reduce nvlstree\/Simple /m);
  });

  it('one rank: no negative exposed communication, efficiency exactly 1 (-0.0 ns and 1.0000000000000002 from rounding)', () => {
    const out = at('one.json');
    const run = weft(['train', '--ranks', '1', '--steps', '2', '--mode', 'ghost', '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('-0.0');
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.stepTime.exposedCommNs).toBe(0);
    expect(report.stepTime.scalingEfficiency).toBe(1);
    for (const step of report.perStep) expect(step.exposedCommNs).toBe(0);
  });

  it('a layer count that is not one suggests layer counts (it suggested 1e9, 125M or 1B)', () => {
    expectUsageError(weft(['train', '--model', 'synthetic:params=1e6,layers=0', '--mode', 'ghost', '--ranks', '2']), /^weft: --model layers: '0' is not a count; use a whole number such as 12, 24 or 96$/);
  });
});

describe('flags that did nothing, or took what followed', () => {
  it('algos --timeout without --check is refused (it bounded nothing)', () => {
    expectUsageError(weft(['algos', '--timeout', '5']), /^weft: --timeout: bounds the calls --check makes into a module/);
  });

  it('--links before the collective: the error says --links took it as its count', () => {
    expectUsageError(weft(['bench', '--ranks', '2', '-e', '16', '--links', 'allreduce']), /^weft: missing required argument 'collective' \('allreduce' right after --links was read as its count/);
  });

  it('--scenario of an unknown file type names the flag', () => {
    writeFileSync(at('faults.txt'), 'links: []\n');
    expectUsageError(weft(['bench', 'allreduce', '--ranks', '2', '--scenario', at('faults.txt')]), /^weft: --scenario .*faults\.txt: unknown file type; accepted extensions: \.json, \.yaml, \.yml$/);
  });

  it('weft --help says what weft alone runs', () => {
    const run = weft(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/With no command, weft runs the main job: weft bench allreduce --topology dgx-h100:nodes=2 --algo auto -b 8 -e 128M/);
  });
});

describe('in-network algorithms refused where they cannot run point to what can (a fourth walk)', () => {
  it('nvls across servers names nvlstree (it said the topology had no reduction switch: it has one per server)', () => {
    expectUsageError(
      weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=2', '--algo', 'nvls', '--mode', 'ghost']),
      /^weft: --algo: 'nvls' cannot run allreduce here: .*this topology has one per server, 2 servers: use nvlstree$/,
    );
  });

  it('nvlstree on one server without NVLS does not send the user to nvls (refused there too)', () => {
    expectUsageError(
      weft(['bench', 'allreduce', '--topology', 'hgx-a100:nodes=1', '--algo', 'nvlstree', '--mode', 'ghost']),
      /^weft: --algo: 'nvlstree' cannot run allreduce here: needs 2 or more servers, each with a reduction-capable NVSwitch \(NVLink SHARP\); this topology has one server$/,
    );
  });
});

describe('weft train --scale with a named algorithm that fits only some counts (a fourth walk)', () => {
  it('is refused before any row runs (it printed the 8-GPU row, then failed at 64)', () => {
    const run = weft(['train', '--model', 'synthetic:params=1e8', '--scale', '8,64', '--algo', 'nvls']);
    expectUsageError(run, /^weft: --algo nvls cannot run on dgx-h100:nodes=8 \(64 ranks\): .*use nvlstree$/);
    expect(run.stdout).toBe('');
  });
});

describe("weft train's protocol (a fourth walk)", () => {
  const args = ['train', '--topology', 'dgx-h100:nodes=1', '--model', 'mlp', '--steps', '2', '--mode', 'ghost'];
  const step = (out: string) => out.match(/^# emulated step: .*$/m)![0];

  it("a named algorithm runs NCCL's protocol per bucket, as weft bench --algo does (ring ran Simple always: 58 µs where ring/LL takes 23 µs)", () => {
    const named = weft([...args, '--algo', 'ring']);
    const auto = weft(args);
    expect(named.code).toBe(0);
    expect(named.stdout).toMatch(/^# all-reduce ring\/LL /m);
    expect(auto.stdout).toMatch(/^# all-reduce auto \(NCCL's choice\): ring\/LL /m);
    expect(step(named.stdout)).toBe(step(auto.stdout));
  });

  it('--proto pins it, like NCCL_PROTO, and is refused for a textbook algorithm', () => {
    const simple = weft([...args, '--algo', 'ring', '--proto', 'Simple']);
    expect(simple.code).toBe(0);
    expect(simple.stdout).toMatch(/^# all-reduce ring\/Simple /m);
    expect(step(simple.stdout)).not.toBe(step(weft([...args, '--algo', 'ring']).stdout));
    expectUsageError(weft([...args, '--algo', 'hierarchical', '--proto', 'LL']), /^weft: --proto LL: 'hierarchical' is a textbook algorithm without NCCL protocols/);
    expectUsageError(weft([...args, '--proto', 'LL256']), /^weft: --proto: 'LL256'/);
  });
});

describe('a scenario file writes a straggler as the flag does (a fourth walk)', () => {
  it("takes slow: 2x as --straggler 'rank=3,slow=2x' does (it took only a bare 2), and names a wrong value", () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-scenario-'));
    const file = join(dir, 'slow.yaml');
    const args = ['train', '--model', 'mlp', '--ranks', '4', '--mode', 'ghost', '--steps', '1'];
    writeFileSync(file, 'stragglers:\n  - {rank: 3, slow: 2x}\n');
    const fromFile = weft([...args, '--scenario', file]);
    const fromFlag = weft([...args, '--straggler', 'rank=3,slow=2x']);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toMatch(/^# outcome: slower /m);
    expect(fromFile.stdout.match(/^# Faults:[^]*$/m)![0]).toBe(fromFlag.stdout.match(/^# Faults:[^]*$/m)![0]);
    writeFileSync(file, 'stragglers:\n  - {rank: 3, slow: fast}\n');
    expectUsageError(weft([...args, '--scenario', file]), /^weft: --scenario .*slow\.yaml: stragglers\[0\]\.slow: use a factor > 1 and <= 1000/);
  });
});

describe('--backend where no TensorFlow.js runs (a fourth walk)', () => {
  it('is refused in ghost mode and with --scale, as --ranks-per-worker is (it was accepted and ignored)', () => {
    expectUsageError(weft(['train', '--model', 'mlp', '--ranks', '2', '--steps', '1', '--mode', 'ghost', '--backend', 'wasm']), /^weft: --backend: data mode only; ghost mode runs no TensorFlow\.js$/);
    expectUsageError(weft(['train', '--model', 'mlp', '--scale', '8', '--backend', 'cpu']), /^weft: --backend: not with --scale; the table runs no TensorFlow\.js/);
  });
});

describe("ghost mode's header on an MNIST model (a fourth walk)", () => {
  it('does not state the run as the epoch length (it said "300 steps/epoch"; data mode says 140)', () => {
    const ghost = weft(['train', '--model', 'mlp', '--topology', 'dgx-h100:nodes=1', '--mode', 'ghost', '--steps', '300']);
    expect(ghost.code).toBe(0);
    expect(ghost.stdout).toMatch(/, 300 steps, timed as one epoch \(ghost mode reads no data\), /);
    expect(ghost.stdout).not.toContain('steps/epoch');
  });
});
