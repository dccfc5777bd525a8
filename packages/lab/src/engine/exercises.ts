/**
 * The graded exercises. Each names the run it is about (a LabConfig), computes its answer
 * by simulating that run (deterministic: the same every time, in every browser) and grades
 * a student's answer against it. The code exercise is graded in its own worker
 * (worker/student-worker.ts) with the symbolic checker and simulated time.
 */
import type { Algorithm } from '@weft/collectives';
import { QPS_CHOICES, exerciseById, type CustomExercise, type Exercise, type Truth } from './exercise-list.js';
import type { LabConfig } from './config.js';
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

/** Grades a student's algorithm (already loaded): correctness from the checker, then simulated time vs ring and tree. */
export async function gradeAlgorithm(
  algorithm: Algorithm,
  check: (a: Algorithm) => { ok: true; cases: number } | { ok: false; error: string },
): Promise<Grade & { readonly run?: LabRun }> {
  const exercise = exerciseById('write-allreduce');
  if (algorithm.collective !== 'allReduce') return { passed: false, score: 0, message: `Your algorithm is for ${String(algorithm.collective)}; this exercise wants allReduce.` };
  if (['ring', 'tree'].includes(algorithm.name)) return { passed: false, score: 0, message: `Give your algorithm a name of its own (not '${algorithm.name}').` };
  const checked = check(algorithm);
  if (!checked.ok) return { passed: false, score: 0, message: `Not correct: ${forThePage(checked.error)}` };
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

/** Grades a scenario's own exercise: the predicted time of its algorithm at the focus size, within its tolerance. */
export async function gradeCustom(config: LabConfig, exercise: CustomExercise, answerUs: number): Promise<Grade> {
  const run = await runLab({ ...config, algorithms: [exercise.algorithm], sizesBytes: [config.focusBytes] });
  const truth = run.details[0]!.timeNs / 1000;
  const grade = gradeRelative(answerUs, truth, exercise.tolerance, 'µs');
  return { ...grade, reveal: `${exercise.algorithm} at ${formatBytes(config.focusBytes)} takes ${fmt(truth)} µs.` };
}
