/**
 * Two walks (benchmarks/results/hostile.md, "A network engineer's and a researcher's walk"): a
 * network engineer's through weft bench's fabric features and an algorithm researcher's through
 * writing, checking and timing their own algorithm. Each defect they found, run on the bundle as
 * a user runs it. Every test here failed on the bundle before the fix it names.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeLs16 } from './ls16.js';
import { expectUsageError, weft } from './run-weft.js';

const dir = mkdtempSync(join(tmpdir(), 'weft-usertest4-'));
const at = (name: string): string => join(dir, name);

/** 16 hosts on 4 leaves, 2 spines, every link 400 Gb/s: 2:1 oversubscribed, so ECMP's draw of spines matters. */
const LS16 = writeLs16(dir);

/** docs/writing-an-algorithm.md's finished ring, the module every user starts from. */
function docRing(): string {
  const doc = readFileSync(fileURLToPath(new URL('../../docs/writing-an-algorithm.md', import.meta.url)), 'utf8');
  return [...doc.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).find((block) => block.startsWith('// my-ring.mjs'))!;
}

/** The doc's ring named `name`, with `from` replaced by `to` (which must apply). */
function changedRing(name: string, from: string, to: string): string {
  const ring = docRing();
  expect(ring).toContain(from);
  const path = at(`${name}.mjs`);
  writeFileSync(path, ring.replace("name: 'my-ring'", `name: '${name}'`).replace(from, to));
  return path;
}

beforeAll(() => {
  writeFileSync(at('my-ring.mjs'), docRing());
});

describe('--tenant', () => {
  it('two jobs that share no link run alone as they run together (alone, a job kept another flow key: ECMP drew other spines)', () => {
    // Job 1 on leaves 0-1, job 2 on leaves 2-3: no link carries both.
    const run = weft(['bench', 'alltoall', '--topology', LS16, '-e', '16M', '--format', 'json', '--tenant', 'ranks=0-7', '--tenant', 'ranks=8-15']);
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout).tenants as { alone: { busBwGBps: number }; shared: { busBwGBps: number }; isolation: number }[];
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.shared.busBwGBps).toBe(row.alone.busBwGBps);
      expect(row.isolation).toBe(1);
    }
  });
});

describe('--links with a fault scheduled after the run', () => {
  /** The run's rows: time and every listed link's utilization. */
  const linkRows = (extra: readonly string[]) => {
    const run = weft(['bench', 'alltoall', '--topology', LS16, '--mode', 'ghost', '-b', '4M', '-e', '4M', '--routing', 'adaptive', '--links', '4', '--format', 'json', ...extra]);
    expect(run.code).toBe(0);
    const row = JSON.parse(run.stdout).rows[0] as { timeUs: number; links: { linkId: string; utilization: number; bytesCarried: number }[] };
    return row;
  };

  for (const network of ['maxMin', 'packet']) {
    it(`${network}: utilization is over the run, not up to a fault at 1 s (it read 0.0 % on links busy 126 of 148 µs)`, () => {
      const extra = ['--network', network];
      const plain = linkRows(extra);
      const late = linkRows([...extra, '--fault', 'link=leaf0->spine0,degrade=0.5@1s']);
      expect(late.timeUs).toBe(plain.timeUs);
      expect(late.links).toEqual(plain.links);
      expect(plain.links[0]!.utilization).toBeGreaterThan(0.5);
    });
  }
});

describe('a module right at the check\'s counts but broken at a run\'s own size', () => {
  // Both pass the check matrix and the run-size proof (counts up to 1,000); they break above 5,000 elements.
  const SEND = 'b.send(r, c, next, block(r - 1));';
  const RECV = 'b.recv(r, c, prev, block(r + 1));';
  const BIG = 'count > 5000 && r === 0 && c === 0 && piece === loop[0]';
  const badPeer = () => changedRing('big-peer', SEND, `${SEND} if (${BIG}) b.send(r, c, n + 5, block(r - 1));`);
  const shortRecv = () =>
    changedRing('big-size', RECV, `if (${BIG}) { const x = block(r + 1); b.recv(r, c, prev, slice('output', x.offset, x.count - 1)); } else ${RECV}`);
  const sweep = (module: string, mode: string) => weft(['bench', 'allreduce', '--ranks', '5', '--algo', module, '-b', '1K', '-e', '64K', '-f', '64', '--mode', mode]);

  it('ghost mode proves the schedule it is about to time (a short recv was timed as if right: exit 0)', () => {
    expectUsageError(sweep(shortRecv(), 'ghost'), /^weft: --algo: '.*big-size\.mjs': allReduce\/big-size is wrong on 5 ranks \(count 16384, .*expects 3276 elements but the matching message .* has 3277$/);
    expectUsageError(sweep(badPeer(), 'ghost'), /^weft: --algo: '.*big-peer\.mjs': allReduce\/big-peer is wrong on 5 ranks \(count 16384, .*peer 10 is not a participant \(0\.\.4\)$/);
  });

  it('data mode: one line naming the algorithm and size, no stack (a bad peer printed ProtocolError and 10 frames of weft)', () => {
    for (const [module, message] of [
      [badPeer(), /^weft: big-peer at 65536 B: rank 0: send peer 10 is not a participant \(0\.\.4\)$/],
      [shortRecv(), /^weft: big-size at 65536 B: rank 0 failed: message of 13108 bytes received into a slice of 13104 bytes$/],
    ] as const) {
      const run = sweep(module, 'data');
      expect(run.code).toBe(1);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr.trimEnd()).toMatch(message);
    }
  });
});

describe('docs/writing-an-algorithm.md', () => {
  it('its ring predicts what it simulates on two servers (it charged the slowest hop on every step: 99 µs predicted, 28.8 run)', () => {
    const run = weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=2', '--algo', `ring-rankorder,${at('my-ring.mjs')}`, '-b', '1K', '-e', '1K', '--mode', 'ghost', '--format', 'json']);
    expect(run.code).toBe(0);
    const [textbook, mine] = JSON.parse(run.stdout).rows as { algorithm: string; timeUs: number; predictedUs: number }[];
    expect(mine!.algorithm).toBe('my-ring');
    // The same schedule as the built-in textbook ring: the same simulated time.
    expect(mine!.timeUs).toBe(textbook!.timeUs);
    expect(Math.abs(mine!.predictedUs / mine!.timeUs - 1)).toBeLessThan(0.02);
  });
});

describe('--links and --fault name links as the topology does', () => {
  it('parallel links show their own ids (both rows read a->s: which one to pass to --fault?)', () => {
    const file = at('duplink.yaml');
    writeFileSync(file, [
      'name: duplink',
      'nodes:',
      '  - { id: a, kind: host }',
      '  - { id: b, kind: host }',
      '  - { id: s, kind: switch }',
      'links:',
      '  - { from: a, to: s, bandwidth: 100Gbps, latency: 1us }',
      '  - { from: a, to: s, bandwidth: 400Gbps, latency: 1us }',
      '  - { from: b, to: s, bandwidth: 400Gbps, latency: 1us }',
      '',
    ].join('\n'));
    const run = weft(['bench', 'sendrecv', '--topology', file, '--mode', 'ghost', '-b', '1M', '-e', '1M', '--routing', 'adaptive', '--links', '6']);
    expect(run.code).toBe(0);
    const names = run.stdout.split('\n').filter((line) => /^#   \S+->\S+ /.test(line)).map((line) => line.split(/\s+/)[1]!);
    expect(names).toContain('a->s#2');
    expect(new Set(names).size).toBe(names.length);
    // The id the table shows is one --fault takes.
    const faulted = weft(['bench', 'sendrecv', '--topology', file, '--mode', 'ghost', '-b', '1M', '-e', '1M', '--routing', 'adaptive', '--fault', 'link=a->s#2,degrade=0.5@0us']);
    expect(faulted.code).toBe(0);
  });

  it('an unknown link lists the source\'s links nearest the one typed, and how many more (leaf0->spine0 was cut off)', () => {
    expectUsageError(
      weft(['bench', 'alltoall', '--topology', LS16, '--mode', 'ghost', '-b', '4M', '-e', '4M', '--fault', 'link=leaf0->spine9,down@50us']),
      /^weft: --fault: link 'leaf0->spine9' is not in topology ls16; links from leaf0: leaf0->spine0, leaf0->spine1, leaf0->h0, leaf0->h1, leaf0->h2, leaf0->h3$/,
    );
  });

  it('--links where the report has no place for them is refused, not dropped (CSV, --compare)', () => {
    const base = ['bench', 'allreduce', '--topology', LS16, '--mode', 'ghost', '-b', '1M', '-e', '1M', '--links', '2'];
    expectUsageError(weft([...base, '--format', 'csv']), /^weft: --links 2: CSV holds one line per row, without the links; use --format table or json/);
    expectUsageError(weft([...base, '--compare', 'routing=ecmp,adaptive']), /^weft: --compare: not with --links;/);
    // A table on stdout beside a CSV file keeps them.
    const kept = weft([...base, '--out', at('rows.csv')]);
    expect(kept.code).toBe(0);
    expect(kept.stdout).toMatch(/# Most utilized links/);
  });

  it('a directory given as topology is called a directory (it said "a file named … exists")', () => {
    expectUsageError(weft(['topo', dir]), /is a directory; a topology file is one file ending in \.json, \.yaml or \.yml$/);
  });
});

describe('a researcher\'s modules', () => {
  it('one file spelled two ways runs once (it was refused as two modules of one name)', () => {
    const run = weft(['bench', 'allreduce', '--ranks', '4', '--algo', `./my-ring.mjs,my-ring.mjs,${at('my-ring.mjs')}`, '-b', '1K', '-e', '1K', '--mode', 'ghost', '--format', 'json'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout).rows as { algorithm: string }[]).map((r) => r.algorithm)).toEqual(['my-ring']);
  });

  it('--check lists the rank counts it proved, not the matrix\'s (a powers-of-two module listed 3, 5, 6, 7, 9)', () => {
    const module = changedRing('pow2-ring', 'unsupported: (params) => invalidParams(params),', "unsupported: (params) => invalidParams(params) ?? ((params.nranks & (params.nranks - 1)) === 0 ? null : 'needs a power-of-two rank count'),");
    const run = weft(['algos', '--check', module]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/pow2-ring is correct on all \d+ cases it supports \(ranks 1, 2, 4, 8, 16; counts/);
  });
});

describe('topology files and units', () => {
  it('an empty topology file says so and lists what a file holds (it said "(top level): Invalid input: expected object, received null")', () => {
    const file = at('empty-topology.yaml');
    writeFileSync(file, '# nothing yet\n');
    expectUsageError(weft(['topo', file]), /^weft: .*empty-topology\.yaml: the file is empty; a topology file is an object with top-level keys: name, nodes, links, /);
  });

  it('a rate in PB/s is read, and one above the physical range is refused as such (it was "cannot read", while the range named PB/s)', () => {
    expectUsageError(weft(['topo', 'switch:4,linkBw=2PB/s']), /^weft: switch: linkBw: "2PB\/s" is outside the physical range 1 B\/s to 1 PB\/s/);
    expect(weft(['topo', 'switch:4,linkBw=1PB/s']).code).toBe(0);
  });
});
