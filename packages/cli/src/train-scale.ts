/**
 * `weft train --scale 8,64,…`: the weak-scaling table of a data-parallel step — per GPU
 * count and all-reduce algorithm (ring, tree, hierarchical, `auto` = NCCL's choice), the
 * step time (compute + exposed communication), the all-reduce time and the efficiency.
 *
 * Why it is fast and still the simulation: in ghost mode without faults every step is the
 * same step, and every bucket of one size is the same all-reduce on an idle fabric (DDP
 * issues buckets one after another on one stream). So each (GPU count, algorithm, bucket
 * size) all-reduce is simulated once — in ghost mode, through bench's steady-state
 * fast-forward with its residual rule — and the step is laid out from those times by train's
 * bucket/overlap model (predictStep: bucket k starts at max(its gradients ready, bucket k−1
 * done)). Simulated time is deterministic, so the reuse is exact; what the layout leaves out
 * is the skew between ranks at bucket boundaries (each all-reduce here starts on all ranks
 * together), measured against `weft train --mode ghost` in benchmarks/results/train.md.
 */
import type { Schedule } from '@weft/collectives';
import { createCluster, type Cluster } from '@weft/runtime';
import type { FastForwardMode } from '@weft/runtime/core';
import { WeftInputError } from '@weft/sim';
import { networkOptions, planRun, predictStep, type BucketAllReduce, type TrainConfig, type TrainHeader } from '@weft/train';
import { isOverBudget, runWithinBudget } from './bench/budgeted-run.js';
import { loadTopology } from './topology.js';

/** What `--scale` asks for, validated (train-scale-flags.ts reads it from the flags). */
export interface ScaleRequest {
  /** The run's settings; `algorithm` and `globalBatch` are set per row. */
  readonly config: TrainConfig;
  /** Preset family: `dgx-h100`, `dgx-h100:fabric=ib-ndr`, `switch`. */
  readonly family: string;
  /** GPU counts, ascending, distinct. */
  readonly gpus: readonly number[];
  /** Registered all-reduce algorithms, or `auto`. */
  readonly algorithms: readonly string[];
  readonly batchPerGpu: number;
  readonly fastForward: FastForwardMode;
  /**
   * Transfers one all-reduce may post in all — fast-forward's short runs and the exact run
   * together; a run that would not fit is not started — past it the row gives the alpha-beta
   * prediction instead and says so. A count of work, not a clock, so the same command gives
   * the same table on any machine.
   */
  readonly exactLimit: number;
}

/** How a row's all-reduce times were obtained (over budget: the prediction stands in). */
export type RowSource = 'simulated' | 'fast-forwarded' | 'reused' | 'predicted' | 'over budget';

export interface ScaleRow {
  readonly gpus: number;
  readonly topology: string;
  /** As asked: ring, tree, hierarchical, auto. */
  readonly algorithm: string;
  /** What ran: the algorithm, or auto's pick (`auto(ring/Simple)`; several picks joined by `+`). */
  readonly ran: string;
  readonly globalBatch: number;
  readonly computeMs: number;
  /** All-reduce time per step: the bucket all-reduces, one after another (DDP's one stream). */
  readonly allReduceMs: number;
  readonly exposedCommMs: number;
  readonly stepMs: number;
  /** Weak scaling against this algorithm's row at the smallest count: step(smallest) / step. */
  readonly efficiency: number;
  /** Against one GPU with the same per-GPU batch (pure compute): compute / step. */
  readonly efficiencyVsOneGpu: number;
  /** The same step with the alpha-beta all-reduce cost (no contention, no simulation). */
  readonly predictedStepMs: number;
  readonly source: RowSource;
  /** The fast-forward's own words for each bucket size that took it (or was checked and ran exactly). */
  readonly notes: readonly string[];
  readonly wallS: number;
}

export interface ScaleHooks {
  /** Before each (count, algorithm): its index, the total and a label. */
  onProgress?(done: number, total: number, label: string): void;
  /** Once, from the first count's plan: the per-GPU parameters every row shares. */
  onHeader?(header: TrainHeader, request: ScaleRequest, bucketSizes: readonly number[]): void;
  onRow?(row: ScaleRow): void;
}

/** One simulated all-reduce, shared by every row of its GPU count that runs the same plan. */
interface Simulated {
  /** Absent when the exact run was over --exact-limit. */
  readonly timeNs?: number;
  readonly fastForwarded: boolean;
  readonly notes: readonly string[];
}

const planKey = (r: BucketAllReduce) => `${r.algorithm.name}|${r.params.protocol ?? ''}|${r.params.channels}|${r.params.chunkElements}|${r.params.count}`;

export async function runScale(request: ScaleRequest, specs: readonly string[], hooks: ScaleHooks = {}): Promise<ScaleRow[]> {
  const rows: ScaleRow[] = [];
  const baseStepNs = new Map<string, number>();
  const total = specs.length * request.algorithms.length;
  for (const [index, spec] of specs.entries()) {
    const gpus = request.gpus[index]!;
    const topology = loadTopology(spec);
    const ghost = request.config.mode === 'ghost' && gpus > 1;
    const cluster = ghost ? await createCluster({ topology, network: { ...networkOptions(request.config, topology), record: 'summary' }, mode: 'ghost' }) : undefined;
    const simulated = new Map<string, Simulated>();
    try {
      for (const [a, name] of request.algorithms.entries()) {
        hooks.onProgress?.(index * request.algorithms.length + a, total, `${gpus} GPUs ${name}`);
        const wallStart = performance.now();
        const config: TrainConfig = { ...request.config, algorithm: name, globalBatch: request.batchPerGpu * gpus };
        const { header, buckets, allReduces } = await planRun(config, topology);
        if (index === 0 && a === 0) hooks.onHeader?.(header, request, [...new Set(buckets.map((b) => b.count))]);
        // Per bucket size (gradient elements): what runs, and its simulated time.
        const bySize = new Map<number, { resolved: BucketAllReduce; sim?: Simulated; reused: boolean }>();
        for (const count of new Set(buckets.map((b) => b.count))) {
          const resolved = allReduces.get(count)!;
          const key = planKey(resolved);
          const reused = simulated.has(key);
          if (cluster !== undefined && !reused) simulated.set(key, await simulate(cluster, resolved, request, `${gpus} GPUs ${resolved.label}`));
          bySize.set(count, { resolved, reused, ...(cluster !== undefined ? { sim: simulated.get(key)! } : {}) });
        }
        const oneRank = topology.ranks.length === 1;
        const timeOf = (pick: (entry: { resolved: BucketAllReduce; sim?: Simulated }) => number) => (count: number) => (oneRank ? 0 : pick(bySize.get(count)!));
        const predicted = predictStep(header.compute, buckets, timeOf((e) => e.resolved.predictedNs));
        const step = cluster !== undefined ? predictStep(header.compute, buckets, timeOf((e) => e.sim!.timeNs ?? e.resolved.predictedNs)) : predicted;
        const entries = [...bySize.values()];
        const base = baseStepNs.get(name) ?? step.totalNs;
        baseStepNs.set(name, base);
        const row: ScaleRow = {
          gpus,
          topology: topology.name,
          algorithm: name,
          ran: name === 'auto' ? `auto(${[...new Set(entries.map((e) => e.resolved.label))].join('+')})` : name,
          globalBatch: config.globalBatch,
          computeMs: header.compute.computeNs / 1e6,
          allReduceMs: step.commBusyNs / 1e6,
          exposedCommMs: step.exposedCommNs / 1e6,
          stepMs: step.totalNs / 1e6,
          efficiency: base / step.totalNs,
          efficiencyVsOneGpu: step.scalingEfficiency,
          predictedStepMs: predicted.totalNs / 1e6,
          source: sourceOf(cluster !== undefined, entries),
          notes: entries.flatMap((e) => (e.reused ? [] : e.sim?.notes ?? [])),
          wallS: (performance.now() - wallStart) / 1000,
        };
        rows.push(row);
        hooks.onRow?.(row);
      }
    } finally {
      await cluster?.close();
    }
  }
  hooks.onProgress?.(total, total, 'done');
  return rows;
}

function sourceOf(ran: boolean, entries: readonly { sim?: Simulated; reused: boolean }[]): RowSource {
  if (!ran) return 'predicted';
  if (entries.some((e) => e.sim?.timeNs === undefined)) return 'over budget';
  if (entries.some((e) => e.sim?.fastForwarded)) return 'fast-forwarded';
  return entries.every((e) => e.reused) ? 'reused' : 'simulated';
}

/**
 * One bucket's all-reduce in ghost mode, through bench's fast-forward choice (same residual
 * rule), within the row's budget: everything it simulates counts against --exact-limit
 * transfers (bench/budgeted-run.ts), so a row's CPU is bounded by its budget.
 */
async function simulate(cluster: Cluster, resolved: BucketAllReduce, request: ScaleRequest, label: string): Promise<Simulated> {
  const notes: string[] = [];
  const schedule = resolved.algorithm.plan(resolved.params);
  const settings = { fastForward: request.fastForward, mode: 'ghost', network: request.config.network, iters: 1, warmupIters: 0 } as const;
  const outcome = await runWithinBudget(settings, schedule, label, request.exactLimit, (planned, watch) =>
    cluster.runSchedule(planned, { dtype: 'float32', op: 'sum', check: false, iters: 1, warmupIters: 0, ...(watch ? { watch } : {}) }),
    (line) => void notes.push(line.trimEnd()),
    (planned) => cluster.simulatedParticipants(planned),
  );
  if (isOverBudget(outcome)) {
    notes.push(`${label}: ${outcome.overBudget}: the alpha-beta prediction stands in`);
    return { fastForwarded: false, notes };
  }
  if (outcome.note !== undefined) notes.push(outcome.note);
  return { timeNs: outcome.result.timeNs, fastForwarded: 'fastForward' in outcome.result, notes };
}

/** The topology spec of `gpus` GPUs of a preset family: `switch:N`, else `family:…,nodes=K`. */
export function scaleTopologySpec(family: string, gpus: number): string {
  const [name, params = ''] = family.split(/:(.*)/s) as [string, string?];
  if (name === 'switch') {
    if (params !== '') throw new WeftInputError(`--topology: '${family}' with --scale takes no parameters; use switch (the GPU counts come from --scale)`);
    return `switch:${gpus}`;
  }
  if (/(^|,)\s*nodes\s*=/.test(params)) throw new WeftInputError(`--topology: '${family}' names nodes=; with --scale give the preset without it (the GPU counts come from --scale)`);
  const spec = (nodes: number) => `${name}:${params === '' ? '' : `${params},`}nodes=${nodes}`;
  let perNode: number;
  try {
    perNode = loadTopology(spec(1)).ranks.length;
  } catch {
    throw new WeftInputError(`--topology: '${family}' has no nodes= parameter to scale; --scale takes a preset family with nodes= (e.g. dgx-h100) or switch`);
  }
  if (gpus % perNode !== 0) throw new WeftInputError(`--scale: ${gpus} GPUs is not a whole number of ${name} nodes (${perNode} GPUs each)`);
  return spec(gpus / perNode);
}
