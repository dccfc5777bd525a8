#!/usr/bin/env node
/**
 * weft's all-reduce busbw with its defaults (auto: NCCL's algorithm/protocol choice, channels
 * and chunks auto, ghost mode) beside published NCCL busbw on the same hardware, where a
 * figure is published. Prints the markdown tables of benchmarks/results/nccl-vs-weft.md:
 *
 *   npx -y pnpm@10.34.8 build && node benchmarks/nccl-vs-weft.mjs [--only dgx-h100:nodes=2]
 *
 * Every published figure below names its source; none of them is an input of weft (weft's
 * inputs are the cited link rates and NCCL's latencies in packages/fabric/src/presets/
 * hardware.json and packages/collectives/src/protocols.ts), so the ratio is a check.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));

const SOURCES = {
  t212: 'nccl-tests #212 (S. Jeaugey: 8× H100, NVLS default, "peak busBw of ~480GB/s"; 256 MiB too small for the peak)',
  n1374: 'NCCL #1374 (GTC S62129: NVLink4 SHARP intra-node busbw 480 GB/s)',
  n1455: 'NCCL #1455, #1442 (8× H100, NCCL_ALGO=Ring, 365–370 GB/s)',
  t290: 'nccl-tests #290, NCCL #812 (DGX H100 2–16+ servers, ring busbw 370–390 GB/s, flat)',
  n1244: 'NCCL #1244 (2 servers × 8 H20 — NVLink4/NVSwitch and one 400 Gb/s CX-7 per GPU as DGX H100 — NCCL 2.21 default with NVLS; the reporter expected more)',
  cw43: 'coreweave/nccl-tests PR #43 (one GB200 NVL72 rack, 72 GPUs, default algorithm)',
};

const GIB = 2 ** 30;
const MIB = 2 ** 20;
/**
 * Runs: topology, the weft flags beyond the defaults (none for `auto`), the sizes, and the
 * published busbw by size (GB/s, [low, high] when a range is published) with its source.
 */
const RUNS = [
  { topology: 'dgx-h100:nodes=1', algo: 'auto', sizes: ['8', '8G', '8'], extra: [['16G', '16G']], published: { [8 * GIB]: [480, 't212'], [16 * GIB]: [480, 'n1374'] } },
  { topology: 'dgx-h100:nodes=1', algo: 'ring', sizes: ['1G', '8G', '8'], published: { [GIB]: [[365, 370], 'n1455'], [8 * GIB]: [[365, 370], 'n1455'] } },
  {
    topology: 'dgx-h100:nodes=2',
    algo: 'auto',
    sizes: ['8', '8G', '8'],
    extra: [['16G', '16G']],
    published: { [2 * MIB]: [30.3, 'n1244'], [16 * MIB]: [155.0, 'n1244'], [128 * MIB]: [227.1, 'n1244'] },
  },
  { topology: 'dgx-h100:nodes=2', algo: 'ring', sizes: ['1G', '8G', '8'], published: { [GIB]: [[370, 390], 't290'], [8 * GIB]: [[370, 390], 't290'] } },
  { topology: 'dgx-h100:nodes=4', algo: 'auto', sizes: ['8', '1G', '8'] },
  { topology: 'dgx-h100:nodes=4', algo: 'ring', sizes: ['1G', '1G', '8'], published: { [GIB]: [[370, 390], 't290'] } },
  { topology: 'dgx-h100:nodes=16', algo: 'auto', sizes: ['8', '1G', '8'] },
  { topology: 'dgx-h100:nodes=16', algo: 'ring', sizes: ['1G', '1G', '8'], published: { [GIB]: [[370, 390], 't290'] } },
  { topology: 'nvl72', algo: 'auto', sizes: ['512M', '4G', '2'], published: { [512 * MIB]: [586.1, 'cw43'], [GIB]: [681.2, 'cw43'], [2 * GIB]: [757.8, 'cw43'], [4 * GIB]: [839.2, 'cw43'] } },
];

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;

function bench(topology, algo, [b, e, f]) {
  const flags = ['bench', 'allreduce', '--topology', topology, '--mode', 'ghost', '--format', 'json', '-b', b, '-e', e, '-f', f];
  if (algo !== 'auto') flags.push('--algo', algo);
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [CLI, ...flags], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`weft ${flags.join(' ')} failed: ${run.stderr.trim()}`);
  return { rows: JSON.parse(run.stdout).rows, wallS: Number(process.hrtime.bigint() - started) / 1e9 };
}

const human = (bytes) => (bytes >= GIB ? `${bytes / GIB}G` : bytes >= MIB ? `${bytes / MIB}M` : bytes >= 1024 ? `${bytes / 1024}K` : String(bytes));
const gbs = (x) => (x >= 100 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const used = new Set();

const out = [];
for (const run of RUNS) {
  if (only !== null && run.topology !== only) continue;
  const rows = [];
  let wallS = 0;
  for (const sizes of [run.sizes, ...(run.extra ?? []).map(([b, e]) => [b, e, '2'])]) {
    const r = bench(run.topology, run.algo, sizes);
    rows.push(...r.rows);
    wallS += r.wallS;
  }
  const command = `weft bench allreduce --topology ${run.topology}${run.algo === 'auto' ? '' : ` --algo ${run.algo}`} --mode ghost -b ${run.sizes[0]} -e ${run.sizes[1]} -f ${run.sizes[2]}`;
  out.push(`### ${run.topology}, ${run.algo === 'auto' ? 'defaults (auto)' : `--algo ${run.algo}`}`, '', `\`${command}\`${run.extra ? ` (and -b ${run.extra[0][0]} -e ${run.extra[0][1]})` : ''}; wall ${wallS.toFixed(0)} s`, '');
  out.push('| size (B) | weft ran | time (us) | weft busbw (GB/s) | NCCL busbw (GB/s) | weft / NCCL | source |', '|---:|---|---:|---:|---:|---:|---|');
  for (const row of rows) {
    const pub = run.published?.[row.bytes];
    let nccl = '—';
    let ratio = '';
    let source = '';
    if (pub) {
      const [value, key] = pub;
      const [lo, hi] = Array.isArray(value) ? value : [value, value];
      nccl = lo === hi ? gbs(lo) : `${lo}–${hi}`;
      ratio = lo === hi ? (row.busBwGBps / lo).toFixed(2) : `${(row.busBwGBps / hi).toFixed(2)}–${(row.busBwGBps / lo).toFixed(2)}`;
      source = key;
      used.add(key);
    }
    const ran = `${row.algorithm.replace(/^auto\((.*)\)$/, '$1')}/${row.protocol}`;
    out.push(`| ${human(row.bytes)} | ${ran} | ${row.timeUs >= 100 ? row.timeUs.toFixed(0) : row.timeUs.toFixed(2)} | ${gbs(row.busBwGBps)} | ${nccl} | ${ratio} | ${source} |`);
  }
  out.push('');
}
out.push('Sources:', '', ...[...used].map((k) => `- ${k}: ${SOURCES[k]}`));
process.stdout.write(out.join('\n') + '\n');
