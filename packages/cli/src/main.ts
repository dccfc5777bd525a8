#!/usr/bin/env node
import { runCli } from './cli.js';
import { applyTieringFlag } from './v8-tiering.js';

const args = process.argv.slice(2);
// Before the command's modules load (runCli imports them): V8 optimizes later (v8-tiering.ts).
await applyTieringFlag(args);

/** Run failures that describe themselves fully (which rank, which link, what was pending). */
const RUN_FAILURES = new Set(['RankError', 'DeadlockError', 'TransferStrandedError', 'RankCrashedError', 'RankTimeoutError', 'UserCodeTimeoutError', 'WorkerStartError']);

let settled = false;
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
  },
);
