/** The page's side of the workers: one engine worker for runs, a fresh one per student submission. */
import { wrap, type Remote } from 'comlink';
import type { Grade } from '../engine/grade.js';
import type { EngineApi, PageRun } from '../worker/engine-worker.js';
import type { PrintedMessage, StudentApi } from '../worker/student-worker.js';

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

/** Grades `code` in its own worker; past the time limit the worker is terminated and the student told why. */
export async function gradeStudent(code: string, limitMs = studentTimeLimitMs()): Promise<StudentGrade> {
  const worker = new Worker(new URL('../worker/student-worker.ts', import.meta.url), { type: 'module' });
  const api = wrap<StudentApi>(worker);
  // What the code prints arrives as it prints: kept here for a run the limit stops (its grade never comes).
  const printed: string[] = [];
  worker.addEventListener('message', (e: MessageEvent<Partial<PrintedMessage> | null>) => {
    if (typeof e.data?.weftPrinted === 'string') printed.push(e.data.weftPrinted);
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
    return await Promise.race([api.grade(code) as Promise<StudentGrade>, timeout]);
  } finally {
    clearTimeout(timer);
    worker.terminate();
  }
}
