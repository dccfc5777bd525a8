// Cold start of `weft algos`, bundled and unbundled, against `node -e 0` (issue #13, target
// ≤ 1.5×), measured so that a shared machine's load hits every command alike: the commands
// take turns (one run of each per round, the order rotating), and the medians are reported.
// CPU is user + system of the child (/usr/bin/time, 10 ms steps: the median of many runs).
//
//   node benchmarks/cold-start.mjs [rounds=40]       (after `pnpm run build`)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const rounds = Number(process.argv[2] ?? 40);
const COMMANDS = [
  ['node -e 0', ['-e', '0']],
  ['weft algos, bundled (packages/cli/dist/bundle/main.js)', ['packages/cli/dist/bundle/main.js', 'algos']],
  ['weft algos, unbundled (packages/cli/dist/main.js)', ['packages/cli/dist/main.js', 'algos']],
];

/** One run: wall ms (this process's clock around the child) and the child's CPU ms. */
function once(args) {
  const started = process.hrtime.bigint();
  const run = spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', process.execPath, ...args], { cwd: root, encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  const [, user, system] = /CPU ([\d.]+) ([\d.]+)/.exec(run.stderr);
  return { wallMs, cpuMs: (Number(user) + Number(system)) * 1000 };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

for (const [, args] of COMMANDS) once(args); // warm the file cache
const samples = COMMANDS.map(() => ({ wall: [], cpu: [] }));
for (let round = 0; round < rounds; round++) {
  for (let k = 0; k < COMMANDS.length; k++) {
    const which = (round + k) % COMMANDS.length;
    const { wallMs, cpuMs } = once(COMMANDS[which][1]);
    samples[which].wall.push(wallMs);
    samples[which].cpu.push(cpuMs);
  }
}
const base = { wall: median(samples[0].wall), cpu: median(samples[0].cpu) };
console.log(`| command (${rounds} interleaved runs each) | wall ms, median | × node -e 0 | CPU ms, median | × node -e 0 |`);
console.log('|---|---:|---:|---:|---:|');
COMMANDS.forEach(([name], k) => {
  const wall = median(samples[k].wall);
  const cpu = median(samples[k].cpu);
  console.log(`| ${name} | ${wall.toFixed(1)} | ${(wall / base.wall).toFixed(2)} | ${cpu.toFixed(0)} | ${(cpu / base.cpu).toFixed(2)} |`);
});
