/**
 * `weft train` as a function: plan the run, print its header, run the ranks (or predict
 * them), report. Takes a validated config and a topology (the CLI reads argv and files).
 */
import type { LinkStats, Topology } from '@weft/fabric';
import { choiceFor } from './backend.js';
import { callOptions } from './bucket-all-reduce.js';
import type { TrainConfig } from './config.js';
import { LiveProgress } from './live-progress.js';
import { predictedResults } from './prediction.js';
import { buildReport, type EpochSummary, type TrainHeader, type TrainReport } from './report.js';
import { runRanks } from './run-ranks.js';
import { loadMnist } from './data/mnist.js';
import { planRun } from './run-plan.js';

export interface TrainHooks {
  /** Once, before any rank starts: the run's fixed parameters. */
  onStart?(header: TrainHeader): void;
  /** After each step of rank 0 (live, from the rank workers). */
  onStep?(step: number, steps: number): void;
  /** Once per epoch, in order, as soon as its numbers are known. */
  onEpoch?(epoch: EpochSummary): void;
}

export interface TrainResult {
  readonly report: TrainReport;
  /** Rank 0's final weights, when asked for (tests comparing runs). */
  readonly weights?: Float32Array[];
  /** What each link carried over the whole run (absent in predict mode): a fault report compares these. */
  readonly linkStats?: readonly LinkStats[];
  /** [rank][step]: virtual time each rank ended each step (absent in predict mode). */
  readonly stepEndsNs?: readonly (readonly number[])[];
}

export async function train(config: TrainConfig, topology: Topology, hooks: TrainHooks = {}, { returnWeights = false } = {}): Promise<TrainResult> {
  const wallStart = performance.now();
  const nranks = topology.ranks.length;
  const { header, loaded, allReduces } = await planRun(config, topology);
  hooks.onStart?.(header);

  const data = config.mode === 'data';
  const mnist = data && header.model.dataset === 'mnist';
  const live = new LiveProgress(config.steps, header.stepsPerEpoch, nranks, data, mnist, hooks);
  const args = {
    config,
    backend: loaded ? choiceFor(loaded.name) : ('cpu' as const),
    compute: header.compute,
    evalEverySteps: header.stepsPerEpoch,
    returnWeights,
    allReduces: [...allReduces].map(([count, r]) => [count, callOptions(r)] as const),
    // Parsed once here; the ranks' threads share it (SharedArrayBuffers).
    ...(mnist ? { mnist: loadMnist() } : {}),
  };
  const run = config.mode === 'predict' ? undefined : await runRanks(config, topology, args, live);
  const results = run?.results ?? predictedResults(config, nranks, header.predicted);
  const report = buildReport(header, results, performance.now() - wallStart);
  live.finish(report.epochs);
  return {
    report,
    ...(results[0]!.weights ? { weights: results[0]!.weights } : {}),
    ...(run ? { linkStats: run.linkStats, stepEndsNs: run.results.map((r) => r.steps.map((s) => s.endNs)) } : {}),
  };
}
