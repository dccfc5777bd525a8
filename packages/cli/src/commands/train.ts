import { Command } from 'commander';
import cliProgress from 'cli-progress';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { listAlgorithms } from '@weft/collectives';
import { WeftInputError } from '@weft/sim';
import {
  BACKEND_CHOICES, DEVICE_NAMES, TRAIN_MODES, MODEL_USAGE, PRECISIONS, deviceProfile, formatEpoch, formatHeader, formatSummary, parseModelSpec, train,
  type BackendChoice, type Precision, type TrainMode, type TrainOptions, type TrainReport,
} from '@weft/train';
import { MODEL_NAMES, ROUTING_NAMES, parseInteger, parseNumber, pick } from '../names.js';
import { assertWritable, writeFileAtomic } from '../output.js';
import { parseSizeBytes } from '../sizes.js';
import { loadTopology, topologySpecFrom } from '../topology.js';

/** Options as commander hands them over: strings, validated in toTrainOptions. */
export interface TrainCliOptions {
  model: string;
  ranks?: string;
  topology?: string;
  algo: string;
  steps: string;
  globalBatch: string;
  bucketMb: string;
  channels: string;
  chunk: string;
  device: string;
  computeEfficiency?: string;
  backend: string;
  precision: string;
  lr: string;
  momentum: string;
  mode: string;
  network: string;
  routing: string;
  qps: string;
  seed: string;
  ranksPerWorker?: string;
  out?: string;
  plot?: string;
}

const choices = <T extends string>(values: readonly T[]): Record<string, T> => Object.fromEntries(values.map((v) => [v, v]));

export function registerTrain(program: Command): Command {
  return program
    .command('train')
    .description('data-parallel SGD on emulated GPUs: real TensorFlow.js gradients through weft all-reduce, emulated step time')
    .option('--model <name>', `model: ${MODEL_USAGE}`, 'mlp')
    .option('--ranks <n>', 'shorthand for --topology switch:N')
    .option('--topology <spec|file>', 'preset spec (e.g. dgx-h100:nodes=2) or a JSON/YAML file (default switch:2)')
    .option('--algo <name>', 'all-reduce algorithm for the gradient buckets (see weft algos)', 'ring')
    .option('--steps <n>', 'optimizer steps', '200')
    .option('--global-batch <n>', 'samples per step over all ranks (a multiple of the rank count)', '64')
    .option('--bucket-mb <mb>', "gradient bucket cap in MiB (PyTorch DDP's bucket_cap_mb)", '25')
    .option('--channels <n>', 'channels per all-reduce (NCCL nChannels)', '1')
    .option('--chunk <size>', 'all-reduce pipelining chunk (K/M/G = 2^10/2^20/2^30)', '2M')
    .option('--device <name>', `device profile for compute time: ${DEVICE_NAMES.join(', ')}`, 'h100')
    .option('--compute-efficiency <fraction>', "override the device profile's sustained fraction of peak FLOP/s")
    .option('--backend <name>', `TensorFlow.js backend: ${BACKEND_CHOICES.join(', ')}`, 'auto')
    .option('--precision <p>', 'fp32, or bf16 (bf16 compute peak, gradients rounded to bf16 and all-reduced as 2-byte elements)', 'fp32')
    .option('--lr <rate>', 'SGD learning rate', '0.1')
    .option('--momentum <m>', 'SGD momentum (0 for plain SGD)', '0.9')
    .option('--mode <mode>', 'data (real training in worker threads), ghost (emulated time only, no tensors) or predict (alpha-beta prediction, no simulation)', 'data')
    .option('--network <name>', 'network model: alphaBeta, maxMin', 'maxMin')
    .option('--routing <name>', 'routing: ecmp, adaptive', 'ecmp')
    .option('--qps <n>', 'queue pairs per connection', '1')
    .option('--seed <n>', 'seed for weights, data order and ECMP hashing', '1')
    .option('--ranks-per-worker <n>', 'ranks hosted by each worker thread (data mode)')
    .option('--out <file.json>', 'write the report (loss curve, accuracy, step-time breakdown) as JSON')
    .option('--plot <file.svg>', 'write SVG charts of the loss and of the step-time breakdown')
    .action((options: TrainCliOptions) => runTrain(options));
}

function parseBounded(flag: string, text: string, min: number, max: number, inclusiveMin: boolean): number {
  const value = parseNumber(flag, text);
  if (value > max || value < min || (!inclusiveMin && value === min)) {
    throw new WeftInputError(`${flag}: '${text}' is not accepted; use a number ${inclusiveMin ? '>=' : '>'} ${min} and <= ${max}`);
  }
  return value;
}

export function toTrainOptions(options: TrainCliOptions): TrainOptions {
  const topologySpec = topologySpecFrom(options, 'switch:2');
  const model = parseModelSpec(options.model);
  const known = listAlgorithms('allReduce').map((a) => a.name);
  if (!known.includes(options.algo)) throw new WeftInputError(`--algo: unknown all-reduce algorithm '${options.algo}'; accepted: ${known.join(', ')}`);
  const bucketMb = parseBounded('--bucket-mb', options.bucketMb, 0, 1e6, false);
  const computeEfficiency = options.computeEfficiency !== undefined ? parseBounded('--compute-efficiency', options.computeEfficiency, 0, 1, false) : undefined;
  const topology = loadTopology(topologySpec);
  return {
    model,
    topology,
    network: {
      model: pick('network model', options.network, MODEL_NAMES),
      routing: pick('routing', options.routing, ROUTING_NAMES),
      qps: parseInteger('--qps', options.qps, 1, 64),
      seed: parseInteger('--seed', options.seed, 0, 2 ** 32 - 1),
    },
    mode: pick('mode', options.mode, choices<TrainMode>(TRAIN_MODES)),
    algorithm: options.algo,
    steps: parseInteger('--steps', options.steps, 1, 1_000_000),
    globalBatch: parseInteger('--global-batch', options.globalBatch, 1, 1e9),
    bucketCapBytes: Math.round(bucketMb * 2 ** 20),
    channels: parseInteger('--channels', options.channels, 1, 64),
    chunkBytes: parseSizeBytes(options.chunk, '--chunk'),
    device: deviceProfile(pick('device', options.device, choices(DEVICE_NAMES)), computeEfficiency),
    precision: pick('precision', options.precision, choices<Precision>(PRECISIONS)),
    backend: pick('backend', options.backend, choices<BackendChoice>(BACKEND_CHOICES)),
    seed: parseInteger('--seed', options.seed, 0, 2 ** 32 - 1),
    learningRate: parseBounded('--lr', options.lr, 0, 1e6, false),
    momentum: parseBounded('--momentum', options.momentum, 0, 0.9999, true),
    ...(options.ranksPerWorker !== undefined ? { ranksPerWorker: parseInteger('--ranks-per-worker', options.ranksPerWorker, 1) } : {}),
  };
}

export async function runTrain(options: TrainCliOptions): Promise<void> {
  for (const [flag, path, extension] of [['--out', options.out, '.json'], ['--plot', options.plot, '.svg']] as const) {
    if (path === undefined) continue;
    if (!path.toLowerCase().endsWith(extension)) throw new WeftInputError(`${flag}: '${path}' must end in ${extension}`);
    assertWritable(flag, path);
  }
  const trainOptions = toTrainOptions(options);
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        { stream: process.stderr, format: 'weft train [{bar}] step {value}/{total}', hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(trainOptions.steps, 0);
  let computeNs = 0;
  const { report } = await train(trainOptions, {
    onStart: (header) => {
      computeNs = header.compute.computeNs;
      writeAboveBar(bar, formatHeader(header));
    },
    onStep: (step) => bar?.update(step),
    onEpoch: (epoch) => writeAboveBar(bar, formatEpoch(epoch, computeNs)),
  }).finally(() => bar?.stop());
  process.stdout.write(formatSummary(report));
  if (options.out !== undefined) writeFileAtomic(options.out, JSON.stringify(report, null, 2) + '\n');
  if (options.plot !== undefined) writeFileAtomic(options.plot, await plotTrainSvg(report));
}

/** Result lines go to stdout; a live bar on the same terminal is cleared and redrawn around them. */
function writeAboveBar(bar: cliProgress.SingleBar | undefined, text: string): void {
  if (bar) process.stderr.write('\r\x1b[2K');
  process.stdout.write(text);
  bar?.render();
}

/** Loss against step (data mode) beside the emulated step time split into its parts. */
export async function plotTrainSvg(report: TrainReport): Promise<string> {
  const t = report.stepTime;
  const us = (ns: number) => ns / 1e3;
  const overlapped = Math.max(0, t.commBusyNs - t.exposedCommNs);
  const parts = [
    { bar: 'step', part: '1 forward', timeUs: us(t.forwardNs) },
    { bar: 'step', part: '2 backward', timeUs: us(t.backwardNs) },
    { bar: 'step', part: '3 optimizer', timeUs: us(t.optimizerNs) },
    { bar: 'step', part: '4 exposed comm', timeUs: us(t.exposedCommNs) },
    { bar: 'all-reduce busy', part: '5 overlapped comm', timeUs: us(overlapped) },
    { bar: 'all-reduce busy', part: '4 exposed comm', timeUs: us(Math.max(0, t.commBusyNs - overlapped)) },
  ];
  const subtitle = `${report.model.name} on ${report.topology.spec} (${report.topology.ranks} ranks), ${report.algorithm}, ${report.device.name} ${report.precision}, global batch ${report.globalBatch}`;
  const breakdownChart = {
    title: `emulated step time: scaling efficiency ${(t.scalingEfficiency * 100).toFixed(1)}%`,
    width: 420,
    height: 120,
    data: { values: parts },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'bar', type: 'nominal', title: null, sort: ['step', 'all-reduce busy'] },
      x: { field: 'timeUs', type: 'quantitative', stack: 'zero', title: 'virtual time per step (us)' },
      color: { field: 'part', type: 'nominal', title: 'part', scale: { scheme: 'tableau10' } },
      order: { field: 'part', type: 'ordinal' },
    },
  };
  const lossValues = report.perStep.filter((s) => s.loss !== null).map((s) => ({ step: s.step, loss: s.loss }));
  const lossChart = {
    title: 'training loss (global batch)',
    width: 420,
    height: 260,
    data: { values: lossValues },
    mark: { type: 'line' },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: false } },
    },
  };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'weft train', subtitle },
    vconcat: lossValues.length > 0 ? [lossChart, breakdownChart] : [breakdownChart],
  } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
