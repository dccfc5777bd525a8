#!/usr/bin/env node
/**
 * Predicted (each algorithm's predictNs, the alpha-beta closed form) against simulated time,
 * for every registered algorithm of every collective on an uncontended fabric: one
 * reduction-capable switch (switch:N,reduction=true), maxMin network, ghost mode, default
 * channels and chunk. Prints a markdown table of simulated / predicted per algorithm, rank
 * count and size (1 KiB: latency-bound; 64 MiB: bandwidth-bound).
 *
 *   npx -y pnpm@10.34.8 build && node benchmarks/predictor-error.mjs [--ranks 4,5,8] [--out FILE]
 *
 * The test packages/runtime/test/predictor-error.test.ts holds the same ratios to a tolerance.
 *
 * A second table: NCCL's ring and tree under each protocol (LL, LL128, Simple) on
 * dgx-h100:nodes=2 (16 searched channels, rail-aligned between two servers), 1 MiB–1 GiB,
 * where channels share NVLink and NIC links and the predictors are hardest.
 *
 * Every candidate auto weighs on the presets users compare with real clusters
 * (dgx-h100:nodes=2,4,16, hgx-a100:nodes=2, nvl72), predicted against simulated:
 * benchmarks/predictor-error-presets.mjs.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
const COLLECTIVES = ['allreduce', 'reducescatter', 'allgather', 'broadcast', 'reduce', 'alltoall', 'gather', 'scatter', 'sendrecv', 'barrier'];
const SIZES = ['1K', '64M'];

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const ranks = option('--ranks', '4,5,8').split(',').map(Number);
const out = option('--out', null);

function weftJson(args, what) {
  const run = spawnSync(process.execPath, [CLI, 'bench', ...args, '--mode', 'ghost', '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`weft bench ${what} failed: ${run.stderr.trim()}`);
  return JSON.parse(run.stdout);
}

function bench(collective, n) {
  return weftJson([collective, '--topology', `switch:${n},reduction=true`, '--algo', 'all', '-b', SIZES[0], '-e', SIZES[1], '-f', '65536'], `${collective} on ${n} ranks`);
}

const rows = [];
for (const collective of COLLECTIVES) {
  for (const n of ranks) {
    const report = bench(collective, n);
    for (const row of report.rows) {
      rows.push({ collective, algorithm: row.algorithm, n, bytes: row.bytes, predictedUs: row.predictedUs, simulatedUs: row.timeUs });
    }
  }
}

const fmt = (us) => (us >= 100 ? us.toFixed(0) : us.toFixed(2));
const sizeName = (bytes) => (bytes % (1 << 20) === 0 ? `${bytes / (1 << 20)}M` : bytes % 1024 === 0 ? `${bytes / 1024}K` : `${bytes}`);
const lines = [
  '| collective | algorithm | ranks | size (B) | predicted (us) | simulated (us) | simulated / predicted |',
  '|---|---|---:|---:|---:|---:|---:|',
];
for (const r of rows) {
  const ratio = r.predictedUs > 0 ? (r.simulatedUs / r.predictedUs).toFixed(3) : 'n/a';
  lines.push(`| ${r.collective} | ${r.algorithm} | ${r.n} | ${sizeName(r.bytes)} | ${fmt(r.predictedUs)} | ${fmt(r.simulatedUs)} | ${ratio} |`);
}
const ncclLines = [
  '| algorithm | protocol | size (B) | predicted (us) | simulated (us) | simulated / predicted |',
  '|---|---|---:|---:|---:|---:|',
];
for (const proto of ['LL', 'LL128', 'Simple']) {
  const report = weftJson(['allreduce', '--topology', 'dgx-h100:nodes=2', '--algo', 'ring,tree', '--proto', proto, '-b', '1M', '-e', '1G', '-f', '8'], `dgx-h100:nodes=2 --proto ${proto}`);
  for (const r of report.rows) {
    ncclLines.push(`| ${r.algorithm} | ${r.protocol} | ${sizeName(r.bytes)} | ${fmt(r.predictedUs)} | ${fmt(r.timeUs)} | ${(r.timeUs / r.predictedUs).toFixed(3)} |`);
  }
}
const table = `${lines.join('\n')}\n\nNCCL's ring and tree under each protocol on \`dgx-h100:nodes=2\` (maxMin, ghost, default channels and chunk (auto: 16 searched channels, fewer below 512 KiB per channel; ring 2M chunks, tree/Simple 512K)):\n\n${ncclLines.join('\n')}`;
console.log(table);
if (out !== null) {
  const header = [
    '# Predictor error: simulated / predicted time per algorithm',
    '',
    `Machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.version}. Simulated time is deterministic (ghost mode), so the machine does not change it.`,
    '',
    `Command: \`node benchmarks/predictor-error.mjs --ranks ${ranks.join(',')} --out ${out}\` (after \`npx -y pnpm@10.34.8 build\`).`,
    '',
    'Fabric: `switch:N,reduction=true`, maxMin, ghost mode, default channels and chunk (auto).',
    '',
  ].join('\n');
  writeFileSync(out, `${header}\n${table}\n`);
}
