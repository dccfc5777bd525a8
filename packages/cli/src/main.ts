#!/usr/bin/env node
import { isMainThread } from 'node:worker_threads';
import { runCli } from './cli.js';
import { armSizedThread, SizedThreadWanted } from './sized-run.js';
import { applyTieringFlag } from './v8-tiering.js';

const args = process.argv.slice(2);
// Before the command's modules load (runCli imports them): V8 optimizes later (v8-tiering.ts).
// V8's flags are the process's: a sized thread (below) has them already.
if (isMainThread) await applyTieringFlag(args);

/** Run failures that describe themselves fully (which rank, which link, what was pending). */
const RUN_FAILURES = new Set(['RankError', 'DeadlockError', 'TransferStrandedError', 'RankCrashedError', 'RankTimeoutError', 'UserCodeTimeoutError', 'WorkerStartError']);

/**
 * How long a finished command may take to end by itself (ms). Everything weft starts — worker
 * threads, timers, channels, servers — is closed before the command settles, so the process
 * normally ends at once; this only bounds a leak (a thread or handle left behind by a bug) to a
 * clear line instead of a silent hang.
 */
const EXIT_GRACE_MS = 10_000;

/**
 * Tests only (test/cli/sized-thread.test.ts): the sized thread's old generation in MiB, so that
 * a test can make the thread outgrow it in a second. Not a user setting (weft takes no heap
 * settings: the thread is sized from the machine).
 */
const TEST_OLD_GENERATION_MB_ENV = 'WEFT_TEST_SIZED_THREAD_OLD_MB';

let settled = false;

/** After the command settles: if something left behind keeps the process alive, end it and name what. */
function endIfKeptAlive(): void {
  const timer = setTimeout(() => {
    // What Node lists as active (this timer is unref'd, so not among them; stdio may be).
    const kept = process.getActiveResourcesInfo();
    process.stderr.write(`weft: internal: the command finished but something kept the process alive ${EXIT_GRACE_MS / 1000} s (active: ${kept.join(', ') || 'none listed'}); ending it\n`);
    process.exit();
  }, EXIT_GRACE_MS);
  // Never what keeps the process alive itself.
  timer.unref();
}
// Whatever the build, a run whose last pending work vanished (a thread that never answers)
// must not end silently with exit 0.
process.once('beforeExit', () => {
  if (settled) return;
  process.stderr.write('weft: the run stopped before finishing (a worker thread stopped answering)\n');
  process.exitCode = 1;
});

/**
 * The same command in a thread whose heap is sized for it (sized-run.ts says which runs): its
 * output, exit code and one-line errors are the thread's. The thread is told whether stderr is
 * a terminal (its own is a pipe), gets SIGINT/SIGTERM relayed, and the process then ends as the
 * signal would have ended it. A thread V8 stops at its heap limit is one line, exit 2.
 */
async function runInThread(argv: readonly string[]): Promise<number> {
  const [{ runInSizedThread, sizedThreadHeapLimits }, { stderrFacts }] = await Promise.all([import('@weft/runtime/sized-thread'), import('./ui/progress.js')]);
  const testOldMb = Number(process.env[TEST_OLD_GENERATION_MB_ENV]);
  const limits = testOldMb > 0 ? { ...sizedThreadHeapLimits(), oldGenerationMb: testOldMb } : sizedThreadHeapLimits();
  const exit = await runInSizedThread(new URL(import.meta.url), argv, limits, { workerData: { stderr: stderrFacts() } });
  if (exit.signal !== undefined) process.kill(process.pid, exit.signal);
  if (!exit.outOfMemory) return exit.code;
  process.stderr.write(
    `weft: run too big for this machine: it reached the JS heap limit its thread was given (${limits.oldGenerationMb.toLocaleString('en-US')} MiB, from this machine's memory) before the heap guard could stop it cleanly; use fewer ranks, fewer channels (--channels) or larger chunks (--chunk)\n`,
  );
  return 2;
}

async function run(): Promise<number> {
  if (!isMainThread) {
    (await import('@weft/runtime/sized-thread')).endOnRelayedSignal();
    return runCli(args);
  }
  armSizedThread();
  try {
    return await runCli(args);
  } catch (error) {
    if (!(error instanceof SizedThreadWanted)) throw error;
    return runInThread(args);
  }
}

run().then(
  (code) => {
    settled = true;
    process.exitCode = code;
    endIfKeptAlive();
  },
  (error: unknown) => {
    settled = true;
    const failure = error as Error & { rankStack?: string };
    if (error instanceof Error && RUN_FAILURES.has(error.name)) {
      // The run ended cleanly (every worker stopped); say what failed, and where in the rank.
      process.stderr.write(`weft: ${failure.message}\n`);
      if (failure.rankStack) process.stderr.write(`--- stack in the rank ---\n${failure.rankStack}\n`);
    } else {
      // An internal error keeps its stack (DESIGN.md conventions), exit code 1.
      console.error(error);
    }
    process.exitCode = 1;
    endIfKeptAlive();
  },
);
