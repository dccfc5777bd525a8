import { Command, Option } from 'commander';
import { WeftInputError } from '@weft/sim';
import {
  BACKEND_CHOICES, DEVICE_NAMES, MODEL_USAGE, TRAIN_DEFAULTS, compareSteps, formatEpoch, formatFaultReport, formatHeader, formatSummary, parseTrainConfig, stepAt, train,
  type TrainConfig, type TrainConfigKey, type TrainFaultReport, type TrainReport, type TrainResult,
} from '@weft/train';
import type { Fault } from '@weft/runtime';
import { resolveRouting, type Topology } from '@weft/fabric';
import { readNcclEnvironment } from '@weft/collectives';
import { renderSvg } from '../format/plot.js';
import { assertDistinct, checkOutputs, writeOutputs, type OutputFile } from '../output.js';
import { progressBar } from '../ui/progress.js';
import { checkSizedThread } from '../entry.js';
import { packetOnlyError } from '../names.js';
import { formatSizeBytes, parseSizeBytes } from '../sizes.js';
import { loadTopology, topologyInputs, topologySpecFrom } from '../topology.js';
import { completedOutcome, describeFaults, resolveFaults, runFailureText, scenarioFromFlags, slowdownText } from '../faults.js';

/**
 * The flags that set the train config, one row each: the config field, commander's flag
 * spelling, the help text, and for a flag not given as the field's own value, how to read it.
 * Defaults and validation come from the config schema (@weft/train's trainConfigSchema).
 */
const CONFIG_FLAGS: readonly (readonly [TrainConfigKey, string, string, ((text: string) => unknown)?])[] = [
  ['model', '--model <name>', `model: ${MODEL_USAGE}`],
  ['algorithm', '--algo <name>', "all-reduce algorithm for the gradient buckets (see weft algos), or auto: NCCL's choice per bucket size"],
  ['steps', '--steps <n>', 'optimizer steps'],
  ['globalBatch', '--global-batch <n>', 'samples per step over all ranks (a multiple of the rank count)'],
  ['bucketMb', '--bucket-mb <mb>', "gradient bucket cap in MiB (PyTorch DDP's bucket_cap_mb)"],
  ['channels', '--channels <n|auto>', "channels per all-reduce (NCCL nChannels); auto: the algorithm's own (NCCL's topology search)"],
  ['protocol', '--proto <name>', "NCCL protocol, like NCCL_PROTO: auto (per bucket size, NCCL's pick), LL, LL128 or Simple"],
  ['chunkBytes', '--chunk <size|auto>', "all-reduce pipelining chunk (K/M/G = 2^10/2^20/2^30); auto: the algorithm's own (NCCL's)", chunkOrAuto],
  ['device', '--device <name>', `device profile for compute time: ${DEVICE_NAMES.join(', ')}`],
  ['computeEfficiency', '--compute-efficiency <fraction>', "override the device profile's sustained fraction of peak FLOP/s"],
  ['backend', '--backend <name>', `TensorFlow.js backend: ${BACKEND_CHOICES.join(', ')}`],
  ['precision', '--precision <p>', 'fp32, or bf16 (bf16 compute peak, gradients rounded to bf16 and all-reduced as 2-byte elements)'],
  ['learningRate', '--lr <rate>', 'SGD learning rate'],
  ['momentum', '--momentum <m>', 'SGD momentum (0 for plain SGD)'],
  ['mode', '--mode <mode>', 'data (real training in worker threads), ghost (emulated time only, no tensors) or predict (alpha-beta prediction, no simulation); with --scale the default is ghost'],
  ['network', '--network <name>', 'network model: alphaBeta, maxMin, packet (packets through switch queues, ECN/PFC; as weft bench)'],
  ['routing', '--routing <name>', 'routing: auto, ecmp, adaptive, spray (auto: adaptive on Spectrum-X and InfiniBand presets, else ecmp; spray: --network packet only)'],
  ['cc', '--cc <name>', 'congestion control under --network packet: none, dcqcn, telemetry'],
  ['qps', '--qps <n>', 'queue pairs per connection'],
  ['seed', '--seed <n>', 'seed for weights, data order and ECMP hashing'],
  ['ranksPerWorker', '--ranks-per-worker <n>', 'ranks hosted by each worker thread (data mode, backends node and cpu: wasm starts once per thread; default 1: each rank trains its replica in its own thread)'],
  ['timeoutS', '--timeout <seconds>', 'watchdog: a rank that does not yield for this long (wall time) is stopped and named; 0 = none'],
];

/** `--chunk`: auto, or a size (its message then says auto is accepted too). */
function chunkOrAuto(text: string): number | 'auto' {
  if (text.trim().toLowerCase() === 'auto') return 'auto';
  try {
    return parseSizeBytes(text, '--chunk');
  } catch (error) {
    if (error instanceof WeftInputError) throw new WeftInputError(error.message.replace('; use ', '; use auto or '));
    throw error;
  }
}

const configOptions = CONFIG_FLAGS.map(([key, flags, help, read]) => {
  const option = new Option(flags, help);
  const fallback = TRAIN_DEFAULTS[key];
  if (fallback !== undefined) option.default(key === 'chunkBytes' && typeof fallback === 'number' ? formatSizeBytes(fallback) : String(fallback));
  return { key, option, read };
});

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** Options as commander hands them over: strings, validated by toTrainConfig. */
export type TrainCliOptions = Readonly<Record<string, string | undefined>> & {
  ranks?: string;
  topology?: string;
  out?: string;
  plot?: string;
  fault?: readonly string[];
  straggler?: readonly string[];
  crash?: readonly string[];
  scenario?: string;
  scale?: string;
  batchPerGpu?: string;
  format?: string;
  fastForward?: string;
  exactLimit?: string;
};

export function registerTrain(program: Command): Command {
  const command = program
    .command('train')
    .description('data-parallel SGD on emulated GPUs: real TensorFlow.js gradients through weft all-reduce, emulated step time')
    .option('--ranks <n>', 'shorthand for --topology switch:N')
    .option('--topology <spec|file>', 'preset spec (e.g. dgx-h100:nodes=2) or a JSON/YAML file (default switch:2)');
  for (const { option } of configOptions) command.addOption(option);
  return command
    .option('--fault <spec>', 'a link fault, repeatable: link=FROM->TO,down@TIME or link=FROM->TO,degrade=FACTOR@TIME (FACTOR: the share of its capacity the link keeps; degrades of one link compound; @TIME omitted: from 0)', collect)
    .option('--straggler <spec>', 'a slow rank, repeatable: rank=R,slow=FACTORx or rank=R,delay=TIME', collect)
    .option('--crash <spec>', 'a rank that stops, repeatable: rank=R@TIME', collect)
    .option('--scenario <file>', 'faults from a YAML/JSON file (links, stragglers, crashes; see README)')
    .option('--out <file.json>', "write the report (loss curve, accuracy, step-time breakdown; with --scale, the table) as JSON; '-': on stdout, alone")
    .option('--plot <file.svg>', "write SVG charts of the loss and of the step-time breakdown; '-': on stdout, alone")
    .option('--scale <gpus>', 'weak-scaling table instead of a run: GPU counts, comma-separated (e.g. 8,64,512,4096,16384), on the --topology preset family (default dgx-h100), per --algo (a comma list; default ring,tree,hierarchical,auto)')
    .option('--batch-per-gpu <n>', 'with --scale: samples per GPU per step (the global batch grows with the count; default 1)')
    .option('--format <format>', 'with --scale: table, json or csv (default table)')
    .option('--fast-forward <mode>', "with --scale: steady-state fast-forward of long all-reduces, as weft bench's: auto (exact: a recurrence of the whole state, speed.md §30), on (extrapolated, approximate: §29) or off (default auto)")
    .option('--exact-limit <transfers>', 'with --scale: the transfers one all-reduce may simulate, fast-forward\'s short runs and the exact run together (a run that would not fit is not started); past it the row gives its alpha-beta prediction instead, marked over budget (default 4000000, about a minute of CPU)')
    .action((options: TrainCliOptions, command: Command) => {
      checkPacketOnly(options, command);
      return options.scale !== undefined ? runScale(options, command) : runTrain(options, command);
    });
}

/** `--cc` is read by the packet model alone: with another --network it is refused, not ignored (as in weft bench). */
function checkPacketOnly(options: TrainCliOptions, command: Command): void {
  const network = options.network ?? 'maxMin';
  if (given(command, 'cc') && network.toLowerCase() !== 'packet') {
    throw packetOnlyError('--cc', network);
  }
}

/** The flags mapped onto the train config and validated there: one line for a bad value, naming its flag. */
export function toTrainConfig(options: TrainCliOptions, command?: Command): TrainConfig {
  const input: Record<string, unknown> = {};
  for (const { key, option, read } of configOptions) {
    const text = options[option.attributeName()];
    if (text !== undefined) input[key] = read ? read(text) : text;
  }
  // NCCL_ALGO / NCCL_PROTO steer the buckets' all-reduce as they steer NCCL's (flags win).
  const env = readNcclEnvironment(process.env, 'allReduce', { algo: given(command, 'algo'), proto: given(command, 'proto') });
  if (env.applied.length + env.ignored.length + env.notModelled.length > 0) {
    const { algorithms, protocols } = env.enables;
    input['ncclEnv'] = {
      applied: env.applied,
      ignored: env.ignored,
      notModelled: env.notModelled,
      ...(algorithms !== undefined ? { algorithms: [...algorithms] } : {}),
      ...(protocols !== undefined ? { protocols: [...protocols] } : {}),
    };
  }
  const flagOf = new Map(configOptions.map(({ key, option }) => [key as string, option.long!]));
  return parseTrainConfig(input, (key) => flagOf.get(key) ?? key);
}

/** Flags that only `--scale` reads, refused without it (one line) rather than ignored. */
const SCALE_ONLY = [['batchPerGpu', '--batch-per-gpu'], ['format', '--format'], ['fastForward', '--fast-forward'], ['exactLimit', '--exact-limit']] as const;
/** Flags a scaling table sets itself, refused with it. */
const NOT_WITH_SCALE = [['ranks', '--ranks', 'the counts come from --scale'], ['globalBatch', '--global-batch', 'use --batch-per-gpu (weak scaling)'], ['steps', '--steps', 'every step is the same step: the table times one'], ['plot', '--plot', 'use --format csv or json'], ['ranksPerWorker', '--ranks-per-worker', 'the table runs no worker threads (ghost or predict)'], ['backend', '--backend', 'the table runs no TensorFlow.js (ghost or predict)']] as const;

const given = (command: Command | undefined, key: string) => command !== undefined && command.getOptionValueSource(key) !== undefined && command.getOptionValueSource(key) !== 'default';

async function runScale(options: TrainCliOptions, command: Command): Promise<void> {
  for (const [key, flag, instead] of NOT_WITH_SCALE) if (given(command, key)) throw new WeftInputError(`${flag}: not with --scale; ${instead}`);
  if (options.fault ?? options.straggler ?? options.crash ?? options.scenario) {
    throw new WeftInputError('--fault/--straggler/--crash/--scenario: --scale times the fault-free step; run one topology without --scale to inject faults');
  }
  // --algo is a comma list here: the config takes its default, each name is checked by the table.
  const { algo, ...rest } = options;
  const { runScaleCommand } = await import('../train-scale-command.js');
  const flags = { ...rest, scale: options.scale! };
  await runScaleCommand(given(command, 'algo') ? { ...flags, algo: algo! } : flags, toTrainConfig(rest, command), given(command, 'mode'));
}

export async function runTrain(options: TrainCliOptions, command?: Command): Promise<void> {
  for (const [key, flag] of SCALE_ONLY) if (given(command, key)) throw new WeftInputError(`${flag}: only with --scale`);
  const outputs: [string, string][] = [];
  for (const [flag, path, extension] of [['--out', options.out, '.json'], ['--plot', options.plot, '.svg']] as const) {
    if (path === undefined) continue;
    if (path !== '-' && !path.toLowerCase().endsWith(extension)) throw new WeftInputError(`${flag}: '${path}' must end in ${extension} (or be '-' for stdout)`);
    outputs.push([flag, path]);
  }
  const bar = progressBar('weft train [{bar}] step {value}/{total} {label}');
  // An output on '-' takes stdout (as weft bench's): the run's own lines are not printed there.
  const stdoutTaken = checkOutputs(outputs) !== undefined;
  const print = (text: string): void => {
    if (!stdoutTaken) bar.print(text);
  };
  const topologySpec = topologySpecFrom(options, 'switch:2');
  assertDistinct(outputs, [...topologyInputs(topologySpec), ...(options.scenario !== undefined ? [['--scenario', options.scenario] as [string, string]] : [])]);
  const scenario = scenarioFromFlags(options);
  const topology = loadTopology(topologySpec);
  const faults = resolveFaults(scenario, topology);
  const parsed = toTrainConfig(options, command);
  // The header prints the routing that ran: auto resolved against the topology.
  const config = { ...parsed, routing: resolveRouting(parsed.routing, topology), faults };
  // Ghost and predict modes run in this thread (no rank workers to share), as weft bench's ghost mode.
  if (config.mode !== 'data' && given(command, 'ranksPerWorker')) {
    throw new WeftInputError(`--ranks-per-worker: data mode only; ${config.mode} mode starts no worker threads`);
  }
  // It was accepted and ignored: ghost and predict modes compute no gradients.
  if (config.mode !== 'data' && given(command, 'backend')) {
    throw new WeftInputError(`--backend: data mode only; ${config.mode} mode runs no TensorFlow.js`);
  }
  if (faults.length > 0 && config.mode === 'predict') {
    throw new WeftInputError('--fault/--straggler/--crash/--scenario: predict mode runs no simulation; use --mode ghost or data');
  }
  checkSizedThread(config.mode, topology.ranks.length);
  if (faults.length > 0) process.stderr.write(`weft train: injecting ${describeFaults(faults).join('; ')}; running the fault-free reference first\n`);
  // The reference: the same configuration without faults, in the same mode, printing nothing.
  const reference = faults.length > 0 ? await train({ ...config, faults: [] }, topology) : undefined;
  // Data mode's rank threads each load TensorFlow.js before step 1 (seconds each on a small machine): say so.
  bar.update(0, config.steps, config.mode === 'data' ? `starting the rank threads (${topology.ranks.length} ranks)` : '');
  let computeNs = 0;
  let faulted: TrainResult | undefined;
  let failure: unknown;
  try {
    faulted = await train(config, topology, {
      onStart: (header) => {
        computeNs = header.compute.computeNs;
        print(formatHeader(header));
      },
      onStep: (step) => bar.update(step, config.steps, ''),
      onEpoch: (epoch) => print(formatEpoch(epoch, computeNs, config.mode)),
    }).finally(() => bar.stop());
  } catch (error) {
    // With faults, a run failure (a crashed rank, a stranded transfer) is the outcome.
    if (reference === undefined || runFailureText(error) === undefined) throw error;
    failure = error;
  }
  const faultReport = reference ? await compareWithReference(config, topology, faults, reference, faulted, failure) : undefined;
  const report = faulted?.report ?? reference!.report;
  if (faulted) print(formatSummary(report));
  if (faultReport) print(formatFaultReport(faultReport, outcomeLine(faultReport)));
  // A failed run's numbers are the fault-free reference's (faults.reportIs says so); its config
  // still names the faults injected (it said `faults: []`, a clean run's file).
  const json = faultReport ? { ...report, config: { ...report.config, faults: config.faults }, faults: faultReport } : report;
  const files: OutputFile[] = [];
  if (options.out !== undefined) files.push({ path: options.out, content: JSON.stringify(json, null, 2) + '\n' });
  if (options.plot !== undefined) files.push({ path: options.plot, content: await plotTrainSvg(report) });
  writeOutputs(files);
  if (failure !== undefined) throw withCrashStep(failure, faultReport!, config.steps);
}

/** What the faults did: each step part against the reference, and the outcome in `weft bench`'s words. */
async function compareWithReference(
  config: TrainConfig,
  topology: Topology,
  faults: readonly Fault[],
  reference: TrainResult,
  faulted: TrainResult | undefined,
  failure: unknown,
): Promise<TrainFaultReport> {
  const base = {
    scenario: describeFaults(faults),
    components: compareSteps(reference.report, faulted?.report),
    computeNsByRank: { faultFree: reference.report.stepTime.computeNsByRank, faulted: faulted?.report.stepTime.computeNsByRank ?? null },
  };
  if (faulted) {
    const timeOf = (r: TrainResult) => ({ timeNs: r.report.stepTime.totalNs, linkStats: r.linkStats ?? [] });
    return { ...base, outcome: completedOutcome(faults, timeOf(reference), timeOf(faulted)), reportIs: 'faulted' };
  }
  const crash = failure instanceof Error && failure.name === 'RankCrashedError' ? await crashStepOf(config, topology, faults, reference, failure as Error & { rank: number; atNs: number }) : undefined;
  return { ...base, outcome: 'failed', error: runFailureText(failure)!, ...(crash ? { crash } : {}), reportIs: 'faultFree' };
}

/**
 * The step the crashed rank was in. Until the crash, the faulted run is the same simulation
 * as the run with every other fault: that run's step ends place the crash time (the
 * fault-free reference when the crash is the only fault; else a ghost run, whose times are
 * the data mode's).
 */
async function crashStepOf(config: TrainConfig, topology: Topology, faults: readonly Fault[], reference: TrainResult, error: { rank: number; atNs: number }) {
  const others = faults.filter((f) => f.kind !== 'crashRank');
  let timeline = reference;
  if (others.length > 0) {
    try {
      timeline = await train({ ...config, mode: 'ghost', faults: others }, topology);
    } catch (failure) {
      if (runFailureText(failure) === undefined) throw failure;
      return undefined; // the other faults end the run too: no full timeline to place the crash in
    }
  }
  const step = stepAt(timeline.stepEndsNs ?? [], error.rank, error.atNs);
  return step === undefined ? undefined : { rank: error.rank, step };
}

function outcomeLine(report: TrainFaultReport): string {
  if (report.outcome === 'failed') return `failed: ${report.error}`;
  return `${report.outcome}${slowdownText(report.components[0]!.slowdown)}`;
}

/** The run's error, its one line naming the step a crashed rank was in. */
function withCrashStep(failure: unknown, report: TrainFaultReport, steps: number): unknown {
  if (!(failure instanceof Error) || report.crash === undefined) return failure;
  failure.message = failure.message.replace(' (injected fault)', ` during step ${report.crash.step} of ${steps} (injected fault)`);
  return failure;
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
  const { config } = report;
  const subtitle = `${report.model.name} on ${report.topology.spec} (${report.topology.ranks} ranks), ${config.algorithm}, ${report.device.name} ${config.precision}, global batch ${config.globalBatch}`;
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
  return renderSvg({
    title: { text: 'weft train', subtitle },
    vconcat: lossValues.length > 0 ? [lossChart, breakdownChart] : [breakdownChart],
  });
}
