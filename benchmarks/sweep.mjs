#!/usr/bin/env node
// Runs `weft bench` for every collective and algorithm on a few presets and records the
// tables, JSON and plots under benchmarks/results/sweep/, with the machine and command.
// Usage: node benchmarks/sweep.mjs [--quick]   (after `pnpm build`)
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const weftMain = join(root, 'packages/cli/dist/main.js');
const outDir = join(root, 'benchmarks/results/sweep');
mkdirSync(outDir, { recursive: true });
const quick = process.argv.includes('--quick');

const presets = quick
  ? [{ name: 'switch8', spec: 'switch:8,linkBw=400Gbps,linkLatency=1us' }]
  : [
      { name: 'switch8', spec: 'switch:8,linkBw=400Gbps,linkLatency=1us' },
      { name: 'dgx-h100-2', spec: 'dgx-h100:nodes=2' },
      { name: 'leafspine32', spec: 'leafspine:hosts=32,leaves=4,spines=2,oversubscription=2' },
    ];
const collectives = ['allreduce', 'reducescatter', 'allgather', 'broadcast', 'reduce', 'alltoall', 'sendrecv'];
const sizes = quick ? ['-b', '1K', '-e', '1M', '-f', '32'] : ['-b', '8', '-e', '64M', '-f', '8'];

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  date: new Date().toISOString(),
};
const summary = [`# weft bench sweep`, '', `machine: ${JSON.stringify(machine)}`, ''];
for (const preset of presets) {
  for (const collective of collectives) {
    const base = `${preset.name}-${collective}`;
    const args = ['bench', collective, '--topology', preset.spec, '--algo', 'all', ...sizes, '--mode', 'ghost',
      '--out', join(outDir, `${base}.json`), '--plot', join(outDir, `${base}.svg`)];
    const started = Date.now();
    const run = spawnSync(process.execPath, [weftMain, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const wallS = ((Date.now() - started) / 1000).toFixed(1);
    const command = `node packages/cli/dist/main.js ${args.map((a) => a.replace(root, '')).join(' ')}`;
    writeFileSync(join(outDir, `${base}.txt`), `# command: ${command}\n# machine: ${JSON.stringify(machine)}\n${run.stdout}${run.stderr}`);
    summary.push(`- ${base}: exit ${run.status}, ${wallS} s — \`${command}\``);
    process.stderr.write(`${base}: exit ${run.status} in ${wallS} s\n`);
  }
}
writeFileSync(join(outDir, 'README.md'), summary.join('\n') + '\n');
