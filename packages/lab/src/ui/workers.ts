/** The page's side of the workers: one engine worker for runs, a fresh one per student submission. */
import { wrap, type Remote } from 'comlink';
import type { Grade } from '../engine/grade.js';
import type { EngineApi, PageRun } from '../worker/engine-worker.js';
import type { PrintedMessage, ReadyMessage, StudentApi } from '../worker/student-worker.js';

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
 * Student code gets this long (wall clock) before its worker is terminated: 8 s, or `?limit=MS`
 * (0.5–60 s; an instructor's choice, and what the tests use).
 */
export function studentTimeLimitMs(search = typeof location === 'undefined' ? '' : location.search): number {
  const asked = Number(new URLSearchParams(search).get('limit'));
  return Number.isFinite(asked) && asked > 0 ? Math.min(60_000, Math.max(500, asked)) : 8000;
}

export type StudentGrade = Grade & { readonly run?: PageRun; readonly timedOut?: boolean };

/** The grader's worker file did not load (offline, or the site re-exported since the page loaded): no grade, no attempt. */
export class GraderUnavailable extends Error {
  constructor() {
    super('The grader could not be loaded (its file did not download: the network is off, or the lab was updated since this page was loaded), so your code was not graded and no attempt counts. Reload the page, then submit again.');
    this.name = 'GraderUnavailable';
  }
}

/** Grades `code` in its own worker; past the time limit the worker is terminated and the student told why. */
export async function gradeStudent(code: string, limitMs = studentTimeLimitMs()): Promise<StudentGrade> {
  const worker = new Worker(new URL('../worker/student-worker.ts', import.meta.url), { type: 'module' });
  const api = wrap<StudentApi>(worker);
  // What the code prints arrives as it prints: kept here for a run the limit stops (its grade never comes).
  const printed: string[] = [];
  let ready = false;
  worker.addEventListener('message', (e: MessageEvent<Partial<PrintedMessage & ReadyMessage> | null>) => {
    if (e.data?.weftReady === true) ready = true;
    if (typeof e.data?.weftPrinted === 'string') printed.push(e.data.weftPrinted);
  });
  // An error before the worker says it is ready: its file did not load (a 404, offline), not the student's code.
  const unavailable = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (e) => {
      if (ready) return; // the student's code, once loaded: the grade or the time limit says what happened
      e.preventDefault();
      reject(new GraderUnavailable());
    });
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<StudentGrade>((resolve) => {
    timer = setTimeout(() => {
      resolve({
        passed: false,
        score: 0,
        timedOut: true,
        message: `Your code ran for more than ${limitMs / 1000} s and was stopped. Look for a loop that never ends (for example a loop counter that never changes)${printed.length > 0 ? '; below is what it printed before it was stopped' : ''}.`,
        ...(printed.length > 0 ? { printed: [...printed] } : {}),
      });
    }, limitMs);
  });
  try {
    return await Promise.race([api.grade(code) as Promise<StudentGrade>, timeout, unavailable]);
  } finally {
    clearTimeout(timer);
    worker.terminate();
  }
}
