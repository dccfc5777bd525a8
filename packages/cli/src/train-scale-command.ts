/**
 * `weft train --scale`: the flags read and checked before anything runs (each failure one
 * line, exit 2), then the table streamed as rows finish, with a progress bar on a terminal.
 */
import { listAlgorithms } from '@weft/collectives';
import { WeftInputError } from '@weft/sim';
import { resolveRouting, type Topology } from '@weft/fabric';
import { planRun, type TrainConfig, type TrainHeader } from '@weft/train';
import { FAST_FORWARD_AUTO_TRANSFERS, type FastForwardMode } from '@weft/runtime/core';
import { Choices, orList, refuse } from './names.js';
import { checkOutputs, writeOutputs } from './output.js';
import { progressBar } from './ui/progress.js';
import { checkSizedThread } from './entry.js';
import { loadTopology } from './topology.js';
import { runScale, scaleTopologySpec, type ScaleRequest, type ScaleRow } from './train-scale.js';
import { scaleCsvHead, scaleCsvRow, scaleHeaderLines, scaleJson, scaleTableEnd, scaleTableHead, scaleTableRow } from './train-scale-format.js';

export interface ScaleFlags {
  readonly scale: string;
  readonly topology?: string;
  /** Set only when given: --algo's text (a comma list here). */
  readonly algo?: string;
  readonly batchPerGpu?: string;
  readonly format?: string;
  readonly fastForward?: string;
  readonly exactLimit?: string;
  readonly out?: string;
}

const FORMATS = Choices.of(['table', 'json', 'csv'] as const);
const FAST_FORWARD = Choices.of<FastForwardMode>(['auto', 'on', 'off']);
/** The algorithms of a scaling table when --algo is not given (those that cannot run on the preset are left out, and said). */
export const SCALE_DEFAULT_ALGORITHMS = ['ring', 'tree', 'hierarchical', 'auto'] as const;
/** The largest count --scale takes: dgx-h100's three-tier fabric stops at 8,192 nodes. */
const MAX_GPUS = 65_536;

/**
 * Rank-step pairs of one channel of a ring all-reduce plan, N × 2(N − 1). Ring tapes are
 * written as runs (StepBuilder.repeat), so planning no longer visits each pair: 16,384 GPUs
 * × 16 channels at 16 GiB planned in 93 s and 1.08 GB on a loaded 2-core machine
 * (benchmarks/results/speed.md §14). Counts above this per channel (about 23,000 GPUs) have
 * not been measured here: refused rather than risk minutes of planning or the heap.
 */
export const MAX_RING_STEPS_PER_ROW = 1_100_000_000;

function gpuCounts(text: string): number[] {
  const counts = text.split(',').map((item) => {
    const value = Number(item.trim());
    if (!/^\s*\d+\s*$/.test(item) || !Number.isSafeInteger(value) || value < 1 || value > MAX_GPUS) {
      throw new WeftInputError(`--scale: '${item.trim()}' is not accepted; use GPU counts from 1 to ${MAX_GPUS.toLocaleString('en-US')}, comma-separated (e.g. 8,64,512)`);
    }
    return value;
  });
  return [...new Set(counts)].sort((a, b) => a - b);
}

function algorithmsOf(text: string | undefined): { names: string[]; defaulted: boolean } {
  if (text === undefined) return { names: [...SCALE_DEFAULT_ALGORITHMS], defaulted: true };
  const known = listAlgorithms('allReduce').map((a) => a.name);
  const names = text.split(',').map((item) => {
    const name = item.trim();
    if (name === 'auto') return name;
    const match = known.find((k) => k.toLowerCase() === name.toLowerCase());
    if (match === undefined) throw new WeftInputError(`--algo: '${name}' is not accepted with --scale; use a comma list of ${orList([...known, 'auto'])}`);
    return match;
  });
  return { names: [...new Set(names)], defaulted: false };
}

/** Why `name` cannot run the first count here, or null. */
async function unsupported(config: TrainConfig, name: string, topology: Topology, gpus: number, batchPerGpu: number): Promise<string | null> {
  if (name === 'auto') return null;
  try {
    await planRun({ ...config, algorithm: name, globalBatch: batchPerGpu * gpus }, topology);
    return null;
  } catch (error) {
    if (error instanceof WeftInputError && error.message.startsWith('--algo')) return error.message;
    throw error;
  }
}

export async function runScaleCommand(flags: ScaleFlags, base: TrainConfig, modeGiven: boolean): Promise<void> {
  const format = refuse('--format', flags.format ?? 'table', FORMATS.read(flags.format ?? 'table'));
  const fastForward = refuse('--fast-forward', flags.fastForward ?? 'auto', FAST_FORWARD.read(flags.fastForward ?? 'auto'));
  if (flags.out !== undefined && flags.out !== '-' && !flags.out.toLowerCase().endsWith('.json')) throw new WeftInputError(`--out: '${flags.out}' must end in .json (or be '-' for stdout)`);
  // --out - takes stdout (as weft bench's): the JSON alone, no table or CSV beside it.
  const stdoutTaken = checkOutputs(flags.out !== undefined ? [['--out', flags.out]] : []) !== undefined;
  const shown = stdoutTaken ? 'none' : format;
  const mode = modeGiven ? base.mode : 'ghost';
  if (mode === 'data') throw new WeftInputError('--mode data: --scale times the step without tensors; use --mode ghost (simulated, the default with --scale) or predict');
  const batchText = flags.batchPerGpu ?? '1';
  const batchPerGpu = Number(batchText);
  if (!/^\d+$/.test(batchText.trim()) || batchPerGpu < 1 || !Number.isSafeInteger(batchPerGpu)) {
    throw new WeftInputError(`--batch-per-gpu: '${batchText}' is not accepted; use a whole number >= 1`);
  }
  const limitText = flags.exactLimit ?? String(FAST_FORWARD_AUTO_TRANSFERS);
  const exactLimit = Number(limitText);
  if (!/^\d+$/.test(limitText.trim()) || !Number.isSafeInteger(exactLimit)) {
    throw new WeftInputError(`--exact-limit: '${limitText}' is not accepted; use a whole number of transfers >= 0`);
  }
  const family = flags.topology ?? 'dgx-h100';
  if (/\.(json|ya?ml)$/i.test(family)) throw new WeftInputError(`--topology: '${family}' is a file; --scale takes a preset family (dgx-h100, switch, …) and sets its size per count`);
  const gpus = gpuCounts(flags.scale);
  const specs = gpus.map((count) => scaleTopologySpec(family, count));
  // The first row's topology, loaded once: every row is the same family, so the same switches (auto resolves
  // once, here), and each algorithm is checked on it.
  const first = loadTopology(specs[0]!);
  const config: TrainConfig = { ...base, mode, routing: resolveRouting(base.routing, first) };
  // Refused up front: the largest row's ring-class plan, before anything runs.
  const largest = gpus[gpus.length - 1]!;
  const ringSteps = largest * 2 * (largest - 1);
  if (mode === 'ghost' && ringSteps > MAX_RING_STEPS_PER_ROW) {
    throw new WeftInputError(
      `--scale: ${largest.toLocaleString('en-US')} GPUs is ${ringSteps.toLocaleString('en-US')} ring schedule steps per channel to plan (over ${MAX_RING_STEPS_PER_ROW.toLocaleString('en-US')}, beyond what has been measured here); use fewer GPUs, or --mode predict`,
    );
  }
  checkSizedThread(mode, largest);
  const asked = algorithmsOf(flags.algo);
  const algorithms: string[] = [];
  const left: string[] = [];
  for (const name of asked.names) {
    const reason = await unsupported(config, name, first, gpus[0]!, batchPerGpu);
    if (reason === null) algorithms.push(name);
    else if (asked.defaulted) left.push(name);
    else throw new WeftInputError(reason);
  }
  // An algorithm named on the command line is checked at every count before any row runs: nvls
  // fits 8 GPUs and not 64, and the table stopped half printed at the first count it did not fit.
  if (!asked.defaulted) {
    for (let i = 1; i < gpus.length; i++) {
      const topology = loadTopology(specs[i]!);
      for (const name of algorithms) {
        const reason = await unsupported(config, name, topology, gpus[i]!, batchPerGpu);
        if (reason !== null) throw new WeftInputError(reason);
      }
    }
  }
  const request: ScaleRequest = { config, family, gpus, algorithms, batchPerGpu, fastForward, exactLimit };

  const bar = progressBar('weft train --scale [{bar}] {value}/{total} {label}');
  let header: TrainHeader | undefined;
  const stream = (text: string) => shown !== 'json' && shown !== 'none' && bar.print(text);
  let rows: ScaleRow[];
  try {
    rows = await runScale(request, specs, {
      onProgress: (done, total, label) => bar.update(done, total, label),
      onHeader: (first, _request, sizes) => {
        header = first;
        if (shown === 'table') {
          const skipped = left.length > 0 ? `# left out (cannot run on ${family}): ${left.join(', ')}\n` : '';
          stream(scaleHeaderLines(first, request, sizes) + skipped + scaleTableHead());
        }
        if (shown === 'csv') stream(scaleCsvHead());
      },
      onRow: (row) => stream(shown === 'csv' ? scaleCsvRow(row) : shown === 'table' ? scaleTableRow(row) : ''),
    });
  } finally {
    bar.stop();
  }
  if (shown === 'table') process.stdout.write(scaleTableEnd(rows));
  const json = scaleJson(header, request, rows);
  if (shown === 'json') process.stdout.write(json);
  if (flags.out !== undefined) writeOutputs([{ path: flags.out, content: json }]);
}
