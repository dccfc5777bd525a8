#!/usr/bin/env node
import { runCli } from './cli.js';
import { armSizedThread, closedPipe, runEntry, SizedThreadWanted } from './entry.js';
import { applyTieringFlag } from './v8-tiering.js';

const args = process.argv.slice(2);
// Before the command's modules load (runCli imports them): V8 optimizes later (v8-tiering.ts).
await applyTieringFlag(args);

/**
 * Tests only (test/cli/sized-thread.test.ts): the sized thread's old generation in MiB, so that
 * a test can make the thread outgrow it in a second. Not a user setting (weft takes no heap
 * settings: the thread is sized from the machine).
 */
const TEST_OLD_GENERATION_MB_ENV = 'WEFT_TEST_SIZED_THREAD_OLD_MB';

/**
 * The same command in a thread whose heap is sized for it (entry.ts says which runs;
 * sized-thread-main.ts is its entry): its output, exit code and one-line errors are the
 * thread's. The thread is told whether stderr is a terminal (its own is a pipe), gets
 * SIGINT/SIGTERM relayed, and the process then ends as the signal would have ended it. A thread
 * V8 stops at its heap limit is one line, exit 2.
 */
async function runInThread(argv: readonly string[]): Promise<number> {
  const [{ runInSizedThread, sizedThreadHeapLimits }, { stderrFacts }] = await Promise.all([import('@weft/runtime/sized-thread'), import('./ui/progress.js')]);
  const testOldMb = Number(process.env[TEST_OLD_GENERATION_MB_ENV]);
  const limits = testOldMb > 0 ? { ...sizedThreadHeapLimits(), oldGenerationMb: testOldMb } : sizedThreadHeapLimits();
  const exit = await runInSizedThread(new URL('./sized-thread-main.js', import.meta.url), argv, limits, { workerData: { stderr: stderrFacts() } });
  if (exit.signal !== undefined) process.kill(process.pid, exit.signal);
  // The thread's stdout is a pipe to this thread's: a reader that went away (`| head`) closed this
  // side, and the thread, which finished and wrote its files (entry.ts closedPipe), never saw it.
  if (!exit.outOfMemory) return exit.code === 0 && closedPipe.closed ? 141 : exit.code;
  process.stderr.write(
    `weft: run too big for this machine: it reached the JS heap limit its thread was given (${limits.oldGenerationMb.toLocaleString('en-US')} MiB, from this machine's memory) before the heap guard could stop it cleanly; use fewer ranks, fewer channels (--channels) or larger chunks (--chunk)\n`,
  );
  return 2;
}

runEntry(async () => {
  armSizedThread();
  try {
    return await runCli(args);
  } catch (error) {
    if (!(error instanceof SizedThreadWanted)) throw error;
    return runInThread(args);
  }
});
