#!/usr/bin/env node
/**
 * busbw of every collective under auto (NCCL's choice) on the system presets, ghost mode
 * (simulated time is deterministic), at a few sizes. Prints a markdown table:
 *   npx -y pnpm@10.34.8 build && node benchmarks/collectives-busbw.mjs [--sizes 1M,32M,1G] [--specs a,b,...]
 * Each cell: busbw GB/s (algorithm/protocol, channels) and simulated / predicted.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const SIZES = option('--sizes', '1M,32M,1G').split(',');
const SPECS = option('--specs', 'dgx-h100:nodes=1,dgx-h100:nodes=2,dgx-h100:nodes=8,hgx-a100:nodes=2,nvl72').split(/,(?=[a-z])/);
const COLLECTIVES = ['allgather', 'reducescatter', 'broadcast', 'reduce', 'alltoall'];

console.log(`| collective | spec | ${SIZES.join(' | ')} | wall s |`);
console.log(`|---|---|${SIZES.map(() => '---').join('|')}|---|`);
for (const collective of COLLECTIVES) {
  for (const spec of SPECS) {
    const started = Date.now();
    const cells = SIZES.map((size) => {
      const run = spawnSync(process.execPath, [CLI, 'bench', collective, '--topology', spec, '--mode', 'ghost', '-b', size, '-e', size, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (run.status !== 0) return '-';
      const row = JSON.parse(run.stdout).rows[0];
      const name = row.algorithm.replace(/^auto\((.*)\)$/, '$1');
      const ratio = row.predictedUs > 0 ? (row.timeUs / row.predictedUs).toFixed(3) : '-';
      return `${row.busBwGBps.toFixed(1)} (${name}/${row.protocol ?? '-'}, ${row.channels} ch; sim/pred ${ratio})`;
    });
    console.log(`| ${collective} | \`${spec}\` | ${cells.join(' | ')} | ${((Date.now() - started) / 1000).toFixed(1)} |`);
  }
}
