/** Grades: a score from 0 to 1, passed or not, and one sentence for the student. */
export interface Grade {
  readonly passed: boolean;
  readonly score: number;
  readonly message: string;
  /** What the simulation says (shown after grading). */
  readonly expected?: string;
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
  return error <= tolerance
    ? { passed: true, score: 1, message: `Within ${pct} % of the simulation: passed.`, expected: `${fmt(truth)} ${unit}` }
    : { passed: false, score, message: `${off} (the bar is ${(100 * tolerance).toFixed(0)} %).`, expected: `${fmt(truth)} ${unit}` };
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
