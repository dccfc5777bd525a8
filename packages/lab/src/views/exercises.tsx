/**
 * The exercises, graded in the page. Answers and grades are kept in this browser
 * (localStorage) and export as one JSON file an instructor can collect.
 */
import { useEffect, useState } from 'preact/hooks';
import type { LabConfig } from '../engine/config.js';
import { EXERCISES, STARTER_ALGORITHM, type CustomExercise, type Exercise } from '../engine/exercise-list.js';
import { NOT_A_NUMBER, formatBytes, parseDecimal, type Grade } from '../engine/grade.js';
import { recordAttempt, scenarioKey, scenarioRecord, type Saved } from '../engine/attempts.js';
import { GraderUnavailable, GradingStopped, engineWorker, gradeStudent, type StudentGrade } from '../ui/workers.js';
import { lazyView } from '../ui/lazy.js';

/** CodeMirror loads when the exercise that edits code comes into view. */
const CodeEditor = lazyView(() => import('./editor.js').then((m) => m.CodeEditor), 'Algorithm editor', { as: 'div', whenVisible: true });

const STORE = 'weft-lab-results';

/** A prompt's `backticked` parts as code (else the student reads the backticks). */
const withCode = (text: string) => text.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));


const loadSaved = (): Record<string, Saved> => {
  try {
    return JSON.parse(localStorage.getItem(STORE) ?? '{}') as Record<string, Saved>;
  } catch {
    return {};
  }
};

function exportResults(saved: Record<string, Saved>, student: string): void {
  const body = JSON.stringify({ lab: 'weft', student, exportedAt: new Date().toISOString(), results: saved }, null, 2);
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([body], { type: 'application/json' }));
  a.download = `weft-lab-results${student ? `-${student.replace(/\W+/g, '-')}` : ''}.json`;
  a.click();
}

function GradeLine({ saved, showPrinted = true }: { saved: Saved | undefined; showPrinted?: boolean }) {
  if (!saved) return null;
  const { grade, at, attempts = 1 } = saved;
  // A later try that fails does not undo a pass: say so (the export keeps every try).
  const passedAt = grade.passed ? -1 : (saved.history ?? []).findIndex((a) => a.passed);
  return (
    <>
    <p class={grade.passed ? 'grade passed' : 'grade failed'} data-testid="grade" data-passed={String(grade.passed)} data-at={at} data-attempts={attempts}>
      {/* The score would give a withheld answer away (it falls with the error): shown once the answer is. */}
      <strong>{grade.passed ? 'Passed' : 'Not yet'}</strong>{grade.withheld ? '' : ` (score ${(100 * grade.score).toFixed(0)} %)`}, attempt {attempts}: {grade.message}
      {grade.expected !== undefined && <> Simulated: {grade.expected}.</>}
      {passedAt >= 0 && <> (You passed on attempt {passedAt + 1}; the export keeps every attempt.)</>}
    </p>
    {showPrinted && grade.printed && <div class="printed"><span class="note">Your code printed:</span><pre data-testid="printed">{grade.printed.join('\n')}</pre></div>}
    </>
  );
}

interface Props {
  /** A scenario's own exercise, about the scenario's run. */
  custom?: { readonly config: LabConfig; readonly exercise: CustomExercise } | undefined;
  open: (config: LabConfig) => void;
  code: string;
  setCode: (code: string) => void;
  onStudentRun: (grade: StudentGrade) => void;
}

type NumberGrader = (value: number) => Promise<Grade>;

function ExerciseCard({ exercise, saved, save, props, grader }: { exercise: Exercise; saved: Saved | undefined; save: (s: Saved) => void; props: Props; grader?: NumberGrader }) {
  const [answer, setAnswer] = useState<string>(saved ? String(saved.answer) : '');
  const [busy, setBusy] = useState(false);
  const [givens, setGivens] = useState<string | null>(null);
  useEffect(() => {
    if (exercise.answer.kind !== 'code') void engineWorker().givens(exercise.config).then(setGivens, () => setGivens(null));
  }, [exercise.config]);
  const [failure, setFailure] = useState<{ readonly message: string; readonly printed?: readonly string[] } | null>(null);
  const submit = async () => {
    if (busy) return; // the button stays focusable while grading (aria-disabled): a second press waits
    setFailure(null);
    // Text the student typed that is no number (a stray letter, thousands separators) is refused, not graded as some other number.
    const value = exercise.answer.kind === 'number' ? parseDecimal(answer) : Number(answer);
    if (value === null) {
      setFailure({ message: `Not graded: ${NOT_A_NUMBER}` });
      return;
    }
    setBusy(true);
    try {
      if (exercise.answer.kind === 'code') {
        const grade = await gradeStudent(props.code);
        const { run, ...rest } = grade;
        save(recordAttempt(saved, props.code, rest, new Date().toISOString()));
        props.onStudentRun(grade);
      } else {
        const grade = grader ? await grader(value) : await engineWorker().grade(exercise.id, value);
        save(recordAttempt(saved, value, grade, new Date().toISOString()));
      }
    } catch (error) {
      // Stop (or a failed worker) ends the grading run: say so, and count no attempt.
      // A time limit that stopped the code is no grade either: the student's loop, or a busy machine.
      if (error instanceof GradingStopped) setFailure({ message: error.message, ...(error.printed.length > 0 ? { printed: error.printed } : {}) });
      else if (error instanceof GraderUnavailable) setFailure({ message: `Not graded: ${error.message}` });
      else setFailure({ message: `Not graded: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]} Submit again to grade it.` });
    } finally {
      setBusy(false);
    }
  };
  const a = exercise.answer;
  return (
    <article class="exercise" id={`exercise-${exercise.id}`} data-testid={`exercise-${exercise.id}`}>
      <h3>{exercise.title}</h3>
      <p>{withCode(exercise.prompt)}</p>
      {givens && <p class="note" data-testid="givens">{givens}</p>}
      {/* Named with the exercise: six of these (and six Submits) read alike in a screen reader's list of buttons. */}
      <button class="link" onClick={() => props.open(exercise.config)} aria-label={`Open this run in the views: ${exercise.title}`}>Open this run in the views</button>
      {a.kind === 'code' && <CodeEditor initial={props.code} onChange={props.setCode} />}
      {/* A form, so Enter in the answer box submits it as students expect. */}
      <form class="answer" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        {a.kind === 'number' && (
          <label>Your answer <input type="text" inputMode="decimal" autoComplete="off" value={answer} onInput={(e) => setAnswer((e.target as HTMLInputElement).value)} data-testid="answer" /> {a.unit}</label>
        )}
        {a.kind === 'choice' && (
          <label>Your answer{' '}
            <select value={answer} onChange={(e) => setAnswer((e.target as HTMLSelectElement).value)} data-testid="answer">
              <option value="">choose…</option>
              {a.choices.map((c) => <option key={c} value={c}>{a.unit === 'bytes' ? formatBytes(c) : `${c} qps`}</option>)}
            </select>
          </label>
        )}
        {/* aria-disabled while grading, not disabled: a disabled button drops the keyboard's focus to the page's start. */}
        <button type="submit" disabled={a.kind !== 'code' && answer.trim() === ''} aria-disabled={busy ? 'true' : undefined} aria-label={`${busy ? 'Grading…' : 'Submit'}: ${exercise.title}`} data-testid="submit">{busy ? 'Grading…' : 'Submit'}</button>
      </form>
      {/* A polite live region: a screen reader hears the grade (or why there is none) when it comes. */}
      <div role="status" data-testid="grade-status">
        {failure !== null && <p class="grade failed" data-testid="grade-error">{failure.message}</p>}
        {failure?.printed && <div class="printed"><span class="note">Your code printed:</span><pre data-testid="printed">{failure.printed.join('\n')}</pre></div>}
        <GradeLine saved={saved} showPrinted={failure === null} />
      </div>
    </article>
  );
}

export function ExercisesView(props: Props) {
  const [saved, setSaved] = useState<Record<string, Saved>>(loadSaved);
  const [student, setStudent] = useState('');
  const save = (id: string) => (s: Saved) => {
    const next = { ...loadSaved(), [id]: s };
    localStorage.setItem(STORE, JSON.stringify(next));
    setSaved(next);
  };
  return (
    <section class="view" aria-label="Exercises">
      <h2>Exercises <small>graded here, by the same simulation; your results stay in this browser</small></h2>
      <p>
        <label>Your name (for the export) <input value={student} onInput={(e) => setStudent((e.target as HTMLInputElement).value)} /></label>{' '}
        <button onClick={() => exportResults(saved, student)} data-testid="export-results">Export results (JSON)</button>{' '}
        <button class="link" onClick={() => props.setCode(STARTER_ALGORITHM)}>Reset the code to the starter</button>
      </p>
      {props.custom && (() => {
        const { config, exercise } = props.custom;
        const card: Exercise = { id: 'scenario', title: exercise.title, prompt: `${exercise.prompt} (Within ${(100 * exercise.tolerance).toFixed(0)} % passes.)`, config, answer: { kind: 'number', unit: 'µs' } };
        // Each scenario's exercise keeps its own attempts (one key for every scenario let one's grade and tries carry into the next).
        const id = scenarioKey(config, exercise);
        return <ExerciseCard key={id} exercise={card} saved={saved[id]} save={(s) => save(id)(scenarioRecord(s, config, exercise))} props={props} grader={(value) => engineWorker().gradeCustom(config, exercise, value)} />;
      })()}
      {EXERCISES.map((e) => <ExerciseCard key={e.id} exercise={e} saved={saved[e.id]} save={save(e.id)} props={props} />)}
    </section>
  );
}
