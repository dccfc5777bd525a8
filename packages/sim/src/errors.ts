/**
 * A user-facing input error (bad size, unknown algorithm, malformed topology …). The CLI
 * prints `message` alone — one line naming the value and what is accepted — and exits 2.
 * Anything else is an internal error and keeps its stack.
 */
export class WeftInputError extends Error {
  override readonly name = 'WeftInputError';
}

export function isWeftInputError(error: unknown): error is WeftInputError {
  return error instanceof Error && error.name === 'WeftInputError';
}
