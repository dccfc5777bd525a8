/**
 * The graded exercises. Each names the run it is about (a LabConfig), computes its answer
 * by simulating that run (deterministic: the same every time, in every browser) and grades
 * a student's answer against it. The code exercise is graded in its own worker
 * (worker/student-worker.ts) with the symbolic checker and simulated time.
 */
import type { Algorithm, PlanParams } from '@weft/collectives';
import type { UserCheck } from '@weft/cli/check';
import { planSweep } from '@weft/cli/sweep';
import { QPS_CHOICES, exerciseById, type CustomExercise, type Exercise, type Truth } from './exercise-list.js';
import { benchConfig, type LabConfig } from './config.js';
import { fmt, formatBytes, gradeChoice, gradeRelative, type Grade } from './grade.js';
import { forThePage } from './page-words.js';
import { runLab, type LabRun } from './run.js';
import { alphaBetaCost, parseTopologySpec } from '@weft/fabric';

const timeOf = (run: LabRun, algorithm: string, bytes: number): number => {
  const row = run.rows.find((r) => r.algorithm === algorithm && r.bytes === bytes);
  if (row === undefined) throw new Error(`no ${algorithm} row at ${bytes} B`);
  return row.timeUs;
};

/** The α-β facts of an exercise's fabric, which a student predicts from (the prompt names α, β, n and S). */
export function givensOf(config: LabConfig): string {
  const topology = parseTopologySpec(config.topology);
  const { alphaNs, bandwidthBytesPerSec } = alphaBetaCost(topology);
  return `On ${config.topology}: n = ${topology.ranks.length} GPUs, α = ${fmt(alphaNs)} ns per message, β = ${fmt(1e12 / bandwidthBytesPerSec)} ps per byte (${fmt(bandwidthBytesPerSec / 1e9)} GB/s per link).`;
}

/** The simulated answer of an exercise (not the code one: see gradeAlgorithm). */
export async function truthOf(exercise: Exercise): Promise<Truth> {
  const { config } = exercise;
  switch (exercise.id) {
    case 'predict-ring': {
      const t = timeOf(await runLab(config), 'ring', config.focusBytes);
      return { value: t, note: `The simulation takes ${fmt(t)} µs.` };
    }
    case 'ring-vs-tree': {
      const run = await runLab({ ...config, focusBytes: config.sizesBytes[0]! });
      const first = config.sizesBytes.find((s) => timeOf(run, 'ring', s) < timeOf(run, 'tree', s)) ?? config.sizesBytes.at(-1)!;
      return { value: first, note: `Ring is faster from ${formatBytes(first)} on.` };
    }
    case 'ecmp-qps': {
      const busbw = async (routing: 'ecmp' | 'adaptive', qps: number) => (await runLab({ ...config, routing, qps })).rows[0]!.busBwGBps;
      const adaptive = await busbw('adaptive', 1);
      const reached: string[] = [];
      for (const qps of QPS_CHOICES) {
        const got = await busbw('ecmp', qps);
        reached.push(`${qps}: ${got.toFixed(1)}`);
        if (got >= 0.9 * adaptive) return { value: qps, note: `Adaptive: ${adaptive.toFixed(1)} GB/s; ECMP busbw by qps: ${reached.join(', ')} GB/s.` };
      }
      return { value: QPS_CHOICES.at(-1)!, note: `Adaptive: ${adaptive.toFixed(1)} GB/s; ECMP never reaches 90 % (${reached.join(', ')}).` };
    }
    case 'hierarchical': {
      const run = await runLab(config);
      const flat = timeOf(run, 'ring-rankorder', config.sizesBytes[0]!);
      const hier = timeOf(run, 'hierarchical', config.sizesBytes[0]!);
      return { value: flat / hier, note: `Flat ring ${fmt(flat)} µs, hierarchical ${fmt(hier)} µs.` };
    }
    case 'straggler': {
      const slowed = await runLab(config);
      const { faults: _faults, ...faultFree } = config;
      const healthy = await runLab(faultFree);
      const factor = (name: string) => slowed.details.find((d) => d.algorithm === name)!.timeNs / healthy.details.find((d) => d.algorithm === name)!.timeNs;
      return { value: factor('ring'), note: `Ring ×${factor('ring').toFixed(2)}, tree ×${factor('tree').toFixed(2)}: every ring step waits for the slowest link.` };
    }
    default:
      throw new Error(`exercise '${exercise.id}' is graded in the student worker`);
  }
}

export function gradeAnswer(exercise: Exercise, answer: number, truth: Truth): Grade {
  const grade =
    exercise.answer.kind === 'choice'
      ? gradeChoice(answer, truth.value, exercise.answer.choices, exercise.answer.unit === 'bytes' ? formatBytes : (q) => `${q} qps`)
      : gradeRelative(answer, truth.value, 0.1, exercise.answer.kind === 'number' ? exercise.answer.unit : '');
  return { ...grade, reveal: truth.note };
}

/** The checker's functions gradeAlgorithm uses (@weft/cli/check: checkUserAlgorithm, checkPlanned), passed in so only the student's worker bundles them. */
export interface AlgorithmChecks {
  /** Over the check matrix (small rank counts and counts). */
  readonly matrix: (a: Algorithm) => UserCheck;
  /** The very schedule a run times, at its own size (as `weft bench --mode ghost` proves a module's before timing it). */
  readonly planned: (a: Algorithm, params: PlanParams) => UserCheck;
}

/**
 * The schedule of `algorithm` at each size `config` times, proved as `weft bench --mode ghost`
 * proves a module's (cli bench/sweep: checkPlannedModule): ghost mode moves no bytes, so a
 * schedule right on the check matrix but wrong at the timed count would otherwise be timed.
 * Null when all are right, else the student's message.
 */
function provePlanned(config: LabConfig, algorithm: Algorithm, planned: AlgorithmChecks['planned']): string | null {
  const entry = { name: algorithm.name, algorithm, fromAll: false };
  const plan = planSweep(benchConfig(config, [entry], config.sizesBytes), parseTopologySpec(config.topology));
  for (const [i, resolved] of (plan.resolved.get(entry) ?? []).entries()) {
    const checked = planned(algorithm, resolved.params);
    if (!checked.ok) {
      return `Not correct at the size it is timed at (${formatBytes(config.sizesBytes[i]!)}), though right on every small case checked: ${forThePage(checked.error)}. ` +
        'Look for code that depends on count (or on the chunk size): the schedule must be right at every count.';
    }
  }
  return null;
}

/** Grades a student's algorithm (already loaded): correctness from the checker (the small matrix, then the timed schedule itself), then simulated time vs ring and tree. */
export async function gradeAlgorithm(algorithm: Algorithm, check: AlgorithmChecks): Promise<Grade & { readonly run?: LabRun }> {
  const exercise = exerciseById('write-allreduce');
  if (algorithm.collective !== 'allReduce') return { passed: false, score: 0, message: `Your algorithm is for ${String(algorithm.collective)}; this exercise wants allReduce.` };
  if (['ring', 'tree'].includes(algorithm.name)) return { passed: false, score: 0, message: `Give your algorithm a name of its own (not '${algorithm.name}').` };
  const checked = check.matrix(algorithm);
  if (!checked.ok) return { passed: false, score: 0, message: `Not correct: ${forThePage(checked.error)}` };
  const wrongWhenTimed = provePlanned(exercise.config, algorithm, check.planned);
  if (wrongWhenTimed !== null) return { passed: false, score: 0, message: wrongWhenTimed };
  const run = await runLab(exercise.config, [algorithm]);
  const bytes = exercise.config.sizesBytes[0]!;
  const mine = timeOf(run, algorithm.name, bytes);
  const best = Math.min(timeOf(run, 'ring', bytes), timeOf(run, 'tree', bytes));
  const score = Math.min(1, best / mine);
  return {
    passed: true,
    score,
    message: `Correct on all ${checked.cases} checked cases. ${fmt(mine)} µs at 4 MiB; ring ${fmt(timeOf(run, 'ring', bytes))} µs, tree ${fmt(timeOf(run, 'tree', bytes))} µs.`,
    run,
  };
}

/**
 * Grades a scenario's own exercise: the predicted time of its algorithm at the focus size (with
 * the scenario's faults), within its tolerance. A run the faults stop (a crash, a link down with
 * no other path) has no time: no answer passes, and the grade says why (the page says the run did
 * not complete; the fault-free time it replays is not the answer).
 */
export async function gradeCustom(config: LabConfig, exercise: CustomExercise, answerUs: number): Promise<Grade> {
  const run = await runLab({ ...config, algorithms: [exercise.algorithm], sizesBytes: [config.focusBytes] });
  const { error } = run.details[0]!;
  if (error !== undefined) {
    return {
      passed: false,
      score: 0,
      message: `${exercise.algorithm} at ${formatBytes(config.focusBytes)} does not complete in this scenario (${forThePage(error).replace(/\.$/, '')}), so it has no time to predict and no answer passes. Tell your instructor: the exercise asks for the time of a run its faults stop.`,
    };
  }
  const truth = run.details[0]!.timeNs / 1000;
  const grade = gradeRelative(answerUs, truth, exercise.tolerance, 'µs');
  return { ...grade, reveal: `${exercise.algorithm} at ${formatBytes(config.focusBytes)} takes ${fmt(truth)} µs.` };
}
