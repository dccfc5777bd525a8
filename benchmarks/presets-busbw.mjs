#!/usr/bin/env node
/**
 * busbw at one size for NCCL's all-reduce algorithms (ring, tree, nvls, nvlstree) and auto on
 * the system presets, ghost mode (simulated time is deterministic). Prints a markdown table:
 *   npx -y pnpm@10.34.8 build && node benchmarks/presets-busbw.mjs [--size 1G] [--specs a,b,...]
 * Each cell: busbw GB/s, then the protocol and channels that ran; '-' where the algorithm
 * cannot run on that preset (the reason is weft's one-line refusal).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const SIZE = option('--size', '1G');
const SPECS = option('--specs', 'dgx-h100:nodes=1,dgx-h100:nodes=2,dgx-h100:nodes=8,dgx-h100:nodes=32,hgx-a100:nodes=1,hgx-a100:nodes=2,hgx-b200:nodes=1,hgx-b200:nodes=2,gb200-nvl4,gb200-nvl4:nodes=2,nvl72').split(/,(?=[a-z])/);
const ALGOS = ['ring', 'tree', 'nvls', 'nvlstree', 'auto'];

console.log(`| spec | ${ALGOS.join(' | ')} | wall s |`);
console.log(`|---|${ALGOS.map(() => '---').join('|')}|---|`);
for (const spec of SPECS) {
  const started = Date.now();
  const cells = ALGOS.map((algo) => {
    const run = spawnSync(process.execPath, [CLI, 'bench', 'allreduce', '--topology', spec, '--algo', algo, '--mode', 'ghost', '-b', SIZE, '-e', SIZE, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (run.status !== 0) return '-';
    const row = JSON.parse(run.stdout).rows[0];
    const name = algo === 'auto' ? `${row.algorithm.replace(/^auto\((.*)\)$/, '$1')}/` : '';
    return `${row.busBwGBps.toFixed(1)} (${name}${row.protocol ?? '-'}, ${row.channels} ch)`;
  });
  console.log(`| \`${spec}\` | ${cells.join(' | ')} | ${((Date.now() - started) / 1000).toFixed(1)} |`);
}
