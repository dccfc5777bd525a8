/** The page's side of the workers: one engine worker for runs, a fresh one per student submission. */
import { wrap, type Remote } from 'comlink';
import type { Grade } from '../engine/grade.js';
import type { EngineApi, PageRun } from '../worker/engine-worker.js';
import type { StudentApi } from '../worker/student-worker.js';

let engine: Remote<EngineApi> | null = null;

export function engineWorker(): Remote<EngineApi> {
  engine ??= wrap<EngineApi>(new Worker(new URL('../worker/engine-worker.ts', import.meta.url), { type: 'module' }));
  return engine;
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
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<StudentGrade>((resolve) => {
    timer = setTimeout(() => {
      resolve({
        passed: false,
        score: 0,
        timedOut: true,
        message: `Your code ran for more than ${limitMs / 1000} s and was stopped. Look for a loop that never ends (for example a loop counter that never changes).`,
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
