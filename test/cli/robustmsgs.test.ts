/**
 * The one-line errors the second user walk left (benchmarks/results/hostile.md §17, "Found and
 * left"; fixed in §18), run on the bundle as a user runs weft. Each test failed on the bundle
 * before its fix: a deadlock printed a raw float and a line per waiting rank; a crashed training
 * run named channel 131072; a topology file's missing `kind` got zod's own text; `km=-1` was
 * "a positive integer >= 0"; a negative fault time was "a bare number"; an empty --scenario ran.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectUsageError, weft } from './run-weft.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-robustmsgs-'));
const file = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return `./${name}`;
};

/** docs/writing-an-algorithm.md's ring, renamed, with its first send changed by `send` (a replacement for `b.send(r, c, next, block(r - 1));`). */
function ringWithSend(name: string, send: string): string {
  const doc = readFileSync(new URL('../../docs/writing-an-algorithm.md', import.meta.url), 'utf8');
  const ring = [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).find((block) => block.startsWith('// my-ring.mjs'))!;
  const changed = ring.replace(/name: 'my-ring'/, `name: '${name}'`).replace('b.send(r, c, next, block(r - 1));', send);
  expect(changed).toContain(send);
  return file(`${name}.mjs`, changed);
}

/** A run failure: exit 1, nothing on stdout, one line on stderr (no stack), returned. */
function runFailureLine(args: readonly string[]): string {
  const run = weft(args, { cwd: dir });
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('a deadlock is one readable line', () => {
  // Above 64 ranks: the run-size check of user modules (to 64) proves nothing there, so the run itself deadlocks.
  it("one rank waiting: the time in µs, the rank and what it waits for", () => {
    const module = ringWithSend('drop-first', 'if (!(n > 64 && r === 0 && c === 0 && piece === loop[0])) b.send(r, c, next, block(r - 1));');
    // Blocks of equal size (72 × 4,096 floats): rank 1's receives then take the later messages whole and the run
    // deadlocks; with uneven blocks the next message is another size, which ghost mode refuses first, as data mode does.
    const line = runFailureLine(['bench', 'allreduce', '--ranks', '72', '--algo', module, '-b', '1179648', '-e', '1179648', '--mode', 'ghost']);
    // before: "weft: deadlock at 431584.1733223179 ns: …" and the rank on a second line
    expect(line).toMatch(/^weft: drop-first at 1179648 B: deadlock at \d{1,3}(,\d{3})*(\.\d{1,2})? µs: every participant is waiting and nothing is in flight; waiting: rank 1: recv from rank 0 on channel 0 \(message \d+\)$/);
  });

  it('uneven blocks: the dropped send makes the next message land in a slot of another size, which ghost mode refuses as data mode does (was: a time)', () => {
    const module = ringWithSend('drop-first', 'if (!(n > 64 && r === 0 && c === 0 && piece === loop[0])) b.send(r, c, next, block(r - 1));');
    const line = runFailureLine(['bench', 'allreduce', '--ranks', '72', '--algo', module, '-b', '1M', '-e', '1M', '--mode', 'ghost']);
    expect(line).toBe('weft: drop-first at 1048576 B: rank 1 failed: message of 14564 bytes received into a slice of 14560 bytes');
  });

  it('every rank waiting: the first three named, then how many more', () => {
    const module = ringWithSend('drop-all', 'if (!(n > 64 && piece === loop[0])) b.send(r, c, next, block(r - 1));');
    const line = runFailureLine(['bench', 'allreduce', '--ranks', '72', '--algo', module, '-b', '1M', '-e', '1M', '--mode', 'ghost']);
    // before: 73 lines, one per rank
    expect(line).toBe(
      'weft: drop-all at 1048576 B: deadlock at 0 µs: every participant is waiting and nothing is in flight; waiting: rank 0: recv from rank 71 on channel 0 (message 0); rank 1: recv from rank 0 on channel 0 (message 0); rank 2: recv from rank 1 on channel 0 (message 0); and 69 more waiting',
    );
  });
});

describe('a crash in training names the collective, not its internal channel number', () => {
  it("weft train --crash: 'collective channel 0', not 'channel 131072'", () => {
    const run = weft(['train', '--model', 'mlp', '--ranks', '2', '--steps', '2', '--mode', 'ghost', '--crash', 'rank=1@1us']);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toContain('131072');
    expect(run.stderr).toMatch(/^weft: rank 1 crashed at 1000 ns during step 1 of 2 \(injected fault\); .*e\.g\. rank 0: recv from rank 1 on collective channel 0 \(message 0\)$/m);
    expect(run.stdout).toMatch(/^# outcome: failed: RankCrashedError: .*on collective channel 0 \(message 0\)$/m);
  });
});

describe('topology files and preset parameters: one line saying what is accepted', () => {
  const twoGpus = (node1: string, extra = '') =>
    `nodes:\n  - { id: gpu0, kind: gpu }\n  - ${node1}\n  - { id: sw0, kind: switch }\nlinks:\n  - { from: gpu0, to: sw0, bandwidth: 400Gbps, latency: 1us }\n  - { from: gpu1, to: sw0, bandwidth: 400Gbps, latency: 1us }\n${extra}`;
  it.each([
    // before: "nodes[1].kind: Invalid input: expected string, received undefined"
    ['no-kind.yaml', twoGpus('{ id: gpu1 }'), /^weft: \.\/no-kind\.yaml: nodes\[1\]\.kind: missing for node "gpu1"; expected one of gpu, host, nic, nvswitch, switch, leaf, spine, core$/],
    // before: "computeCapability: Invalid input: expected number, received string"
    ['cc-words.yaml', twoGpus('{ id: gpu1, kind: gpu }', 'computeCapability: nine\n'), /^weft: \.\/cc-words\.yaml: computeCapability: cannot use "nine"; expected a number from 7\.0 to 12\.9, e\.g\. 9\.0 \(H100\)$/],
  ])('%s', (name, text, message) => {
    const path = file(name, text);
    expectUsageError(weft(['topo', path], { cwd: dir }), message);
    expectUsageError(weft(['bench', 'allreduce', '--topology', path, '--mode', 'ghost', '-e', '1K'], { cwd: dir }), message);
  });

  it.each([
    // before: "expected a positive integer >= 0"
    [['topo', 'spectrumx-multisite:km=-1'], /^weft: spectrumx-multisite: km: cannot use "-1"; expected an integer >= 0$/],
    // before: "… cannot read "-5us"; … (a bare number is ambiguous)"
    [['bench', 'allreduce', '--ranks', '2', '--mode', 'ghost', '--fault', 'link=gpu0->switch0,down@-5us'], /^weft: --fault 'link=gpu0->switch0,down@-5us': down: "-5us" is negative; a time must be >= 0, a number with ns, us, ms or s/],
    [['bench', 'allreduce', '--ranks', '2', '--mode', 'ghost', '--crash', 'rank=1@-1ms'], /^weft: --crash 'rank=1@-1ms': at: "-1ms" is negative; a time must be >= 0/],
    [['topo', 'switch:4,linkBw=-400Gbps'], /^weft: switch: linkBw: must be > 0, got "-400Gbps"; /],
  ])('%j', (args, message) => {
    const run = weft(args);
    expectUsageError(run, message);
    expect(run.stderr).not.toContain('bare number');
  });

  it("a file's bare bandwidth (B/s, as documented) shows as B/s in weft topo, with a line saying why", () => {
    const path = file('bare.yaml', twoGpus('{ id: gpu1, kind: gpu }').replaceAll('bandwidth: 400Gbps', 'bandwidth: 400'));
    const run = weft(['topo', path], { cwd: dir });
    expect(run.code).toBe(0);
    // before: "4e-7 GB/s (0.0000032 Gb/s)", no note
    expect(run.stdout).toContain('bandwidths   400 B/s (3.2 Kb/s) × 4 links\n             (below 1 MB/s, slower than any interconnect: in a topology file a bare number is B/s; write the unit, e.g. bandwidth: 400Gbps)\n');
    const preset = weft(['topo', 'switch:4']);
    expect(preset.stdout).toContain('bandwidths   49.02 GB/s (392.1 Gb/s) × 8 links');
    expect(preset.stdout).not.toContain('below 1 MB/s');
  });
});

describe('a --scenario file that names no fault is refused', () => {
  it.each([
    ['empty.yaml', ''],
    ['empty-lists.yaml', 'links: []\nstragglers: []\ncrashes: []\n'],
  ])('%s: bench and train, one line, exit 2 (before: a plain run, no word)', (name, text) => {
    const path = file(name, text);
    const message = new RegExp(`^weft: --scenario \\./${name.replace('.', '\\.')}: the file names no fault; keys: links `);
    expectUsageError(weft(['bench', 'allreduce', '--ranks', '2', '--mode', 'ghost', '-e', '1K', '--scenario', path], { cwd: dir }), message);
    expectUsageError(weft(['train', '--model', 'mlp', '--ranks', '2', '--steps', '2', '--mode', 'ghost', '--scenario', path], { cwd: dir }), message);
  });
});
