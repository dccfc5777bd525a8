/**
 * The grading policy of the page (the owner's): every submission counts as an attempt; the
 * simulated answer is revealed once the student passes or after REVEAL_AFTER_WRONG wrong tries.
 * Before that a wrong number hears only its direction and rough size (grade.ts `hint`), so the
 * second try cannot just copy the answer. The record keeps every attempt, for the export.
 */
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
