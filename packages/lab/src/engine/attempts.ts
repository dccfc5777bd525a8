/**
 * The grading policy of the page (the owner's): every submission counts as an attempt; the
 * simulated answer is revealed once the student passes or after REVEAL_AFTER_WRONG wrong tries.
 * Before that a wrong number hears only its direction and rough size (grade.ts `hint`), so the
 * second try cannot just copy the answer. The record keeps every attempt, for the export.
 */
import type { LabConfig } from './config.js';
import type { CustomExercise } from './exercise-list.js';
import type { Grade } from './grade.js';

export const REVEAL_AFTER_WRONG = 3;

/** One submission, as the export lists it (a code answer is not repeated: `answer` holds the last). */
export interface Attempt {
  readonly answer?: number | string;
  readonly passed: boolean;
  readonly score: number;
  readonly at: string;
}

/** An exercise's record in this browser (and in the exported JSON). */
export interface Saved {
  readonly answer: number | string;
  /** The grade as the student saw it (the answer withheld or not). */
  readonly grade: Grade;
  readonly at: string;
  readonly attempts?: number;
  readonly wrongAttempts?: number;
  /** The answer was shown (passed, or REVEAL_AFTER_WRONG wrong tries). */
  readonly revealed?: boolean;
  readonly history?: readonly Attempt[];
  /** A scenario's exercise (its key is only a hash): which one, for the instructor reading the export. */
  readonly exercise?: ScenarioExercise;
}

/** What names a scenario's exercise in the results: its question, and the run it asks about. */
export interface ScenarioExercise {
  readonly title: string;
  readonly prompt: string;
  readonly algorithm: string;
  readonly tolerance: number;
  readonly topology: string;
  readonly focusBytes: number;
}

/** A scenario exercise's key in the saved results: `scenario:` and a hash (FNV-1a, 32 bits) of its run and question. */
export function scenarioKey(config: LabConfig, exercise: CustomExercise): string {
  const text = JSON.stringify([config, exercise]);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return `scenario:${hash.toString(16).padStart(8, '0')}`;
}

/** `saved` with the scenario exercise it belongs to named (the key stays scenarioKey's hash). */
export function scenarioRecord(saved: Saved, config: LabConfig, exercise: CustomExercise): Saved {
  const { title, prompt, algorithm, tolerance } = exercise;
  return { ...saved, exercise: { title, prompt, algorithm, tolerance, topology: config.topology, focusBytes: config.focusBytes } };
}

/** What the student sees of `grade`: the whole grade once revealed, else the hint in place of the exact error, no answer, no score. */
export function presentGrade(grade: Grade, revealed: boolean, wrongAttempts: number): Grade {
  if (revealed) {
    const { hint: _hint, reveal, ...rest } = grade;
    return reveal === undefined ? rest : { ...rest, message: `${rest.message} ${reveal}` };
  }
  const { hint, reveal: _reveal, expected: _expected, ...rest } = grade;
  const left = REVEAL_AFTER_WRONG - wrongAttempts;
  return { ...rest, message: `${hint ?? rest.message} The simulated value shows after ${left} more wrong ${left === 1 ? 'try' : 'tries'} (or when you pass).`, withheld: true };
}

/** The record after one more submission of `answer`, graded `grade` (the full grade, from the engine). */
export function recordAttempt(prior: Saved | undefined, answer: number | string, grade: Grade, at: string): Saved {
  const attempts = (prior?.attempts ?? (prior ? 1 : 0)) + 1;
  const wrongAttempts = (prior?.wrongAttempts ?? (prior && !prior.grade.passed ? 1 : 0)) + (grade.passed ? 0 : 1);
  const revealed = (prior?.revealed ?? false) || grade.passed || wrongAttempts >= REVEAL_AFTER_WRONG;
  // A grade with nothing to withhold (the code exercise, "Enter a number") is shown as it is.
  const open = revealed || (grade.expected === undefined && grade.reveal === undefined);
  const attempt: Attempt = { ...(typeof answer === 'number' ? { answer } : {}), passed: grade.passed, score: grade.score, at };
  return { answer, grade: presentGrade(grade, open, wrongAttempts), at, attempts, wrongAttempts, revealed, history: [...(prior?.history ?? []), attempt] };
}
