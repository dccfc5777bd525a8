/**
 * What weft's two entries share — main.ts (the process) and sized-thread-main.ts (the thread
 * main.ts hands large ghost runs to) — in one module, so that starting `weft` opens one file
 * for it (test/cli/startup.test.ts counts them):
 *
 * - how an entry ends a command (runEntry): the exit code the command returns; a run failure
 *   that describes itself as one line (and the rank's stack); an internal error with its stack,
 *   exit 1; and two guards — a finished command that something keeps alive, a run whose pending
 *   work vanished;
 * - which runs main.ts hands to a thread whose heap is sized for them (runtime
 *   node/sized-thread.ts; benchmarks/results/speed.md §35, §39): ghost runs of at least
 *   SIZED_THREAD_MIN_RANKS ranks. The command decides, once its own code has parsed its flags
 *   and built its topology (no second reading of argv): it calls `checkSizedThread` before it
 *   simulates. On the process's main thread main.ts arms the check, and a run that matches stops
 *   there with SizedThreadWanted — nothing has run or been written yet — which main.ts answers
 *   by running the same argv in the thread. Unarmed (in that thread, or in a program that calls
 *   runCli itself, as the lab's tests do) the check does nothing.
 */

/** Run failures that describe themselves fully (which rank, which link, what was pending). */
const RUN_FAILURES = new Set(['RankError', 'DeadlockError', 'ProtocolError', 'TransferStrandedError', 'RankCrashedError', 'RankTimeoutError', 'UserCodeTimeoutError', 'WorkerStartError', 'WrongResultsError']);

/**
 * How long a finished command may take to end by itself (ms). Everything weft starts — worker
 * threads, timers, channels, servers — is closed before the command settles, so the process
 * normally ends at once; this only bounds a leak (a thread or handle left behind by a bug) to a
 * clear line instead of a silent hang.
 */
const EXIT_GRACE_MS = 10_000;

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

/**
 * stdout's reader went away (EPIPE) while the command still has output files to write
 * (`weft bench … --out r.json | head`): `keepRunning` is set by output.ts checkOutputs when a
 * command has an output file, and then cli.ts lets the run finish and write them, and ends
 * with the closed pipe's status (141) instead of at once (which lost r.json).
 */
export const closedPipe = { keepRunning: false, closed: false };

/**
 * The line for a write to stdout that failed otherwise than by a closed pipe (ENOSPC, EIO,
 * EFBIG, EDQUOT) — asynchronously on a pipe (cli.ts endOnClosedPipe), or thrown from a write to
 * a file (runEntry). Output files are written before stdout (output.ts writeOutputs), so they stand.
 */
export function stdoutFailure(error: NodeJS.ErrnoException): string {
  const reason = (error.message ?? String(error)).replace(/^\w+: /, '').replace(/, write$/, '');
  return `weft: cannot write stdout: ${reason}${error.code !== undefined ? ` (${error.code})` : ''}\n`;
}

/** Whether `error` is a failed write of stdout's: a system error of the write syscall with no file path. */
function isStdoutWriteError(error: unknown): error is NodeJS.ErrnoException {
  const e = error as NodeJS.ErrnoException | undefined;
  return typeof e?.code === 'string' && e.syscall === 'write' && e.path === undefined;
}

/** Runs `command` (resolving with an exit code) as the entry's whole work. */
export function runEntry(command: () => Promise<number>): void {
  let settled = false;
  // Whatever the build, a run whose last pending work vanished (a thread that never answers)
  // must not end silently with exit 0.
  process.once('beforeExit', () => {
    if (settled) return;
    process.stderr.write('weft: the run stopped before finishing (a worker thread stopped answering)\n');
    process.exitCode = 1;
  });
  command().then(
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
        // A schedule that broke the runtime's rules (ProtocolError) is told by its message; the
        // stack would be weft's own frames. Other errors in a rank (a program's) keep theirs.
        if (failure.rankStack && !failure.rankStack.startsWith('ProtocolError:')) process.stderr.write(`--- stack in the rank ---\n${failure.rankStack}\n`);
      } else if (isStdoutWriteError(error)) {
        process.stderr.write(stdoutFailure(error));
      } else {
        // An internal error keeps its stack (DESIGN.md conventions), exit code 1.
        console.error(error);
      }
      process.exitCode = 1;
      endIfKeptAlive();
    },
  );
}

/**
 * Ranks from which a ghost run is handed to the sized thread. The hand-over costs a second start
 * of the command (its modules, flags and topology) and the thread: +0.13 s of CPU at 1,024 GPUs,
 * +0.22 s at 4,096 (speed.md §39). What it buys, paired: at 4,096 GPUs hierarchical −8 % (1 GiB)
 * and −11 % (1 MiB), −1 % at 64 MiB; at 1,024 GPUs NCCL's default −2 % at 1 GiB (two pairs of
 * ≈ 200 s), +6 % at 1 MiB — nothing to pay for the start there. At 16,384 GPUs the thread's
 * larger old generation lets a run go on where V8's default heap stops it (§34, §35).
 */
export const SIZED_THREAD_MIN_RANKS = 4096;

let armed = false;

/** Called by the entry on the process's main thread only. */
export function armSizedThread(): void {
  armed = true;
}

/** Not a failure: the command stopped before it ran, for the entry to run it in the sized thread. */
export class SizedThreadWanted extends Error {
  constructor(readonly ranks: number) {
    super(`a ghost run of ${ranks} ranks runs in a sized thread`);
    this.name = 'SizedThreadWanted';
  }
}

/** Throws SizedThreadWanted when armed and the run (`mode`, on `ranks` ranks) is one the thread pays for. */
export function checkSizedThread(mode: string, ranks: number): void {
  if (armed && mode === 'ghost' && ranks >= SIZED_THREAD_MIN_RANKS) throw new SizedThreadWanted(ranks);
}
