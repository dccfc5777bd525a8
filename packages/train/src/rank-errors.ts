/**
 * Which rank failures are the user's to fix. A rank that failed on bad input (a
 * WeftInputError inside the rank, e.g. an algorithm that cannot run on this layout) or
 * because training diverged gets one line, exit 2; any other failure stays an internal
 * error with its stack.
 */
import { WeftInputError } from '@weft/sim';

const USER_ERRORS: ReadonlySet<string> = new Set(['WeftInputError', 'DivergedError']);

/** What the runtime's RankError carries about the error thrown in the rank. */
interface RankFailure {
  readonly name?: unknown;
  readonly cause?: { readonly name?: unknown; readonly message?: unknown };
  /** Older runtimes: the rank's message and stack text only. */
  readonly rankMessage?: string;
  readonly rankStack?: string;
}

/** The rank's error as a one-line WeftInputError, or undefined when it is not a user error. */
export function asUserError(error: unknown): WeftInputError | undefined {
  if (!(error instanceof Error) || error.name !== 'RankError') return undefined;
  const failure = error as Error & RankFailure;
  const cause = failure.cause;
  const fromCause = typeof cause?.name === 'string' && typeof cause.message === 'string';
  // Until the runtime hands over the cause, the class name is the first word of the stack.
  const name = fromCause ? cause.name : /^\w+/.exec(failure.rankStack ?? '')?.[0];
  const message = fromCause ? cause.message : failure.rankMessage;
  if (typeof name !== 'string' || !USER_ERRORS.has(name) || typeof message !== 'string') return undefined;
  return new WeftInputError(message.split('\n')[0]!);
}
