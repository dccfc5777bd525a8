/** The page's side of the workers: one engine worker for runs, a fresh one per student submission. */
import { wrap, type Remote } from 'comlink';
import type { Grade } from '../engine/grade.js';
import type { EngineApi, PageRun } from '../worker/engine-worker.js';
import type { CallMessage, PrintedMessage, ReadyMessage, StudentApi } from '../worker/student-worker.js';

let engine: { worker: Worker; api: Remote<EngineApi> } | null = null;
/** Rejecters of the calls in flight to the engine worker, for stopEngine. */
const inFlight = new Set<(error: Error) => void>();

/** What a call to the engine worker rejects with when the page stopped it. */
export class RunStopped extends Error {
  constructor() {
    super('The run was stopped.');
    this.name = 'RunStopped';
  }
}

/**
 * The engine worker (started on first use). Every call through it rejects with RunStopped if
 * stopEngine ends the worker first (a terminated worker never answers: the caller would wait for good).
 */
export function engineWorker(): Remote<EngineApi> {
  if (engine === null) {
    const worker = new Worker(new URL('../worker/engine-worker.ts', import.meta.url), { type: 'module' });
    const remote = wrap<EngineApi>(worker);
    const api = new Proxy(remote, {
      get: (target, key) =>
        key === 'then' ? undefined : (...args: unknown[]) =>
          new Promise((resolve, reject) => {
            inFlight.add(reject);
            ((target as unknown as Record<PropertyKey, (...a: unknown[]) => Promise<unknown>>)[key]!(...args)).then(resolve, reject).finally(() => inFlight.delete(reject));
          }),
    });
    engine = { worker, api };
  }
  return engine.api;
}

/** Ends the engine worker mid-run (the page's Stop): its calls reject with RunStopped, and the next call starts a fresh worker. */
export function stopEngine(): void {
  engine?.worker.terminate();
  engine = null;
  for (const reject of inFlight) reject(new RunStopped());
  inFlight.clear();
}

/**
 * Each call into student code (its module's top level, one plan(), one predictNs()…) gets this
 * long (wall clock) before its worker is terminated: 8 s, or `?limit=MS` (0.5–60 s; an
 * instructor's choice, and what the tests use). The grader's own work between those calls
 * (loading its worker, the symbolic checks, the timed runs) does not count against it.
 */
export function studentTimeLimitMs(search = typeof location === 'undefined' ? '' : location.search): number {
  const asked = Number(new URLSearchParams(search).get('limit'));
  return Number.isFinite(asked) && asked > 0 ? Math.min(60_000, Math.max(500, asked)) : 8000;
}

/**
 * The whole grading may take this long before it is stopped (a backstop: a schedule so big that
 * checking and timing it outlasts a student's patience, or a timer the student's module left
 * running): 2 minutes, or 15 times the per-call limit if that is longer.
 */
export const graderLimitMs = (limitMs: number): number => Math.max(120_000, 15 * limitMs);

export type StudentGrade = Grade & { readonly run?: PageRun };

/**
 * Grading was stopped before it gave a grade: a call into the student's code outlasted the time
 * limit (`call` names it), or the whole grading outlasted graderLimitMs (`call` null). No grade,
 * so no attempt: the page says so, with what the code printed before.
 */
export class GradingStopped extends Error {
  constructor(readonly call: string | null, readonly limitMs: number, readonly printed: readonly string[]) {
    const seconds = `${limitMs / 1000} s`;
    super(
      call !== null
        ? `Stopped, not graded (no attempt counted): your code (${call}) ran for more than ${seconds} and was stopped. Look for a loop that never ends (for example a loop counter that never changes)${printed.length > 0 ? '; below is what it printed before it was stopped' : ''}. If it does end (a busy machine can slow any code), submit again.`
        : `Stopped, not graded (no attempt counted): grading took more than ${seconds} in all and was stopped, though each call into your code returned in time (checking and timing your schedules took that long: a very big schedule, or a timer your module left running${printed.length > 0 ? '; below is what it printed' : ''}). Submit again when the machine is less busy, or make the schedule smaller.`,
    );
    this.name = 'GradingStopped';
  }
}

/** The grader's worker file did not load (offline, or the site re-exported since the page loaded): no grade, no attempt. */
export class GraderUnavailable extends Error {
  constructor() {
    super('The grader could not be loaded (its file did not download: the network is off, or the lab was updated since this page was loaded), so your code was not graded and no attempt counts. Reload the page, then submit again.');
    this.name = 'GraderUnavailable';
  }
}

/**
 * Grades `code` in its own worker. A watchdog runs while the worker is inside a call into the
 * student's code (its CallMessages): one call past `limitMs` terminates the worker and rejects
 * with GradingStopped naming the call; so does the whole grading past `totalMs` (the backstop).
 */
export async function gradeStudent(code: string, limitMs = studentTimeLimitMs(), totalMs = graderLimitMs(limitMs)): Promise<StudentGrade> {
  const worker = new Worker(new URL('../worker/student-worker.ts', import.meta.url), { type: 'module' });
  const api = wrap<StudentApi>(worker);
  // What the code prints arrives as it prints: kept here for a run the limit stops (its grade never comes).
  const printed: string[] = [];
  let ready = false;
  let stop: (error: GradingStopped) => void = () => {};
  const stopped = new Promise<never>((_, reject) => (stop = reject));
  let callTimer: ReturnType<typeof setTimeout> | undefined;
  worker.addEventListener('message', (e: MessageEvent<Partial<PrintedMessage & ReadyMessage & CallMessage> | null>) => {
    if (e.data?.weftReady === true) ready = true;
    if (typeof e.data?.weftPrinted === 'string') printed.push(e.data.weftPrinted);
    if (e.data !== null && typeof e.data === 'object' && 'weftCall' in e.data) {
      // Each call gets the whole limit: the watchdog restarts as one begins, and stops as it returns.
      clearTimeout(callTimer);
      const call = e.data.weftCall;
      if (typeof call === 'string') callTimer = setTimeout(() => stop(new GradingStopped(call, limitMs, [...printed])), limitMs);
    }
  });
  // An error before the worker says it is ready: its file did not load (a 404, offline), not the student's code.
  const unavailable = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (e) => {
      if (ready) return; // the student's code, once loaded: the grade or the time limit says what happened
      e.preventDefault();
      reject(new GraderUnavailable());
    });
  });
  const totalTimer = setTimeout(() => stop(new GradingStopped(null, totalMs, [...printed])), totalMs);
  try {
    return await Promise.race([api.grade(code) as Promise<StudentGrade>, stopped, unavailable]);
  } finally {
    clearTimeout(callTimer);
    clearTimeout(totalTimer);
    worker.terminate();
  }
}
