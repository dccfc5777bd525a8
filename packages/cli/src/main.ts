#!/usr/bin/env node
import { runCli } from './cli.js';
import { applyTieringFlag } from './v8-tiering.js';

const args = process.argv.slice(2);
// Before the command's modules load (runCli imports them): V8 optimizes later (v8-tiering.ts).
await applyTieringFlag(args);

/** Run failures that describe themselves fully (which rank, which link, what was pending). */
const RUN_FAILURES = new Set(['RankError', 'DeadlockError', 'TransferStrandedError', 'RankCrashedError', 'RankTimeoutError', 'UserCodeTimeoutError', 'WorkerStartError']);

/**
 * How long a finished command may take to end by itself (ms). Everything weft starts — worker
 * threads, timers, channels, servers — is closed before the command settles, so the process
 * normally ends at once; this only bounds a leak (a thread or handle left behind by a bug) to a
 * clear line instead of a silent hang.
 */
const EXIT_GRACE_MS = 10_000;

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

runCli(args).then(
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
