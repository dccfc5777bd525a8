#!/usr/bin/env node
import { runCli } from './cli.js';

/** Run failures that describe themselves fully (which rank, which link, what was pending). */
const RUN_FAILURES = new Set(['RankError', 'DeadlockError', 'TransferStrandedError', 'RankCrashedError', 'RankTimeoutError']);

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
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
