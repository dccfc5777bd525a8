#!/usr/bin/env node
/**
 * Predicted against simulated time for every algorithm of every collective on multi-server
 * presets — where a round's hops run on NVLink inside a server and on the NIC between, and
 * the predictors must follow each hop's own link (predictor-error.md). Per algorithm (and
 * protocol), the range and the geometric-mean |ln(simulated / predicted)| over its sizes,
 * ghost mode, defaults (channels and chunk auto, the fabric's own routing).
 *
 *   npx -y pnpm@10.34.8 build && node benchmarks/predictor-error-servers.mjs [--topologies A;B] [--sizes 1K,64M,64] [--cli BUNDLE]
 *
 * --topologies: ';'-separated specs (default dgx-h100:nodes=2;hgx-a100:nodes=2); --sizes: -b,-e,-f
 * (default 1K,64M,64: 1 KiB, 64 KiB, 4 MiB, 64 MiB); --cli: another build's
 * packages/cli/dist/bundle/main.js, to compare two builds in one run.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const COLLECTIVES = ['allreduce', 'allgather', 'reducescatter', 'broadcast', 'reduce', 'alltoall', 'gather', 'scatter', 'barrier'];

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const topologies = option('--topologies', 'dgx-h100:nodes=2;hgx-a100:nodes=2').split(';');
const [minBytes, maxBytes, factor] = option('--sizes', '1K,64M,64').split(',');
const cli = option('--cli', fileURLToPath(new URL('../packages/cli/dist/bundle/main.js', import.meta.url)));

function rowsOf(collective, topology) {
  const run = spawnSync(
    process.execPath,
    [cli, 'bench', collective, '--topology', topology, '--algo', 'all', '--mode', 'ghost', '-b', minBytes, '-e', maxBytes, '-f', factor, '--format', 'json'],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  if (run.status !== 0) throw new Error(`weft bench ${collective} on ${topology} failed: ${run.stderr.trim()}`);
  return JSON.parse(run.stdout).rows;
}

console.log('| topology | collective | algorithm | simulated / predicted, min – max | geomean error |');
console.log('|---|---|---|---|---:|');
for (const topology of topologies) {
  for (const collective of COLLECTIVES) {
    const ratios = new Map();
    for (const row of rowsOf(collective, topology)) {
      if (!(row.predictedUs > 0)) continue;
      const name = row.protocol ? `${row.algorithm}/${row.protocol}` : row.algorithm;
      if (!ratios.has(name)) ratios.set(name, []);
      ratios.get(name).push(row.timeUs / row.predictedUs);
    }
    for (const [name, list] of ratios) {
      const error = Math.exp(list.reduce((sum, r) => sum + Math.abs(Math.log(r)), 0) / list.length) - 1;
      console.log(`| ${topology} | ${collective} | ${name} | ${Math.min(...list).toFixed(3)} – ${Math.max(...list).toFixed(3)} | ${(100 * error).toFixed(1)} % |`);
    }
  }
}
