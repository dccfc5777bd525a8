import {
  algBwBytes,
  bandwidthsGBps,
  chooseAlgorithm,
  collectiveOf,
  countForBytes as countOfBytes,
  DEFAULT_CHUNK_BYTES,
  elementBytes,
  type Algorithm,
  type AlgorithmCandidate,
  type CostParams,
  type PlanParams,
  type ProtocolName,
  type Schedule,
  runNamed,
} from '@weft/collectives';
import { alphaBetaCost, deviceMemoryBandwidth, energyModel, rankLayout, type LinkQueueStats, type LinkStats, type PacketOptions, type Topology } from '@weft/fabric';
import { createCluster, localStepsNs, defaultMemoryBudgetBytes, MEMORY_BUDGET_BASIS, defaultRanksPerWorker, formatGiB, scheduleBufferBytes, type Cluster, type Fault, type RecurrenceWatch, type RunResult } from '@weft/runtime';
import { describeFaults, resolveFaults, runFailureText } from '../faults.js';
import { runWithFaults, type FaultOutcome } from './fault-runs.js';
import { isLongDataRun, longDataRunNotice, longPlanNotice, scheduleWork, type DataWork } from './work-estimate.js';
import { runBenchSchedule } from './fast-forward.js';
import { checkTraceBudget } from './trace-budget.js';
import { WeftInputError, isWeftInputError } from '@weft/sim';
import type { BenchAlgorithm, BenchConfig, BenchFlags } from './config.js';
import { isOverBudget, runWithinBudget } from './budgeted-run.js';
import { checkModulesAt, checkPlannedModule } from './check-modules.js';
import { averageBusBw, averageBusBwByAlgorithm, type BenchReport, type BenchRow, type CandidateRow, type LinkRow } from './report.js';
import type { TraceQueue, TraceRun } from '../format/trace.js';
import { energyReport, energyRow } from './energy.js';

/** The lab resolves a run's faults as the sweep does (one home for the link and rank checks). */
export { resolveFaults } from '../faults.js';

export interface SweepHooks {
  /** Called before each (algorithm, size) run with its index and the total. */
  onProgress?: (done: number, total: number, label: string) => void;
  /**
   * Called with each row as soon as its run ends, and the report's header as it stands then
   * (the backend is the one that ran), so a table can be printed row by row as nccl-tests does.
   */
  onRow?: (row: BenchRow, header: Omit<BenchReport, 'rows' | 'avgBusBwGBps' | 'avgBusBwGBpsByAlgorithm'>, labels: readonly string[]) => void;
}

export interface SweepResult {
  readonly report: BenchReport;
  readonly traceRuns: readonly TraceRun[];
  /** Every algorithm label the plan gave a row (`auto(ring)`, …), known before the first run: what the table's algorithm column must fit. */
  readonly labels: readonly string[];
}

/** The collective's count for a size of the sweep (collectives' countForBytes, with this config's dtype). */
function countForBytes(config: BenchConfig, bytes: number, nranks: number): number {
  return countOfBytes(config.collective, bytes, config.dtype, nranks);
}

/** Links whose egress queue ever held bytes, with its depth over time (packet model). */
function queueTimelines(stats: readonly LinkStats[]): TraceQueue[] {
  return stats.filter((link) => (link.queue?.peakQueueBytes ?? 0) > 0).map((link) => ({ linkId: link.linkId, depthTimeline: link.queue!.depthTimeline, peakBytes: link.queue!.peakQueueBytes }));
}

function topLinks(stats: readonly LinkStats[], limit: number): LinkRow[] {
  return [...stats]
    .filter((link) => link.bytesCarried > 0)
    .sort((a, b) => b.utilization - a.utilization || b.peakConcurrentFlows - a.peakConcurrentFlows || (a.linkId < b.linkId ? -1 : 1))
    .slice(0, limit)
    .map((link) => ({
      linkId: link.linkId,
      from: link.from,
      to: link.to,
      bandwidthGBps: link.bandwidthBytesPerSec / 1e9,
      // The fluid model integrates rate over time, so totals carry float dust: whole bytes.
      bytesCarried: Math.round(link.bytesCarried),
      busyUs: link.busyNs / 1000,
      utilization: link.utilization,
      peakConcurrentFlows: link.peakConcurrentFlows,
      // Without the depth timeline: it is recorded only for --trace / --plot-queues, so the same run's JSON would differ with them.
      ...(link.queue !== undefined ? { queue: withoutTimeline(link.queue) } : {}),
    }));
}

function withoutTimeline({ depthTimeline: _, ...queue }: LinkQueueStats): Omit<LinkQueueStats, 'depthTimeline'> {
  return queue;
}

export interface Resolved {
  readonly algorithm: Algorithm;
  readonly label: string;
  /** With the channel count and protocol resolved. */
  readonly params: PlanParams;
  readonly predictedNs: number;
  /** Every (algorithm, protocol) candidate that was weighed (one for a textbook algorithm). */
  readonly candidates: readonly AlgorithmCandidate[];
}

/**
 * Resolves `auto` per size (NCCL's tuner picks algorithm and protocol per call) and, for a
 * named algorithm, its protocol (`--proto`, or per size by predicted time as NCCL does under
 * NCCL_ALGO); checks that the choice runs here.
 */
export function resolveAlgorithm(config: BenchConfig, entry: BenchAlgorithm, params: PlanParams, cost: CostParams): Resolved {
  const { name, algorithm } = entry;
  const only: ProtocolName | undefined = config.proto === 'auto' ? undefined : config.proto;
  const enables = config.ncclEnv?.enables ?? {};
  if (algorithm === 'auto') {
    const choice = chooseAlgorithm(config.collective, params, cost, only, config.tuner, enables);
    return { ...choice, label: `auto(${choice.algorithm.name})` };
  }
  const run = runNamed(config.collective, algorithm, params, cost, only, enables.protocols, config.tuner);
  if (run.refused === '--proto') throw new WeftInputError(run.message);
  if (run.refused === '--algo') throw new WeftInputError(`--algo: '${name}' cannot run ${config.collectiveCliName} here: ${run.reason}`);
  return { algorithm, label: name, params: run.params, predictedNs: run.predictedNs, candidates: run.candidates };
}

/** A candidate's simulated time (ns), or why it was not simulated. */
type CandidateRun = (c: AlgorithmCandidate) => Promise<{ readonly timeNs: number } | { readonly notSimulated: string }>;

/** The --explain rows of one size: every candidate predicted, simulated where it was run. */
async function explainCandidates(resolved: Resolved, chosenUs: number, simulate: CandidateRun | null): Promise<CandidateRow[]> {
  const rows: CandidateRow[] = [];
  for (const c of resolved.candidates) {
    const chosen = c.name === resolved.algorithm.name && c.protocol === resolved.params.protocol;
    let simulatedUs: number | null = chosen ? chosenUs : null;
    let notSimulated: string | undefined;
    if (!chosen && simulate !== null && c.params !== undefined) {
      const ran = await simulate(c);
      if ('timeNs' in ran) simulatedUs = ran.timeNs / 1000;
      else notSimulated = ran.notSimulated;
    }
    rows.push({
      algorithm: c.name,
      protocol: c.protocol ?? null,
      predictedUs: Number.isFinite(c.predictedNs) ? c.predictedNs / 1000 : null,
      ncclPredictedUs: c.ncclPredictedNs !== undefined ? c.ncclPredictedNs / 1000 : null,
      ncclChoice: c.ncclChoice === true,
      simulatedUs,
      chosen,
      ...(c.unsupported !== undefined ? { unsupported: c.unsupported } : {}),
      ...(notSimulated !== undefined ? { notSimulated } : {}),
    });
  }
  return rows;
}

/**
 * The sizes a sweep runs: the config's, except for a collective that moves no data
 * (barrier), where every size is the same run: one row.
 */
export function sweepSizes(config: BenchConfig, nranks: number): readonly number[] {
  return collectiveOf(config.collective).sizeCounts(nranks) === 0 ? config.sizesBytes.slice(0, 1) : config.sizesBytes;
}

export function planParams(config: BenchConfig, topology: Topology, count: number): PlanParams {
  const bytesPerElement = elementBytes(config.dtype);
  return {
    nranks: topology.ranks.length,
    count,
    root: config.root,
    elementBytes: bytesPerElement,
    channels: config.channels,
    // 'auto': a placeholder the algorithm replaces with its own (resolveDefaults).
    chunkElements: Math.max(1, Math.floor((config.chunkBytes === 'auto' ? DEFAULT_CHUNK_BYTES : config.chunkBytes) / bytesPerElement)),
    ...(config.chunkBytes === 'auto' ? { chunkAuto: true } : {}),
    layout: rankLayout(topology),
    // What a switch must compute to run it (NVLS and SHARP reduce only some ops and types).
    ...(collectiveOf(config.collective).reduces ? { reduction: { op: config.op, dtype: config.dtype } } : {}),
  };
}

export interface SweepPlan {
  /** Algorithms to run, in order. */
  readonly algorithms: readonly BenchAlgorithm[];
  /** Algorithms from `--algo all` that cannot run here, with the reason. */
  readonly skipped: readonly { readonly algorithm: string; readonly reason: string }[];
  /**
   * Per algorithm to run, its resolution at each of the sweep's sizes (sweepSizes' order): the
   * run reuses them, as auto's predictions at 16,384 GPUs take seconds per size.
   */
  readonly resolved: ReadonlyMap<BenchAlgorithm, readonly Resolved[]>;
}

/**
 * Checks every (algorithm, size) pair before any worker starts, so bad input fails fast. An
 * algorithm named explicitly that cannot run is an error; one that came from `all` is skipped.
 */
export function planSweep(config: BenchConfig, topology: Topology): SweepPlan {
  const nranks = topology.ranks.length;
  if (config.root >= nranks) {
    throw new WeftInputError(`-r/--root: ${config.root} is not a rank; this topology has ranks 0..${nranks - 1}`);
  }
  const cost = alphaBetaCost(topology);
  const algorithms: BenchAlgorithm[] = [];
  const skipped: { algorithm: string; reason: string }[] = [];
  const resolved = new Map<BenchAlgorithm, Resolved[]>();
  for (const entry of config.algorithms) {
    try {
      const perSize = sweepSizes(config, nranks).map((bytes) =>
        resolveAlgorithm(config, entry, planParams(config, topology, countForBytes(config, bytes, nranks)), cost),
      );
      algorithms.push(entry);
      resolved.set(entry, perSize);
    } catch (error) {
      if (!(isWeftInputError(error) && entry.fromAll)) throw error;
      skipped.push({ algorithm: entry.name, reason: error.message.replace(/^--algo: /, '') });
    }
  }
  if (algorithms.length === 0) {
    throw new WeftInputError(`--algo: no algorithm can run here: ${skipped.map((s) => s.reason).join('; ')}`);
  }
  return { algorithms, skipped, resolved };
}

/** Run failures whose message names the rank and operation but not the run: a sweep says which algorithm and size. */
const RUN_FAILURES_WITHOUT_RUN = new Set(['DeadlockError', 'ProtocolError', 'RankError', 'RankTimeoutError', 'TransferStrandedError']);

/** `error` with `label at N B: ` before its message when it is such a failure (a sweep of several algorithms and sizes ran into it). */
function withRunContext(error: unknown, label: string, bytes: number): unknown {
  if (error instanceof Error && RUN_FAILURES_WITHOUT_RUN.has(error.name)) error.message = `${label} at ${bytes} B: ${error.message}`;
  return error;
}

export async function runSweep(config: BenchConfig, topology: Topology, hooks: SweepHooks = {}): Promise<SweepResult> {
  const planNotice = longPlanNotice(topology.ranks.length);
  if (planNotice !== null) process.stderr.write(planNotice);
  await checkModulesAt(config.algorithms, topology.ranks.length, rankLayout(topology));
  const plan = planSweep(config, topology);
  // Ghost mode times what it runs without moving bytes: a user module's schedule at every size is proved first.
  if (config.mode === 'ghost') for (const [entry, perSize] of plan.resolved) await checkPlannedModule(entry, perSize.map((resolved) => resolved.params));
  const labels = [...plan.resolved.values()].flatMap((perSize) => perSize.map((resolved) => resolved.label));
  const nranks = topology.ranks.length;
  // --plot-queues draws from the same per-run records as --trace.
  const tracing = config.trace !== undefined || config.plotQueues !== undefined;
  if (tracing) checkTraceBudget(config.trace !== undefined ? '--trace' : '--plot-queues', tracedSteps(config, plan));
  const sizes = sweepSizes(config, nranks);
  const collective = collectiveOf(config.collective);
  const faults = resolveFaults(config.faultScenario, topology);
  const energy = config.energy ? energyModel(topology) : undefined;
  const energyField = energy !== undefined ? { energy: energyReport(energy) } : {};
  // A collective schedule has no compute steps, so a slower rank would change nothing: say so
  // instead of reporting every algorithm 'unaffected' (weft train has compute to slow down).
  const slow = faults.find((f) => f.kind === 'slowRank');
  if (slow !== undefined) {
    throw new WeftInputError(
      `--straggler rank=${slow.rank},slow=${slow.factor}x: weft bench runs collectives only, which have no compute to slow down; use delay=TIME (a late start) here, or slow= with weft train`,
    );
  }
  if (config.mode === 'data') {
    const work = checkMemory(config, topology, plan);
    if (isLongDataRun(work)) process.stderr.write(longDataRunNotice(work));
  }
  const makeCluster = () =>
    createCluster({
      topology,
      // Per-flow records and utilization timelines are only needed for --trace; without them a
      // run keeps link totals only, which keeps memory flat on large sweeps.
      network: {
        model: config.network,
        routing: config.routing,
        qps: config.qps,
        seed: config.seed,
        record: tracing ? 'full' : 'summary',
        ...(config.network === 'packet' ? { packet: packetOptions(config) } : {}),
      },
      mode: config.mode,
      roundTimeoutMs: config.timeoutS * 1000,
      ...(config.ranksPerWorker !== undefined ? { ranksPerWorker: config.ranksPerWorker } : {}),
    });
  let cluster: Cluster = await makeCluster();
  const faultOutcomes: FaultOutcome[] = [];
  const rows: BenchRow[] = [];
  const traceRuns: TraceRun[] = [];
  let backend = cluster.backend;
  try {
    const total = plan.algorithms.length * sizes.length;
    let done = 0;
    for (const entry of plan.algorithms) {
      for (const [sizeIndex, requestedBytes] of sizes.entries()) {
        const count = countForBytes(config, requestedBytes, nranks);
        const resolved = plan.resolved.get(entry)![sizeIndex]!;
        const { elementBytes: bytesPerElement } = resolved.params;
        const sizeLabel = `${resolved.label} ${requestedBytes} B`;
        hooks.onProgress?.(done, total, sizeLabel);
        // A long run (minutes at 1,000+ GPUs) shows how far it got against its prediction.
        const onSimulatedTime = (nowNs: number) => hooks.onProgress?.(done, total, `${sizeLabel}: ${simulatedSoFar(nowNs, resolved.predictedNs)}`);
        const schedule = resolved.algorithm.plan(resolved.params);
        const runOf = (planned: Schedule, runFaults: readonly Fault[] | undefined, watch?: RecurrenceWatch) =>
          cluster.runSchedule(planned, {
            dtype: config.dtype,
            op: config.op,
            check: config.check && config.mode === 'data',
            iters: config.iters,
            warmupIters: config.warmupIters,
            trace: tracing,
            onSimulatedTime,
            ...(runFaults !== undefined ? { faults: runFaults } : {}),
            ...(watch !== undefined ? { watch } : {}),
          });
        const run = (runFaults: readonly Fault[] | undefined) => runOf(schedule, runFaults);
        const bytes = algBwBytes(config.collective, count, config.dtype, nranks);
        let result: RunResult | undefined;
        if (faults.length === 0) result = await runBenchSchedule(config, schedule, sizeLabel, tracing, (planned, watch) => runOf(planned, undefined, watch)).catch((error: unknown) => { throw withRunContext(error, resolved.label, requestedBytes); });
        else {
          // A failed data-mode run closes its cluster: the next run gets a fresh one.
          const faulted = await runWithFaults(run, faults, { algorithm: resolved.label, bytes }, async () => {
            await cluster.close();
            cluster = await makeCluster();
          });
          faultOutcomes.push(faulted.outcome);
          result = faulted.result;
          // A failed run has no records to draw: its trace is the same schedule without the
          // faults, labelled so (the trace was empty, and said nothing of why).
          if (result === undefined && tracing) {
            const { baseline } = faulted;
            traceRuns.push({ label: `${resolved.label} ${bytes} B, no-fault run (with the faults it failed: ${faulted.outcome.error})`, nranks, steps: baseline.steps, flows: baseline.flows, queues: queueTimelines(baseline.linkStats) });
          }
        }
        done += 1;
        if (result === undefined) {
          hooks.onProgress?.(done, total, `${resolved.label} ${requestedBytes} B`);
          continue;
        }
        backend = result.backend;
        // --explain: in ghost mode every other candidate is simulated too (no payload), as bench
        // would run it (fast-forwarded where that applies) and within --exact-limit per run.
        const simulateCandidate: CandidateRun | null =
          config.mode === 'ghost'
            ? async (c) => {
                const algorithm = algorithmOf(config, c.name, resolved.algorithm);
                const label = `--explain ${c.name}${c.protocol ? `/${c.protocol}` : ''} ${requestedBytes} B`;
                // Under --fault/--straggler/--crash every candidate runs with them, as the chosen one did:
                // one column, one condition (it mixed the chosen one's faulted time with the others' fault-free ones).
                let ran: Awaited<ReturnType<typeof runWithinBudget>>;
                try {
                  ran = await runWithinBudget(config, algorithm.plan(c.params!), label, config.exactLimit, (planned, watch) =>
                    cluster.runSchedule(planned, { dtype: config.dtype, op: config.op, check: false, iters: config.iters, warmupIters: config.warmupIters, ...(faults.length > 0 ? { faults } : {}), ...(watch ? { watch } : {}) }),
                    () => {},
                    (planned) => cluster.simulatedParticipants(planned),
                  );
                } catch (error) {
                  const failure = faults.length > 0 ? runFailureText(error) : undefined;
                  if (failure === undefined) throw error;
                  return { notSimulated: `failed under the faults: ${failure}` };
                }
                return isOverBudget(ran) ? { notSimulated: ran.overBudget } : { timeNs: ran.result.timeNs };
              }
            : null;
        const candidates = config.explain ? await explainCandidates(resolved, result.timeNs / 1000, simulateCandidate) : undefined;
        const { algBwGBps, busBwGBps } = bandwidthsGBps(config.collective, count, config.dtype, nranks, result.timeNs);
        const row: BenchRow = {
          algorithm: resolved.label,
          bytes,
          // nccl-tests' count column: the NCCL count argument (its paramcount), the per-rank block for
          // all-gather, reduce-scatter, all-to-all, gather and scatter, not the whole buffer's elements.
          count,
          dtype: config.dtype,
          redop: collective.reduces ? config.op : 'none',
          root: collective.rooted ? config.root : -1,
          timeUs: result.timeNs / 1000,
          algBwGBps,
          busBwGBps,
          wrong: result.wrong < 0 ? null : result.wrong,
          // One rank: no network term, only the device-local copy the run charges (runtime's localStepsNs).
          predictedUs: (nranks === 1 ? localStepsNs(schedule.participants[0]!, bytesPerElement, deviceMemoryBandwidth(topology)) : resolved.predictedNs) / 1000,
          protocol: resolved.params.protocol ?? null,
          channels: resolved.params.channels,
          chunkBytes: resolved.params.chunkElements * resolved.params.elementBytes,
          wallMs: result.wallMs,
          events: result.events,
          ...(result.simulatedRanks !== undefined ? { simulatedRanks: result.simulatedRanks } : {}),
          ...(result.noClassesReason !== undefined ? { noClassesReason: result.noClassesReason } : {}),
          ...(config.links > 0 ? { links: topLinks(result.linkStats, config.links) } : {}),
          ...(candidates !== undefined ? { candidates } : {}),
          ...(energy !== undefined ? { energy: energyRow(energy, topology, result.linkStats, config.iters + config.warmupIters, result.timeNs, busBwGBps) } : {}),
        };
        rows.push(row);
        hooks.onRow?.(row, { ...reportHeader(config, topology, backend), skipped: plan.skipped, ...energyField }, labels);
        if (tracing) {
          const linkFaults = faults.filter((f) => f.kind === 'failLink' || f.kind === 'degradeLink');
          traceRuns.push({ label: `${resolved.label} ${bytes} B`, nranks, steps: result.steps, flows: result.flows, queues: queueTimelines(result.linkStats), faults: linkFaults });
        }
        hooks.onProgress?.(done, total, `${resolved.label} ${requestedBytes} B`);
      }
    }
  } finally {
    await cluster.close();
  }
  const report: BenchReport = {
    ...reportHeader(config, topology, backend),
    skipped: plan.skipped,
    rows,
    avgBusBwGBps: averageBusBw(rows),
    avgBusBwGBpsByAlgorithm: averageBusBwByAlgorithm(rows),
    ...(faults.length > 0 ? { faults: { scenario: describeFaults(faults), outcomes: faultOutcomes } } : {}),
    ...energyField,
  };
  return { report, traceRuns, labels };
}

/** The packet model's settings from the bench flags (cited defaults fill the rest). */
export function packetOptions(config: BenchFlags): PacketOptions {
  return {
    mtuBytes: config.mtu,
    cellBytes: config.cell ?? config.mtu,
    cc: config.cc,
    delivery: config.delivery,
    pfc: config.pfc,
    stalenessNs: config.staleness,
    ...config.sched,
  };
}

/**
 * Data mode: the largest size's rank buffers of every algorithm against the memory budget,
 * before any worker starts (the runtime checks again per run; this says it in CLI terms),
 * and the sweep's work estimated from the same schedules (work-estimate.ts): the largest
 * size's steps for every size (chunking only adds steps as sizes grow), its moved bytes
 * scaled by each size.
 */
function checkMemory(config: BenchConfig, topology: Topology, plan: SweepPlan): DataWork {
  const nranks = topology.ranks.length;
  const sizes = sweepSizes(config, nranks);
  const largest = sizes[sizes.length - 1]!;
  const sizeScale = sizes.reduce((sum, bytes) => sum + bytes, 0) / Math.max(largest, 1);
  const budget = defaultMemoryBudgetBytes();
  let steps = 0;
  let movedBytes = 0;
  for (const entry of plan.algorithms) {
    const perSize = plan.resolved.get(entry)!;
    const resolved = perSize[perSize.length - 1]!;
    const params = resolved.params;
    const schedule = resolved.algorithm.plan(resolved.params);
    const bytes = scheduleBufferBytes(schedule, config.dtype, nranks);
    if (bytes > budget) {
      throw new WeftInputError(
        `-e/--maxbytes: ${resolved.label} at ${largest} bytes needs ${formatGiB(bytes)} of rank buffers on ${nranks} ranks, over the data-mode budget of ${formatGiB(budget)} (${MEMORY_BUDGET_BASIS}); use --mode ghost (no payload) or a smaller -e`,
      );
    }
    const work = scheduleWork(schedule, params.elementBytes);
    steps += work.steps * sizes.length;
    movedBytes += work.movedBytes * sizeScale;
  }
  const runs = Math.max(1, config.iters + config.warmupIters);
  // The threads data mode starts: --ranks-per-worker, else the runtime's default (one per core).
  const perWorker = config.ranksPerWorker ?? defaultRanksPerWorker(nranks);
  return { ranks: nranks, threads: Math.ceil(nranks / perWorker), steps: steps * runs, movedBytes: movedBytes * runs };
}

/** Each traced run's schedule steps, every iteration recorded (planned here once more, lazily: checkTraceBudget stops early). */
function* tracedSteps(config: BenchConfig, plan: SweepPlan): Generator<number> {
  const runs = Math.max(1, config.iters + config.warmupIters);
  for (const entry of plan.algorithms) {
    for (const resolved of plan.resolved.get(entry)!) yield scheduleWork(resolved.algorithm.plan(resolved.params), resolved.params.elementBytes).steps * runs;
  }
}

/** The registered algorithm `name` of the collective (a candidate of auto), or `fallback` when it is that one. */
function algorithmOf(config: BenchConfig, name: string, fallback: Algorithm): Algorithm {
  return name === fallback.name ? fallback : collectiveOf(config.collective).algorithms.find((a) => a.name === name) ?? fallback;
}

export function reportHeader(config: BenchConfig, topology: Topology, backend: string) {
  return {
    collective: config.collectiveCliName,
    topology: { spec: config.topologySpec, ranks: topology.ranks.length },
    model: config.network,
    routing: config.routing,
    ...(config.network === 'packet' ? { packet: packetOptions(config) } : {}),
    qps: config.qps,
    seed: config.seed,
    mode: config.mode,
    backend,
    iters: config.iters,
    warmupIters: config.warmupIters,
    channels: config.channels === 0 ? ('auto' as const) : config.channels,
    chunkBytes: config.chunkBytes,
    proto: config.proto,
    tuner: config.tuner,
    // What `auto` decides by here: a file without computeCapability silently switched to weft's rule.
    tunerRule: config.tuner === 'auto' ? (topology.computeCapability !== undefined ? ('nccl' as const) : ('weft' as const)) : config.tuner,
    ...(config.confidential ? { confidential: true } : {}),
    ...(environmentOf(config) ?? {}),
  };
}

/** The report's `environment`: only when some NCCL_* variable that matters is set. */
function environmentOf(config: BenchConfig): { environment: { applied: readonly string[]; ignored: readonly string[]; notModelled: readonly string[] } } | undefined {
  const env = config.ncclEnv;
  if (env === undefined || env.applied.length + env.ignored.length + env.notModelled.length === 0) return undefined;
  return { environment: { applied: env.applied, ignored: env.ignored, notModelled: env.notModelled } };
}

/** "simulated 381 µs of ≈ 5,850 µs predicted": a run's progress, for the bar's label. */
export function simulatedSoFar(nowNs: number, predictedNs: number): string {
  const us = (ns: number) => `${Math.round(ns / 1000).toLocaleString('en-US')} µs`;
  return Number.isFinite(predictedNs) && predictedNs > 0 ? `simulated ${us(nowNs)} of ≈ ${us(predictedNs)} predicted` : `simulated ${us(nowNs)}`;
}
