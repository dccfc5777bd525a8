import { mkdtempSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { COLLECTIVE_TABLE } from '@weft/collectives';
import { COL, expectUsageError, tableRows, weft, type WeftRun } from './run-weft.js';

const tmp = mkdtempSync(join(tmpdir(), 'weft-cli-'));

describe('weft (the main job)', () => {
  let run: WeftRun;
  beforeAll(() => {
    run = weft([], { timeoutMs: 900_000 });
  }, 900_000);

  it('exits 0 with nothing on stderr', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('prints the header: collective, topology, network model, mode and the column titles', () => {
    const header = run.stdout.split('\n').slice(0, 7);
    expect(header[0]).toBe('# weft bench allreduce');
    expect(header[1]).toBe('#  topology: dgx-h100:nodes=2 (16 ranks)  model: maxMin  routing: adaptive  qps: 1  seed: 1');
    expect(header[2]).toMatch(/^#  mode: data  backend: \S+  iters: 1  warmup: 0  channels: auto  chunk: auto  proto: auto  tuner: auto \(nccl\)$/);
    expect(header[5]!.trim().split(/\s+/)).toEqual(['#', 'size', 'count', 'type', 'redop', 'root', 'time', 'algbw', 'busbw', '#wrong', 'algorithm', 'proto', 'predicted', 'wall']);
  });

  it('runs auto (NCCL\'s choice of algorithm and protocol) over 8 B .. 128 MiB doubling (25 sizes), every row #wrong 0', () => {
    const rows = tableRows(run.stdout);
    const sizes = Array.from({ length: 25 }, (_, i) => String(8 * 2 ** i));
    // auto names the algorithm it picked for each size, the proto column the protocol
    const auto = rows.filter((r) => r[COL.algorithm]!.startsWith('auto('));
    expect(auto.map((r) => r[COL.size])).toEqual(sizes);
    for (const row of auto) expect(['LL', 'LL128', 'Simple']).toContain(row[COL.proto]);
    expect(rows).toHaveLength(25);
    for (const row of rows) expect({ size: row[COL.size], algorithm: row[COL.algorithm], wrong: row[COL.wrong] }).toEqual({ size: row[COL.size], algorithm: row[COL.algorithm], wrong: '0' });
  });

  it('ends with the footer: no wrong values and the average bus bandwidth', () => {
    const footer = run.stdout.trimEnd().split('\n').slice(-2);
    expect(footer[0]).toBe('# Out of bounds values : 0 OK');
    expect(footer[1]).toMatch(/^# Avg bus bandwidth    : \d+\.\d{4}$/);
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
    expect(lines[0]).toBe('algorithm,bytes,count,dtype,redop,root,timeUs,algBwGBps,busBwGBps,wrong,predictedUs,protocol,channels,chunkBytes,wallMs,events');
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
    // Perfetto keys an async track by (cat, id): one id must never hold two links or two runs
    // (it held a path's every link, and transfer ids restart each run: one track got them all).
    const owner = new Map<string, string>();
    for (const e of traceJson.traceEvents as { ph: string; id?: string; pid: number; name: string }[]) {
      if (e.ph !== 'b') continue;
      expect(owner.get(e.id!) ?? `${e.pid} ${e.name}`, e.id).toBe(`${e.pid} ${e.name}`);
      // The transfer's size, named so: a path of a split flow carried a share of it (a per-link sum of `bytes` counted it twice).
      expect(Object.keys((e as { args?: object }).args ?? {})).toContain('transferBytes');
      owner.set(e.id!, `${e.pid} ${e.name}`);
    }
    const svg = readFileSync(plot, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('ring');
    expect(svg).toContain('rd');
    expect(run.stdout).toContain('# Most utilized links');
  });
});

describe('weft bench --check over every collective and algorithm', () => {
  for (const collective of COLLECTIVE_TABLE.map((c) => c.name.toLowerCase())) {
    it(`${collective}: every algorithm reports 0 wrong on 6 ranks`, () => {
      const run = weft(['bench', collective, '--algo', 'all', '--ranks', '6', '-b', '8', '-e', '256K', '-f', '8', '-c', '1', '-r', '5', '--format', 'json']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report.rows.length).toBeGreaterThan(0);
      for (const row of report.rows) expect({ algorithm: row.algorithm, bytes: row.bytes, wrong: row.wrong }).toEqual({ algorithm: row.algorithm, bytes: row.bytes, wrong: 0 });
      // Every algorithm either ran or was skipped with a reason (switch:6 has no reduction switch).
      const ran = new Set(report.rows.map((row: { algorithm: string }) => row.algorithm));
      for (const skip of report.skipped) expect(skip.reason).not.toBe('');
      expect(ran.size + report.skipped.length).toBe(COLLECTIVE_TABLE.find((c) => c.name.toLowerCase() === collective)!.algorithms.length);
    });
  }
  it('allreduce nvls on one DGX H100 (NVSwitch reduction) reports 0 wrong', () => {
    const run = weft(['bench', 'allreduce', '--algo', 'nvls', '--topology', 'dgx-h100:nodes=1', '-b', '8', '-e', '1M', '-f', '32', '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.rows).toHaveLength(4);
    for (const row of report.rows) expect(row.wrong).toBe(0);
  });
});

describe('weft bench gather, scatter and barrier', () => {
  for (const collective of ['gather', 'scatter']) {
    it(`${collective}: a table row per size, rooted at -r, #wrong 0`, () => {
      const run = weft(['bench', collective, '--ranks', '5', '-r', '4', '-b', '64', '-e', '64K', '-f', '32']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const rows = tableRows(run.stdout);
      // nccl-tests' gather/scatter size is count·nranks: 64 B on 5 ranks is 3 floats each (60 B)
      expect(rows.map((r) => [r[COL.size], r[COL.root], r[COL.algorithm], r[COL.wrong]])).toEqual([
        ['60', '4', 'auto(direct)', '0'],
        ['2040', '4', 'auto(direct)', '0'],
        ['65520', '4', 'auto(direct)', '0'],
      ]);
    });
  }
  it('barrier moves no data: one row (size 0) whatever the sizes asked for', () => {
    const run = weft(['bench', 'barrier', '--ranks', '5', '-b', '8', '-e', '1M']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const rows = tableRows(run.stdout);
    expect(rows).toHaveLength(1);
    expect([rows[0]![COL.size], rows[0]![COL.algorithm], rows[0]![COL.wrong]]).toEqual(['0', 'auto(dissemination)', '0']);
    expect(Number(rows[0]![COL.time])).toBeGreaterThan(0);
  });
});

describe('bad input: one line, exit code 2, no stack trace, no partial output', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown collective', ['bench', 'allsum'], /^weft: <collective>: 'allsum' is not accepted; use allreduce, .*barrier$/],
    ['collective constructor', ['bench', 'constructor'], /^weft: <collective>: 'constructor' is not accepted; use allreduce/],
    ['collective __proto__', ['bench', '__proto__'], /^weft: <collective>: '__proto__' is not accepted; use allreduce/],
    ['unknown algorithm', ['bench', 'allreduce', '--algo', 'zigzag'], /^weft: --algo: 'zigzag' is not accepted for allreduce; use ring, .*, all, auto or a module path/],
    ['algorithm constructor', ['bench', 'allreduce', '--algo', 'constructor'], /^weft: --algo: 'constructor' is not accepted for allreduce/],
    ['unknown preset', ['bench', 'allreduce', '--topology', 'torus:4'], /torus/],
    ['unknown network model', ['bench', 'allreduce', '--network', 'packetz'], /^weft: --network: 'packetz' is not accepted; use alphaBeta, maxMin or packet$/],
    ['--model is now --network', ['bench', 'allreduce', '--model', 'maxMin'], /^weft: --model is now --network/],
    ['unknown routing', ['bench', 'allreduce', '--routing', 'random'], /^weft: --routing: 'random' is not accepted; use auto, ecmp, adaptive or spray$/],
    ['unknown dtype', ['bench', 'allreduce', '-d', 'float7'], /^weft: -d\/--datatype: 'float7' is not accepted; use int8, uint8, int32, uint32, int64, uint64, half, float, double, bfloat16, .* or all$/],
    ['unknown op', ['bench', 'allreduce', '-o', 'xor'], /^weft: -o\/--op: 'xor' is not accepted; use sum, prod, min, max, avg or all$/],
    ['op __proto__', ['bench', 'allreduce', '-o', '__proto__'], /^weft: -o\/--op: '__proto__' is not accepted; use sum/],
    ['op constructor', ['bench', 'allreduce', '-o', 'constructor'], /^weft: -o\/--op: 'constructor' is not accepted; use sum/],
    ['format constructor', ['bench', 'allreduce', '--format', 'constructor'], /^weft: --format: 'constructor' is not accepted; use table, json, csv or nccl-tests$/],
    ['mode toString', ['bench', 'allreduce', '--mode', 'toString'], /^weft: --mode: 'toString' is not accepted; use data or ghost$/],
    ['bad --links', ['bench', 'allreduce', '--links', 'many'], /^weft: --links: 'many' is not accepted; use a whole number from 1 to 1000$/],
    ['plot not svg', ['bench', 'allreduce', '--plot', 'x.png'], /^weft: --plot: 'x.png' must end in \.svg \(or be '-' for stdout\)$/],
    ['size 12Q', ['bench', 'allreduce', '-b', '12Q'], /-b\/--minbytes: '12Q' is not a size/],
    ['negative size', ['bench', 'allreduce', '-e', '-5'], /maxbytes/],
    ['zero size', ['bench', 'allreduce', '-b', '0'], /^weft: -b\/--minbytes: '0' is not accepted; use a size greater than 0$/],
    ['min > max', ['bench', 'allreduce', '-b', '1M', '-e', '1K'], /must not exceed/],
    ['step factor 1', ['bench', 'allreduce', '-f', '1'], /stepfactor must be greater than 1/],
    ['algorithm that cannot run here', ['bench', 'allreduce', '--ranks', '4', '--algo', 'innetwork'], /'innetwork' cannot run allreduce here/],
    ['SHARP-style reduction on an NVSwitch', ['bench', 'allreduce', '--topology', 'dgx-h100:nodes=1', '--algo', 'innetwork'], /NVSwitch, which reduces through NVLS .*use nvls/],
    ['NVLSTree on one server', ['bench', 'allreduce', '--topology', 'dgx-h100:nodes=1', '--algo', 'nvlstree'], /needs 2 or more servers/],
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
      expectUsageError(run, message);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(tmp).filter((f) => f.includes('.tmp-'))).toEqual([]);
    });
  }
});

describe('weft algos and weft topo', () => {
  it('algos lists every registered algorithm of every collective, with its description and constraints', () => {
    const run = weft(['algos']);
    expect(run.code).toBe(0);
    const sections = new Map(run.stdout.split(/\n(?=\S)/).map((section) => [section.split(':')[0]!, section]));
    for (const collective of COLLECTIVE_TABLE) {
      const section = sections.get(collective.name.toLowerCase());
      expect(section, collective.name).toBeDefined();
      for (const algorithm of collective.algorithms) {
        expect(section).toContain(`  ${algorithm.name.padEnd(4)}`);
        expect(section).toContain(algorithm.description);
        expect(section).toContain(`constraints: ${algorithm.constraints}`);
      }
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
