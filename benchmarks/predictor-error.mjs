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

function bench(collective, n) {
  const run = spawnSync(
    process.execPath,
    [CLI, 'bench', collective, '--topology', `switch:${n},reduction=true`, '--algo', 'all', '--mode', 'ghost', '-b', SIZES[0], '-e', SIZES[1], '-f', '65536', '--format', 'json'],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  if (run.status !== 0) throw new Error(`weft bench ${collective} on ${n} ranks failed: ${run.stderr.trim()}`);
  return JSON.parse(run.stdout);
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
const table = lines.join('\n');
console.log(table);
if (out !== null) {
  const header = [
    '# Predictor error: simulated / predicted time per algorithm',
    '',
    `Machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.version}. Simulated time is deterministic (ghost mode), so the machine does not change it.`,
    '',
    `Command: \`node benchmarks/predictor-error.mjs --ranks ${ranks.join(',')} --out ${out}\` (after \`npx -y pnpm@10.34.8 build\`).`,
    '',
    'Fabric: `switch:N,reduction=true`, maxMin, ghost mode, default channels (auto) and chunk (2M).',
    '',
  ].join('\n');
  writeFileSync(out, `${header}\n${table}\n`);
}
