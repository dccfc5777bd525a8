// The fault scenarios of benchmarks/results/faults.md, regenerated from the built CLI:
//   node benchmarks/faults.mjs --out benchmarks/results/faults.md
// Every table row is `weft bench … --format json`'s `faults.outcomes` (each algorithm and size
// run without and with the faults, in ghost mode: simulated time, deterministic).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
const DGX = ['bench', 'allreduce', '--topology', 'dgx-h100:nodes=2', '--algo', 'ring,tree,hierarchical', '-b', '1M', '-e', '64M', '-f', '8', '--mode', 'ghost'];
const LEAFSPINE = ['bench', 'allreduce', '--topology', 'leafspine:hosts=8,leaves=2,spines=2', '--algo', 'ring,tree,rd', '-b', '1M', '-e', '64M', '-f', '8', '--mode', 'ghost'];

const SCENARIOS = [
  ['NIC link down at 50 us', ['--fault', 'link=node0.nic3->su0.leaf3,down@50us']],
  ['NIC link at half capacity', ['--fault', 'link=node0.nic3->su0.leaf3,degrade=0.5@0us']],
  ['GPU→NIC PCIe link at a quarter', ['--fault', 'link=node0.gpu3->node0.nic3,degrade=0.25@0us']],
  ['straggler: rank 3 starts 100 us late', ['--straggler', 'rank=3,delay=100us']],
  ['crash: rank 2 at 20 us', ['--crash', 'rank=2@20us']],
  ['spine link down (not on any path at 2 nodes)', ['--fault', 'link=su0.leaf3->spine0,down@0us']],
];

function outcomes(args) {
  const out = execFileSync(process.execPath, [CLI, ...args, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out).faults.outcomes;
}

const us = (x) => (x === null || x === undefined ? '-' : x.toFixed(2));
function describe(o) {
  if (o.outcome === 'failed') return `failed: ${o.error.split('\n')[0]}`;
  if (o.outcome === 'slower') return `slower ${o.slowdown.toFixed(3)}x`;
  return o.slowdown && o.slowdown > 1 + 1e-9 ? `${o.outcome}, ${o.slowdown.toFixed(3)}x` : o.outcome;
}

const lines = [
  '# Faults and stragglers: what each algorithm did',
  '',
  '`weft bench` runs every (algorithm, size) twice, without and with the faults, and names the',
  'outcome: unaffected, slower (by how much), rerouted (a failed link carried less than without the',
  "fault and the run completed) or failed with the run's own error. Simulated time (ghost mode,",
  'deterministic; data mode gives the same times). Regenerate: `node benchmarks/faults.mjs --out benchmarks/results/faults.md`.',
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
  '',
  `Common command: \`node packages/cli/dist/main.js ${DGX.join(' ')}\` plus the flag in each heading.`,
];
for (const [title, flags] of SCENARIOS) {
  lines.push('', `## ${title}: \`${flags.join(' ')}\``, '', '| algorithm | size (B) | no fault (us) | with fault (us) | outcome |', '|---|---:|---:|---:|---|');
  for (const o of outcomes([...DGX, ...flags])) lines.push(`| ${o.algorithm} | ${o.bytes} | ${us(o.baselineUs)} | ${us(o.faultedUs)} | ${describe(o)} |`);
}
const reroute = ['--fault', 'link=leaf0->spine0,down@20us'];
lines.push(
  '',
  '## Rerouting: a spine uplink down on `leafspine:hosts=8,leaves=2,spines=2`',
  '',
  `Command: \`node packages/cli/dist/main.js ${LEAFSPINE.join(' ')} ${reroute.join(' ')}\` (ECMP), then the same with \`--routing adaptive\`.`,
  '',
  '| algorithm | size (B) | no fault (us) | ECMP with fault (us) | ECMP outcome | adaptive: no fault (us) | adaptive with fault (us) | adaptive outcome |',
  '|---|---:|---:|---:|---|---:|---:|---|',
);
const ecmp = outcomes([...LEAFSPINE, ...reroute]);
const adaptive = outcomes([...LEAFSPINE, ...reroute, '--routing', 'adaptive']);
ecmp.forEach((o, i) => {
  const a = adaptive[i];
  lines.push(`| ${o.algorithm} | ${o.bytes} | ${us(o.baselineUs)} | ${us(o.faultedUs)} | ${describe(o)} | ${us(a.baselineUs)} | ${us(a.faultedUs)} | ${describe(a)} |`);
});

const text = lines.join('\n') + '\n';
const outIndex = process.argv.indexOf('--out');
if (outIndex > 0) writeFileSync(process.argv[outIndex + 1], text);
else process.stdout.write(text);
