/**
 * Ghost mode runs rank programs in this process, on the main thread: a `process.exit` there
 * would end weft itself. While a ghost program runs, `process.exit` throws instead, inside the
 * calling rank, so the run ends with that rank's RankError like any other exception. A data-mode
 * worker does the same for good (`forbidExit`): it may host several ranks, and the error must
 * name the one that called it, not every rank of the thread. Nested or concurrent runs share one
 * guard (a depth count); the real `process.exit` is back once the last one ends.
 */
let depth = 0;
let realExit: typeof process.exit | undefined;

/**
 * The guard's `process.exit`: it throws in a rank, but not when Node itself is ending the
 * thread. A worker's uncaught error (a throwing timer, say) makes Node's own handler set
 * `process._exiting` and call `process.exit()`; throwing there escapes Node's fatal-exception
 * path and aborts the whole process (FATAL ERROR: v8::ToLocalChecked Empty MaybeLocal).
 */
function guardedExit(exit: typeof process.exit): typeof process.exit {
  return ((code?: unknown) => {
    if ((process as { _exiting?: boolean })._exiting === true) return exit(code as number | undefined);
    throw new ProcessExitInRankError(code);
  }) as typeof process.exit;
}

export class ProcessExitInRankError extends Error {
  override readonly name = 'ProcessExitInRankError';
  constructor(code: unknown) {
    super(`process.exit(${code === undefined ? '' : String(code)}) called in a rank program (a rank must not end the process)`);
  }
}

export async function withExitGuard<T>(run: () => Promise<T>): Promise<T> {
  if (depth++ === 0) {
    realExit = process.exit;
    process.exit = guardedExit(realExit);
  }
  try {
    return await run();
  } finally {
    if (--depth === 0) process.exit = realExit!;
  }
}

/** For a worker thread's whole life: `process.exit` throws in the calling rank. */
export function forbidExit(): void {
  process.exit = guardedExit(process.exit.bind(process));
}
