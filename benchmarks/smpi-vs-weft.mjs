// weft's small-end ring sweep against SimGrid SMPI in the same run (issue #13: "the 14-size ring
// sweep on switch:8 (4 B–256 MiB, ×4): ≥ 3× faster than SimGrid SMPI in the same run").
//
//   apt-get install -y libsimgrid-dev            (SimGrid 3.32 on Debian bookworm: smpicc, smpirun)
//   npx -y pnpm@10.34.8 run build && node benchmarks/smpi-vs-weft.mjs [--runs N] [--topology switch:N]
//        [--max SIZE] [--plain-malloc | --noop-op]
// --max SIZE (K/M/G = 2^10/2^20/2^30) ends the sweep early on both sides: `--max 4` (one size) and
// `--max 1M` split each side's CPU into start-up, small sizes and large sizes.
//
// What runs, alternately, N times each (the order rotating every round, so a shared machine's load
// hits every command alike), each under /usr/bin/time for the child's user and system CPU:
//   weft   node packages/cli/dist/bundle/main.js bench allreduce --topology switch:8 --algo ring
//          --mode ghost -b 4 -e 256M -f 4
//   SMPI   smpirun of benchmarks/mpi/allreduce-sweep.c (one MPI_Allreduce per size, float sum, 8 ranks)
//          on a platform file written from weft's own switch:8 links (benchmarks/mpi/smpi-platform.mjs),
//          once with each collective algorithm/network model in SMPI_CONFIGS below.
// SMPI options common to every run:
//   smpi/simulate-computation:no  do not benchmark the host CPU between MPI calls and inject it as
//                                 simulated compute (weft ghost mode has no compute either)
//   smpi/wtime:0                  MPI_Wtime advances no simulated time itself
//   smpi/display-timing:no, log thresholds at error: no console work beyond the results
// The program allocates its buffers with SMPI_SHARED_MALLOC (one physical copy for all ranks; SMPI
// then skips copying payloads), the closest SMPI has to ghost mode; `--plain-malloc` builds it with
// malloc instead (each rank its own 2 × 256 MiB; SMPI copies every payload and runs every reduction);
// `--noop-op` reduces with a user MPI_Op that does nothing (no sums computed: nearer ghost mode still).
// Then one more run of each prints the simulated time per size side by side.
// Results: benchmarks/results/speed.md §33.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTopologySpec } from '@weft/fabric';
import { smpiPlatformXml } from './mpi/smpi-platform.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const SWEEP = { minBytes: 4, factor: 4 };
const UNIT_BYTES = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 };

/** One clear line and exit 2: this is a benchmark script, not a library. */
function fail(message) {
  console.error(`smpi-vs-weft: ${message}`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = { runs: 5, topology: 'switch:8', plainMalloc: false, noopOp: false, max: '256M' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--runs') options.runs = Number(argv[++i]);
    else if (flag === '--topology') options.topology = argv[++i];
    else if (flag === '--plain-malloc') options.plainMalloc = true;
    else if (flag === '--noop-op') options.noopOp = true;
    else if (flag === '--max') options.max = argv[++i];
    else fail(`unknown argument '${flag}' (usage: node benchmarks/smpi-vs-weft.mjs [--runs N] [--topology switch:N] [--max SIZE] [--plain-malloc | --noop-op])`);
  }
  if (!Number.isInteger(options.runs) || options.runs < 1) fail('--runs must be a positive integer');
  if (typeof options.topology !== 'string' || !/^switch:\d+/.test(options.topology)) fail('--topology must be a switch:N preset (one switch, one link each way per rank)');
  const size = /^(\d+)([KMG]?)$/.exec(options.max ?? '');
  options.maxBytes = size ? Number(size[1]) * UNIT_BYTES[size[2]] : NaN;
  if (!(options.maxBytes >= SWEEP.minBytes && options.maxBytes <= 2 ** 31 - 1)) fail(`--max must be a size from 4 to 2G-1 bytes, e.g. 1M (got '${options.max}')`);
  return options;
}

/** Which SMPI runs to time; `cfg` is passed as --cfg=… options. */
const SMPI_CONFIGS = [
  {
    name: 'SMPI lr/CM02',
    // lr: SimGrid's logical ring (reduce-scatter ring, then all-gather ring, blocks of count/p);
    // for count < p it falls back to `default`. CM02: SimGrid's plain max-min model with no
    // latency/bandwidth correction factors — the model weft's maxMin fabric matches; and no
    // cross traffic (SimGrid otherwise adds a reverse flow of 5 % of each message for TCP's
    // acknowledgements, 5 % slower at 256 MiB; weft's links carry no acknowledgements).
    cfg: ['smpi/allreduce:lr', 'network/model:CM02', 'network/crosstraffic:0'],
  },
  {
    name: 'SMPI default',
    // Out of the box: allreduce `default` (reduce to rank 0, then binomial-tree broadcast;
    // smpi_default_selector.cpp) on network/model SMPI (piecewise latency/bandwidth factors
    // fitted to a TCP cluster, as smpirun sets it).
    cfg: [],
  },
];
const SMPI_COMMON = ['smpi/simulate-computation:no', 'smpi/wtime:0', 'smpi/display-timing:no'];

function onPath(command, versionArgs) {
  const probe = spawnSync(command, versionArgs, { encoding: 'utf8' });
  return probe.error?.code !== 'ENOENT';
}

/** Run a command under /usr/bin/time: its stdout, wall ms (this process's clock), user and system CPU s. */
function timed(command, args, timeFile) {
  const started = process.hrtime.bigint();
  const run = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%U %S', command, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) fail(`${command} ${args.join(' ')} exited ${run.status}: ${(run.stderr || '').trim().split('\n').slice(-3).join(' | ')}`);
  const [user, system] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { stdout: run.stdout, wallMs, userS: user, systemS: system };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const options = parseArgs(process.argv.slice(2));
if (!onPath('smpirun', ['-version']) || !onPath('smpicc', ['--version'])) {
  fail('smpirun/smpicc not found: install SimGrid SMPI (Debian/Ubuntu: sudo apt-get install -y libsimgrid-dev)');
}
const bundle = join(root, 'packages/cli/dist/bundle/main.js');
if (!existsSync(bundle)) fail(`${bundle} missing: run \`npx -y pnpm@10.34.8 run build\` first`);
if (!existsSync('/usr/bin/time')) fail('/usr/bin/time not found (Debian: apt-get install -y time)');

let topology;
try {
  topology = parseTopologySpec(options.topology);
} catch (error) {
  fail(`--topology ${options.topology}: ${error.message}`);
}
const dir = mkdtempSync(join(os.tmpdir(), 'weft-smpi-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const program = join(dir, 'allreduce-sweep');
const defines = [...(options.plainMalloc ? ['-DPLAIN_MALLOC'] : []), ...(options.noopOp ? ['-DNOOP_OP'] : [])];
const compile = spawnSync('smpicc', ['-O2', ...defines, '-o', program, join(root, 'benchmarks/mpi/allreduce-sweep.c')], { encoding: 'utf8' });
if (compile.status !== 0) fail(`smpicc failed: ${(compile.stderr || compile.error?.message || '').trim().split('\n')[0]}`);
const platform = join(dir, 'platform.xml');
const hostfile = join(dir, 'hostfile');
try {
  writeFileSync(platform, smpiPlatformXml(topology));
} catch (error) {
  fail(error.message);
}
writeFileSync(hostfile, topology.ranks.join('\n') + '\n');
const timeFile = join(dir, 'time.txt');

const sweepArgs = ['-b', String(SWEEP.minBytes), '-e', options.max, '-f', String(SWEEP.factor)];
const weftArgs = (format) => [bundle, 'bench', 'allreduce', '--topology', options.topology, '--algo', 'ring', '--mode', 'ghost', ...sweepArgs, ...format];
const smpiArgs = (config) => [
  '-np', String(topology.ranks.length), '-platform', platform, '-hostfile', hostfile, program,
  String(SWEEP.minBytes), String(options.maxBytes), String(SWEEP.factor),
  ...[...SMPI_COMMON, ...config.cfg].map((cfg) => `--cfg=${cfg}`), '--log=root.thres:error',
];
const COMMANDS = [
  { name: 'weft bench (ghost, ring)', run: () => timed(process.execPath, weftArgs([]), timeFile) },
  ...SMPI_CONFIGS.map((config) => ({ name: config.name, run: () => timed('smpirun', smpiArgs(config), timeFile) })),
];

const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
const smpiVersion = spawnSync('smpirun', ['-version'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
console.log(`# weft vs SimGrid SMPI, ${options.topology}, 4 B–${options.max} ×${SWEEP.factor} — ${new Date().toISOString()}, load ${load()}`);
console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}, node ${process.version}, ${smpiVersion}; SMPI buffers: ${options.plainMalloc ? 'malloc' : 'SMPI_SHARED_MALLOC'}, op: ${options.noopOp ? 'no-op MPI_Op' : 'MPI_SUM'}\n`);

for (const command of COMMANDS) command.run(); // warm the file cache and the page cache
const samples = COMMANDS.map(() => ({ wall: [], user: [], cpu: [] }));
for (let round = 0; round < options.runs; round++) {
  for (let k = 0; k < COMMANDS.length; k++) {
    const which = (round + k) % COMMANDS.length;
    const { wallMs, userS, systemS } = COMMANDS[which].run();
    samples[which].wall.push(wallMs / 1000);
    samples[which].user.push(userS);
    samples[which].cpu.push(userS + systemS);
  }
}
const weftCpu = median(samples[0].cpu);
console.log(`| command (${options.runs} interleaved runs each, medians) | wall s | user CPU s | user+sys CPU s | CPU / weft's |`);
console.log('|---|---:|---:|---:|---:|');
COMMANDS.forEach(({ name }, k) => {
  const cpu = median(samples[k].cpu);
  console.log(`| ${name} | ${median(samples[k].wall).toFixed(2)} | ${median(samples[k].user).toFixed(2)} | ${cpu.toFixed(2)} | ${(cpu / weftCpu).toFixed(2)} |`);
});

// Simulated time per size, one more run of each.
const weftRows = JSON.parse(timed(process.execPath, weftArgs(['--format', 'json']), timeFile).stdout).rows;
const smpiTimes = SMPI_CONFIGS.map((config) => {
  const bySize = new Map();
  for (const line of timed('smpirun', smpiArgs(config), timeFile).stdout.trim().split('\n')) {
    const [bytes, seconds] = line.trim().split(/\s+/).map(Number);
    if (Number.isFinite(bytes) && Number.isFinite(seconds)) bySize.set(bytes, seconds * 1e6);
  }
  return bySize;
});
console.log(`\n| size B | weft time us | weft proto | ${SMPI_CONFIGS.map((c) => `${c.name} us | weft / ${c.name}`).join(' | ')} |`);
console.log(`|---:|---:|---|${SMPI_CONFIGS.map(() => '---:|---:').join('|')}|`);
for (const row of weftRows) {
  const cells = smpiTimes.map((bySize) => {
    const us = bySize.get(row.bytes);
    return us === undefined ? 'n/a | n/a' : `${us.toFixed(2)} | ${(row.timeUs / us).toFixed(2)}`;
  });
  console.log(`| ${row.bytes} | ${row.timeUs.toFixed(2)} | ${row.protocol} | ${cells.join(' | ')} |`);
}
console.log(`\nload at the end: ${load()}`);
