/**
 * Which rank failures are the user's to fix. A rank that failed on bad input (a
 * WeftInputError inside the rank, e.g. an algorithm that cannot run on this layout) or
 * because training diverged gets one line, exit 2; any other failure stays an internal
 * error with its stack.
 */
import { RankError } from '@weft/runtime';
import { WeftInputError } from '@weft/sim';

const USER_ERRORS: ReadonlySet<string> = new Set(['WeftInputError', 'DivergedError']);

/** The rank's error as a one-line WeftInputError, or undefined when it is not a user error. */
export function asUserError(error: unknown): WeftInputError | undefined {
  // The runtime carries the rank's error across the thread boundary as RankError.cause,
  // with its class name and message.
  if (!(error instanceof RankError) || !(error.cause instanceof Error)) return undefined;
  if (!USER_ERRORS.has(error.cause.name)) return undefined;
  return new WeftInputError(error.cause.message.split('\n')[0]!);
}
