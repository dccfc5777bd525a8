// Data mode against Open MPI on this machine, in one run: wall-clock busbw of a 64 MiB float32
// all-reduce at 2, 4 and 8 ranks — weft with `weft bench`'s default flags (NCCL's choice;
// ranks on `switch:N`, as `--ranks N`) and Open MPI's MPI_Allreduce (shared memory, one
// process per rank) — and single-thread memcpy of the same size for scale.
// busbw = bytes / time × 2(p−1)/p (nccl-tests); weft's time is the coordinated collective
// (what nccl-tests times: inputs filled and check done outside it), best of 5 after a checked run.
//   apt-get install -y openmpi-bin libopenmpi-dev
//   npx -y pnpm@10.34.8 run build && node benchmarks/runtime-vs-mpi.mjs [--base DIR] [MiB] [ranks...]
// --base DIR: also time the weft built in DIR (another checkout, built) at each rank count, in
// the same run, alternating with this one: a paired before/after on a shared machine. Each side
// then runs in its own process per rank count (`--weft-only`), so nothing process-wide — the
// threads' priorities (runtime/src/node/background-priority.ts), V8's warm-up — passes from one
// side to the other; without --base, weft runs in this process, one rank count after another.
// Results: benchmarks/results/runtime.md.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseTopologySpec } from '@weft/fabric';
import * as runtime from '@weft/runtime';
import { planAuto } from './weft-auto.mjs';

const args = process.argv.slice(2);
const baseAt = args.indexOf('--base');
const baseDir = baseAt >= 0 ? args.splice(baseAt, 2)[1] : undefined;
// --weft-only [DIR]: time weft (this checkout's, or DIR's) at the given rank counts; one JSON line each.
const onlyAt = args.indexOf('--weft-only');
const onlyDir = onlyAt >= 0 ? args.splice(onlyAt, 2)[1] : undefined;
const mib = Number(args[0] ?? 64);
const rankCounts = args.length > 1 ? args.slice(1).map(Number) : [2, 4, 8];
const bytes = mib * 2 ** 20;
const REPEATS = 5;
const busbw = (ms, p) => ((bytes / (ms / 1000) / 1e9) * ((2 * (p - 1)) / p));

function memcpyMs() {
  const src = new Float32Array(bytes / 4).fill(1);
  const dst = new Float32Array(bytes / 4);
  let best = Infinity;
  for (let i = 0; i <= REPEATS; i++) {
    const t0 = performance.now();
    dst.set(src);
    if (i > 0) best = Math.min(best, performance.now() - t0);
  }
  return best;
}

async function weftMs(p, { createCluster } = runtime) {
  const topology = parseTopologySpec(`switch:${p}`);
  const { choice, schedule } = planAuto(topology, bytes);
  const cluster = await createCluster({ topology, network: { model: 'maxMin', routing: 'ecmp', qps: 1, seed: 1, record: 'summary' }, mode: 'data' });
  try {
    const first = await cluster.runSchedule(schedule, { dtype: 'float32', op: 'sum', check: true });
    if (first.wrong !== 0) throw new Error(`weft on ${p} ranks: ${first.wrong} wrong`);
    let best = Infinity;
    for (let i = 0; i < REPEATS; i++) best = Math.min(best, (await cluster.runSchedule(schedule, { dtype: 'float32', op: 'sum', check: false })).phasesMs.simulateMs);
    return { ms: best, label: `${choice.algorithm.name}/${choice.params.protocol}/${choice.params.channels}ch`, rounds: first.rounds };
  } finally {
    await cluster.close();
  }
}

function mpiMs(binary, p) {
  const out = execFileSync('mpirun', ['--allow-run-as-root', '--oversubscribe', '-np', String(p), binary, String(mib), String(REPEATS)], { encoding: 'utf8' });
  return Number(out.trim().split('\n').pop());
}

if (onlyAt >= 0) {
  const chosen = onlyDir && onlyDir !== '.' ? await import(join(onlyDir, 'packages/runtime/dist/index.js')) : runtime;
  for (const p of rankCounts) console.log(JSON.stringify({ p, ...(await weftMs(p, chosen)) }));
  process.exit(0);
}

/** weft timed in a process of its own (DIR's build, or this checkout's for '.'). */
function weftInProcess(dir, p) {
  const out = execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--weft-only', dir, String(mib), String(p)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop());
}

const dir = mkdtempSync(join(os.tmpdir(), 'weft-mpi-'));
const binary = join(dir, 'allreduce');
execFileSync('mpicc', ['-O2', '-o', binary, new URL('./mpi/allreduce.c', import.meta.url).pathname]);
const mpiVersion = execFileSync('mpirun', ['--version'], { encoding: 'utf8' }).split('\n')[0];

console.log(`# weft data mode vs Open MPI — ${new Date().toISOString()}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}, node ${process.version}, ${mpiVersion}\n`);
const copy = memcpyMs();
console.log(`single-thread memcpy of ${mib} MiB: ${copy.toFixed(1)} ms = ${(bytes / (copy / 1000) / 1e9).toFixed(2)} GB/s\n`);
const memcpyBusbw = bytes / (copy / 1000) / 1e9;
const baseHead = baseDir ? ' base weft ms | base busbw GB/s | base / MPI |' : '';
console.log(`| ranks | weft choice | weft ms | weft busbw GB/s | Open MPI ms | Open MPI busbw GB/s | weft / MPI | weft busbw / memcpy |${baseHead}`);
console.log(`|---:|---|---:|---:|---:|---:|---:|---:|${baseDir ? '---:|---:|---:|' : ''}`);
for (const p of rankCounts) {
  const base = baseDir ? weftInProcess(baseDir, p) : undefined;
  const weft = baseDir ? weftInProcess('.', p) : await weftMs(p);
  const mpi = mpiMs(binary, p);
  const w = busbw(weft.ms, p);
  const m = busbw(mpi, p);
  const baseCols = base ? ` ${base.ms.toFixed(1)} | ${busbw(base.ms, p).toFixed(2)} | ${(busbw(base.ms, p) / m).toFixed(2)} |` : '';
  console.log(`| ${p} | ${weft.label} | ${weft.ms.toFixed(1)} | ${w.toFixed(2)} | ${mpi.toFixed(1)} | ${m.toFixed(2)} | ${(w / m).toFixed(2)} | ${((w / memcpyBusbw) * 100).toFixed(0)} % |${baseCols}`);
}
console.log(`\nload at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
