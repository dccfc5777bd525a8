import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { listAlgorithms } from '@weft/collectives';
import { WeftInputError } from '@weft/sim';
import type { BenchConfig } from '../bench/config.js';
import { runSweep } from '../bench/sweep.js';
import type { BenchReport } from '../bench/report.js';
import { formatCsv } from '../format/csv.js';
import { formatJson } from '../format/json.js';
import { plotBusBwSvg } from '../format/plot.js';
import { formatTable } from '../format/table.js';
import { buildTrace } from '../format/trace.js';
import {
  COLLECTIVE_NAMES, DTYPE_NAMES, FORMAT_NAMES, MODEL_NAMES, MODE_NAMES, OP_NAMES, ROUTING_NAMES,
  parseInteger, parseNumber, pick,
} from '../names.js';
import { assertWritable, writeFileAtomic } from '../output.js';
import { parseSizeBytes, sizeSweep } from '../sizes.js';
import { loadTopology, topologySpecFrom } from '../topology.js';

/** Options as commander hands them over: strings, validated in toConfig. */
export interface BenchOptions {
  minbytes: string;
  maxbytes: string;
  stepfactor: string;
  stepbytes?: string;
  iters: string;
  warmup_iters: string;
  check: string;
  datatype: string;
  op: string;
  root: string;
  topology?: string;
  ranks?: string;
  algo: string;
  model: string;
  routing: string;
  qps: string;
  mode: string;
  seed: string;
  channels: string;
  chunk: string;
  ranksPerWorker?: string;
  format: string;
  out?: string;
  trace?: string;
  plot?: string;
  links?: boolean | string;
}

/** The main job (`weft` with no arguments): what the README's first command runs. */
export const DEFAULT_JOB = {
  collective: 'allreduce',
  topology: 'dgx-h100:nodes=2',
  algo: 'ring,tree,auto',
  minbytes: '8',
  maxbytes: '128M',
} as const;

export function addBenchOptions(command: Command): Command {
  return command
    .option('-b, --minbytes <size>', 'smallest message size (K/M/G = 2^10/2^20/2^30)', '8')
    .option('-e, --maxbytes <size>', 'largest message size', '128M')
    .option('-f, --stepfactor <factor>', 'multiply the size by this between rows', '2')
    .option('-i, --stepbytes <size>', 'add this to the size between rows (overrides -f)')
    .option('-n, --iters <n>', 'timed iterations per size (simulated time is deterministic, so 1 suffices)', '1')
    .option('-w, --warmup_iters <n>', 'untimed iterations before the timed ones', '0')
    .option('-c, --check <0|1>', 'check results (data mode)', '1')
    .option('-d, --datatype <type>', `element type: ${Object.keys(DTYPE_NAMES).join(', ')}`, 'float')
    .option('-o, --op <op>', `reduction: ${Object.keys(OP_NAMES).join(', ')}`, 'sum')
    .option('-r, --root <rank>', 'root rank for broadcast and reduce', '0')
    .option('--topology <spec|file>', 'preset spec (e.g. dgx-h100:nodes=2, switch:8,linkBw=400Gbps) or a JSON/YAML file')
    .option('--ranks <n>', 'shorthand for --topology switch:N')
    .option('--algo <names>', "algorithms: comma list, 'all' or 'auto'", 'auto')
    .option('--model <name>', 'network model: alphaBeta, maxMin', 'maxMin')
    .option('--routing <name>', 'routing: ecmp, adaptive', 'ecmp')
    .option('--qps <n>', 'queue pairs per connection (ECMP hashes each separately)', '1')
    .option('--mode <mode>', 'data (real bytes in worker threads) or ghost (no payload)', 'data')
    .option('--seed <n>', 'seed for ECMP hashing', '1')
    .option('--channels <n>', 'channels per algorithm (NCCL nChannels)', '1')
    .option('--chunk <size>', 'pipelining chunk size', '2M')
    .option('--ranks-per-worker <n>', 'ranks hosted by each worker thread (data mode)')
    .option('--format <fmt>', 'stdout format: table, json, csv', 'table')
    .option('--out <file>', 'also write the result to FILE (.json, .csv, else the --format)')
    .option('--trace <file>', 'write a Chrome/Perfetto trace of every run (simulated time)')
    .option('--plot <file.svg>', 'write an SVG plot of busbw against size')
    .addOption(new Option('--links [n]', 'show the n most utilized links per row (default 10)'));
}

export function toConfig(collectiveText: string, options: BenchOptions): BenchConfig {
  const collective = pick('collective', collectiveText, COLLECTIVE_NAMES);
  const topologySpec = topologySpecFrom(options, DEFAULT_JOB.topology);
  const stepBytes = options.stepbytes !== undefined ? parseSizeBytes(options.stepbytes, '-i/--stepbytes') : undefined;
  const sizesBytes = sizeSweep(
    parseSizeBytes(options.minbytes, '-b/--minbytes'),
    parseSizeBytes(options.maxbytes, '-e/--maxbytes'),
    parseNumber('-f/--stepfactor', options.stepfactor),
    stepBytes,
  );
  const mode = pick('mode', options.mode, MODE_NAMES);
  const check = parseInteger('-c/--check', options.check, 0, 1) === 1;
  const known = listAlgorithms(collective).map((algorithm) => algorithm.name);
  const requested = options.algo.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (requested.length === 0) throw new WeftInputError(`--algo: no algorithm given; accepted: ${[...known, 'all', 'auto'].join(', ')}`);
  const algorithms: string[] = [];
  const fromAll = new Set<string>();
  for (const name of requested) {
    const expanded = name === 'all' ? known : [name];
    for (const each of expanded) {
      if (each !== 'auto' && !known.includes(each)) {
        throw new WeftInputError(`--algo: unknown algorithm '${each}' for ${collectiveText}; accepted: ${[...known, 'all', 'auto'].join(', ')}`);
      }
      if (!algorithms.includes(each)) algorithms.push(each);
      if (name === 'all') fromAll.add(each);
      else fromAll.delete(each);
    }
  }
  const links = options.links === undefined || options.links === false ? 0 : options.links === true ? 10 : parseInteger('--links', options.links, 1, 1000);
  return {
    collective,
    collectiveCliName: collectiveText.toLowerCase(),
    topologySpec,
    sizesBytes,
    iters: parseInteger('-n/--iters', options.iters, 1, 10_000),
    warmupIters: parseInteger('-w/--warmup_iters', options.warmup_iters, 0, 10_000),
    check,
    dtype: pick('datatype', options.datatype, DTYPE_NAMES),
    op: pick('reduction op', options.op, OP_NAMES),
    root: parseInteger('-r/--root', options.root, 0),
    algorithms,
    fromAll: [...fromAll],
    model: pick('model', options.model, MODEL_NAMES),
    routing: pick('routing', options.routing, ROUTING_NAMES),
    qps: parseInteger('--qps', options.qps, 1, 64),
    seed: parseInteger('--seed', options.seed, 0, 2 ** 32 - 1),
    mode,
    channels: parseInteger('--channels', options.channels, 1, 64),
    chunkBytes: parseSizeBytes(options.chunk, '--chunk'),
    ...(options.ranksPerWorker !== undefined ? { ranksPerWorker: parseInteger('--ranks-per-worker', options.ranksPerWorker, 1) } : {}),
    links,
    trace: options.trace !== undefined,
  };
}

function formatFor(path: string, fallback: 'table' | 'json' | 'csv'): 'table' | 'json' | 'csv' {
  if (/\.json$/i.test(path)) return 'json';
  if (/\.csv$/i.test(path)) return 'csv';
  return fallback;
}

function render(report: BenchReport, format: 'table' | 'json' | 'csv'): string {
  return format === 'json' ? formatJson(report) : format === 'csv' ? formatCsv(report) : formatTable(report);
}

export async function runBench(collectiveText: string, options: BenchOptions): Promise<void> {
  const format = pick('format', options.format, FORMAT_NAMES);
  const config = toConfig(collectiveText, options);
  for (const [flag, path] of [['--out', options.out], ['--trace', options.trace], ['--plot', options.plot]] as const) {
    if (path !== undefined) assertWritable(flag, path);
  }
  if (options.plot !== undefined && !/\.svg$/i.test(options.plot)) {
    throw new WeftInputError(`--plot: '${options.plot}' must end in .svg`);
  }
  const topology = loadTopology(config.topologySpec);

  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        { stream: process.stderr, format: 'weft bench [{bar}] {value}/{total} {label}', hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let barStarted = false;
  // The result is printed once the sweep ends, so the progress bar (stderr) never
  // interleaves with the table (stdout).
  const { report, traceRuns } = await runSweep(config, topology, {
    onProgress: (done, total, label) => {
      if (!bar) return;
      if (!barStarted) {
        bar.start(total, done, { label });
        barStarted = true;
      } else bar.update(done, { label });
    },
  }).finally(() => bar?.stop());
  process.stdout.write(render(report, format));
  if (options.out !== undefined) writeFileAtomic(options.out, render(report, formatFor(options.out, format)));
  if (options.trace !== undefined) writeFileAtomic(options.trace, JSON.stringify(buildTrace(traceRuns)));
  if (options.plot !== undefined) writeFileAtomic(options.plot, await plotBusBwSvg(report));
}
