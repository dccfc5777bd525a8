import { mkdtempSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { COL, tableRows, weft, type WeftRun } from './run-weft.js';

const tmp = mkdtempSync(join(tmpdir(), 'weft-cli-'));

describe('weft (the main job)', () => {
  let run: WeftRun;
  beforeAll(() => {
    run = weft([], { timeoutMs: 900_000 });
  }, 900_000);

  it('exits 0 and prints the nccl-tests table for ring, tree and auto on dgx-h100:nodes=2', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('dgx-h100:nodes=2 (16 ranks)');
    const rows = tableRows(run.stdout);
    // 8 B .. 128 MiB doubling is 25 sizes, for each of ring, tree and auto.
    expect(rows).toHaveLength(75);
    expect(new Set(rows.map((r) => r[COL.algorithm]!.replace(/\(.*\)$/, '')))).toEqual(new Set(['ring', 'tree', 'auto']));
    for (const row of rows) {
      expect(row[COL.wrong]).toBe('0');
      expect(Number(row[COL.time])).toBeGreaterThan(0);
    }
    expect(run.stdout).toMatch(/# Avg bus bandwidth\s+: \d+\.\d{4}/);
  });

  it('shows the bandwidth rising with size, as on real hardware', () => {
    const ring = tableRows(run.stdout).filter((r) => r[COL.algorithm] === 'ring');
    expect(Number(ring.at(-1)![COL.busbw])).toBeGreaterThan(10 * Number(ring[0]![COL.busbw]));
  });
});

describe('weft bench output formats', () => {
  const common = ['bench', 'allreduce', '--ranks', '4', '-b', '1K', '-e', '1M', '-f', '4', '--algo', 'ring,rd'];

  it('table and JSON agree, and two runs are identical apart from wall time', () => {
    const table = weft(common);
    const jsonRun = weft([...common, '--format', 'json']);
    const again = weft([...common, '--format', 'json']);
    expect(table.code).toBe(0);
    expect(jsonRun.code).toBe(0);
    const report = JSON.parse(jsonRun.stdout);
    const rows = tableRows(table.stdout);
    expect(report.rows).toHaveLength(rows.length);
    expect(report).toMatchObject({ collective: 'allreduce', topology: { spec: 'switch:4', ranks: 4 }, model: 'maxMin', routing: 'ecmp', mode: 'data' });
    expect(typeof report.backend).toBe('string');
    report.rows.forEach((row: Record<string, number | string>, i: number) => {
      expect(String(row.bytes)).toBe(rows[i]![COL.size]);
      expect(String(row.count)).toBe(rows[i]![COL.count]);
      expect(row.algorithm).toBe(rows[i]![COL.algorithm]);
      expect(Number(rows[i]![COL.time])).toBeCloseTo(Number(row.timeUs), 2);
      expect(Number(rows[i]![COL.busbw])).toBeCloseTo(Number(row.busBwGBps), 2);
      expect(String(row.wrong)).toBe(rows[i]![COL.wrong]);
    });
    const strip = (r: { rows: Record<string, unknown>[] }) => ({ ...r, rows: r.rows.map(({ wallMs: _w, ...rest }) => rest) });
    expect(strip(JSON.parse(again.stdout))).toEqual(strip(report));
  });

  it('CSV has the row fields', () => {
    const csv = weft([...common, '--format', 'csv']);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('algorithm,bytes,count,dtype,redop,root,timeUs,algBwGBps,busBwGBps,wrong,predictedUs,wallMs,events');
    // 1K, 4K, 16K, 64K, 256K, 1M for each of ring and rd, after the header line
    expect(lines).toHaveLength(1 + 2 * 6);
  });

  it('writes --out, --trace (trace-event JSON) and --plot (SVG) files', () => {
    const out = join(tmp, 'r.json');
    const trace = join(tmp, 't.json');
    const plot = join(tmp, 'p.svg');
    const run = weft([...common, '--out', out, '--trace', trace, '--plot', plot, '--links', '3']);
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.rows[0].links.length).toBeGreaterThan(0);
    expect(report.rows[0].links.length).toBeLessThanOrEqual(3);
    const traceJson = JSON.parse(readFileSync(trace, 'utf8'));
    expect(Array.isArray(traceJson.traceEvents)).toBe(true);
    const complete = traceJson.traceEvents.filter((e: { ph: string }) => e.ph === 'X');
    expect(complete.length).toBeGreaterThan(0);
    for (const event of traceJson.traceEvents) {
      expect(['X', 'M', 'b', 'e']).toContain(event.ph);
      expect(typeof event.pid).toBe('number');
      if (event.ph !== 'M') expect(Number.isFinite(event.ts)).toBe(true);
    }
    // async link events come in begin/end pairs
    const begins = traceJson.traceEvents.filter((e: { ph: string }) => e.ph === 'b').length;
    expect(begins).toBeGreaterThan(0);
    expect(traceJson.traceEvents.filter((e: { ph: string }) => e.ph === 'e').length).toBe(begins);
    const svg = readFileSync(plot, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('ring');
    expect(svg).toContain('rd');
    expect(run.stdout).toContain('# Most utilized links');
  });
});

describe('weft bench --check over every collective and algorithm', () => {
  const collectives = ['allreduce', 'reducescatter', 'allgather', 'broadcast', 'reduce', 'alltoall', 'sendrecv'];
  for (const collective of collectives) {
    it(`${collective}: every algorithm reports 0 wrong on 6 ranks`, () => {
      const run = weft(['bench', collective, '--algo', 'all', '--ranks', '6', '-b', '8', '-e', '256K', '-f', '8', '-c', '1', '-r', '5', '--format', 'json']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report.rows.length).toBeGreaterThan(0);
      for (const row of report.rows) expect({ algorithm: row.algorithm, bytes: row.bytes, wrong: row.wrong }).toEqual({ algorithm: row.algorithm, bytes: row.bytes, wrong: 0 });
      // switch:6 has no reduction-capable switch: `all` skips innetwork and says why
      if (collective === 'allreduce') expect(report.skipped.map((s: { algorithm: string }) => s.algorithm)).toEqual(['innetwork']);
    });
  }
  it('allreduce innetwork on one DGX H100 (NVSwitch reduction) reports 0 wrong', () => {
    const run = weft(['bench', 'allreduce', '--algo', 'innetwork', '--topology', 'dgx-h100:nodes=1', '-b', '8', '-e', '1M', '-f', '32', '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.rows).toHaveLength(4);
    for (const row of report.rows) expect(row.wrong).toBe(0);
  });
});

describe('bad input: one line, exit code 2, no stack trace, no partial output', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown collective', ['bench', 'allsum'], /unknown collective 'allsum'; accepted: allreduce/],
    ['unknown algorithm', ['bench', 'allreduce', '--algo', 'zigzag'], /unknown algorithm 'zigzag'.*accepted: .*ring/],
    ['unknown preset', ['bench', 'allreduce', '--topology', 'torus:4'], /torus/],
    ['unknown model', ['bench', 'allreduce', '--model', 'packetz'], /unknown model 'packetz'; accepted: alphabeta, maxmin/],
    ['unknown routing', ['bench', 'allreduce', '--routing', 'spray'], /unknown routing 'spray'; accepted: ecmp, adaptive/],
    ['unknown dtype', ['bench', 'allreduce', '-d', 'float7'], /unknown datatype 'float7'/],
    ['unknown op', ['bench', 'allreduce', '-o', 'xor'], /unknown reduction op 'xor'; accepted: sum, prod, min, max, avg/],
    ['size 12Q', ['bench', 'allreduce', '-b', '12Q'], /-b\/--minbytes: '12Q' is not a size/],
    ['negative size', ['bench', 'allreduce', '-e', '-5'], /maxbytes/],
    ['zero size', ['bench', 'allreduce', '-b', '0'], /greater than 0, got '0'/],
    ['min > max', ['bench', 'allreduce', '-b', '1M', '-e', '1K'], /must not exceed/],
    ['step factor 1', ['bench', 'allreduce', '-f', '1'], /stepfactor must be greater than 1/],
    ['algorithm that cannot run here', ['bench', 'allreduce', '--ranks', '4', '--algo', 'innetwork'], /'innetwork' cannot run allreduce here/],
    ['unknown option', ['bench', 'allreduce', '--frobnicate'], /unknown option '--frobnicate'/],
    ['malformed topology file', ['bench', 'allreduce', '--topology', 'BAD_FILE'], /links/],
    ['missing topology file', ['bench', 'allreduce', '--topology', 'no/such/file.json'], /cannot read 'no\/such\/file.json'/],
    ['unwritable --out', ['bench', 'allreduce', '--ranks', '2', '--out', '/nonexistent-dir/x.json'], /--out: cannot write/],
    ['root out of range', ['bench', 'broadcast', '--ranks', '4', '-r', '9'], /-r\/--root: 9 is not a rank/],
  ];
  const badFile = join(tmp, 'bad-topology.json');
  beforeAll(async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(badFile, JSON.stringify({ nodes: [{ id: 'a', kind: 'gpu' }, { id: 'b', kind: 'gpu' }], links: [{ from: 'a', to: 'b', bandwidth: 0, latency: '1us' }] }));
  });
  for (const [name, args, message] of cases) {
    it(name, () => {
      const out = join(tmp, `partial-${name.replace(/\W+/g, '-')}.json`);
      const argv = args.map((a) => (a === 'BAD_FILE' ? badFile : a));
      const run = weft([...argv, ...(argv.includes('--out') ? [] : ['--out', out])]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      const lines = run.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(tmp).filter((f) => f.includes('.tmp-'))).toEqual([]);
    });
  }
});

describe('weft algos and weft topo', () => {
  it('algos lists every collective with descriptions and constraints', () => {
    const run = weft(['algos']);
    expect(run.code).toBe(0);
    for (const name of ['allreduce:', 'ring', 'tree', 'rhd', 'hierarchical', 'innetwork', 'reducescatter:', 'alltoall:', 'constraints:']) {
      expect(run.stdout).toContain(name);
    }
  });
  it('topo summarises a preset and writes DOT', () => {
    const dot = join(tmp, 'g.dot');
    const run = weft(['topo', 'leafspine:hosts=8,leaves=2,spines=2', '--dot', dot]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/bisection/i);
    expect(readFileSync(dot, 'utf8')).toMatch(/^(strict )?digraph/);
  });
});
