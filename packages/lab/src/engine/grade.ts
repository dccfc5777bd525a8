/** Grades: a score from 0 to 1, passed or not, and one sentence for the student. */
export interface Grade {
  readonly passed: boolean;
  readonly score: number;
  readonly message: string;
  /** What the simulation says (shown once the answer may be revealed: engine/attempts.ts). */
  readonly expected?: string;
  /** A sentence that gives the answer away (the simulated time, the crossover…): withheld like `expected`. */
  readonly reveal?: string;
  /** A wrong number's direction and rough size ("about 2× too high"), shown while the answer is withheld. */
  readonly hint?: string;
  /** The page withheld `expected`, `reveal` and the exact error (engine/attempts.ts). */
  readonly withheld?: boolean;
  /** What a student's code printed (console.log and friends), first lines only. */
  readonly printed?: readonly string[];
}

/** Graded on relative error: full marks within `tolerance`, none at 5× it. */
export function gradeRelative(answer: number, truth: number, tolerance: number, unit: string): Grade {
  if (!Number.isFinite(answer)) return { passed: false, score: 0, message: `Enter a number (${unit}).` };
  const error = Math.abs(answer - truth) / Math.abs(truth);
  const score = Math.max(0, Math.min(1, 1 - (error - tolerance) / (4 * tolerance)));
  const pct = (100 * error).toFixed(1);
  // Past 10× a percentage stops reading ("Off by 3.784666708561271e+97 %"): say the factor.
  const off = error < 10 ? `Off by ${pct} %` : `Off by a factor of ${Math.abs(answer / truth).toPrecision(2)}`;
  const bar = `(the bar is ${(100 * tolerance).toFixed(0)} %)`;
  return error <= tolerance
    ? { passed: true, score: 1, message: `Within ${pct} % of the simulation: passed.`, expected: `${fmt(truth)} ${unit}` }
    : { passed: false, score, message: `${off} ${bar}.`, expected: `${fmt(truth)} ${unit}`, hint: `${roughly(answer / truth)} ${bar}.` };
}

/**
 * How far off a wrong number is, without giving the answer away: the direction, and the
 * factor in coarse steps (an exact percentage would let the next try be exactly right).
 */
export function roughly(ratio: number): string {
  if (!(ratio > 0)) return 'Too low: the simulated value is above 0';
  const factor = ratio >= 1 ? ratio : 1 / ratio;
  const way = ratio >= 1 ? 'too high' : 'too low';
  if (factor < 1.5) return `A little ${way} (within 1.5× of it)`;
  if (factor < 10) return `About ${Math.round(factor)}× ${way}`;
  return `Over ${10 ** Math.floor(Math.log10(factor))}× ${way}`;
}

/** Graded on position in a list of choices: exact, or one step away (half marks). */
export function gradeChoice<T>(answer: T, truth: T, choices: readonly T[], label: (value: T) => string): Grade {
  const a = choices.indexOf(answer);
  const t = choices.indexOf(truth);
  if (a < 0) return { passed: false, score: 0, message: `Pick one of ${choices.map(label).join(', ')}.` };
  if (a === t) return { passed: true, score: 1, message: `${label(answer)} is right: passed.`, expected: label(truth) };
  const near = Math.abs(a - t) === 1;
  return { passed: false, score: near ? 0.5 : 0, message: `${label(answer)} is ${near ? 'one step' : 'more than one step'} ${a < t ? 'too low' : 'too high'}.`, expected: label(truth) };
}

export function fmt(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

/** 1048576 → "1 MiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1 && value % 1024 === 0) {
    value /= 1024;
    unit += 1;
  }
  return `${value} ${units[unit]}`;
}

/**
 * A number as a student types it, with either decimal mark: "2642.24" and "2642,24" are both
 * 2642.24 (a German keyboard's comma was dropped: 264224 graded). Null for anything else
 * ("1.234,5" with thousands separators, "12a"): the page refuses it rather than guess.
 */
export function parseDecimal(text: string): number | null {
  const trimmed = text.trim().replace(/^\u2212/, '-'); // a typographic minus, pasted
  if (!/^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$/.test(trimmed)) return null;
  const value = Number(trimmed.replace(',', '.'));
  return Number.isFinite(value) ? value : null;
}

/** The sentence the page says for text parseDecimal refuses (no grade, no attempt). */
export const NOT_A_NUMBER = 'Type a number such as 2642.24 or 2642,24 (one decimal mark, no thousands separators).';
