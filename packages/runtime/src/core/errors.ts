/**
 * Errors a run can end with. Each carries the facts a user needs to find the cause (which
 * rank, which operation, which link) in its message and as fields, and crosses a thread
 * boundary with its class and fields intact (`encodeError` / `reviveError`), so callers
 * can use `instanceof` and `error.name` whatever thread the error began in.
 */
import { WeftInputError } from '@weft/sim';
import type { StrandCause } from '@weft/fabric';

/** One participant's operations that were still waiting when the run stopped. */
export interface PendingOps {
  readonly participant: number;
  /** `rank 3` or `switch 0` */
  readonly label: string;
  /** e.g. `recv from rank 2 on channel 0` */
  readonly ops: readonly string[];
}

/** How many waiting participants a deadlock's message names before `and N more` (the rest stay in `pending`). */
const DEADLOCK_NAMED = 3;

/**
 * Every participant is waiting, nothing is in flight and no timer is due: nobody can move.
 * The message is one line (the CLI prints it as the run's only error line): the time in µs and
 * the first few waiting participants with their first pending operation; `pending` keeps all.
 */
export class DeadlockError extends Error {
  override readonly name = 'DeadlockError';
  constructor(
    readonly timeNs: number,
    readonly pending: readonly PendingOps[],
  ) {
    super(`deadlock at ${formatMicroseconds(timeNs)}: every participant is waiting and nothing is in flight${waitingSummary(pending)}`);
  }
}

/** `172.84 µs`: virtual time to 10 ns, with thousands separators (the exact value stays in the error's `timeNs`). */
export function formatMicroseconds(timeNs: number): string {
  return `${(timeNs / 1000).toLocaleString('en-US', { maximumFractionDigits: 2 })} µs`;
}

/** `; waiting: rank 1: recv from rank 0 on channel 0 (message 141) (and 2 more operations); rank 2: …; and 69 more waiting`. */
function waitingSummary(pending: readonly PendingOps[]): string {
  if (pending.length === 0) return '';
  const named = pending.slice(0, DEADLOCK_NAMED).map((p) => {
    if (p.ops.length === 0) return `${p.label}: no pending operation`;
    const more = p.ops.length > 1 ? ` (and ${p.ops.length - 1} more ${p.ops.length === 2 ? 'operation' : 'operations'})` : '';
    return `${p.label}: ${p.ops[0]}${more}`;
  });
  const rest = pending.length > DEADLOCK_NAMED ? `; and ${pending.length - DEADLOCK_NAMED} more waiting` : '';
  return `; waiting: ${named.join('; ')}${rest}`;
}

/**
 * A participant's code threw (a program, or the executor on its behalf). `cause` is the
 * error it threw, with its class (WeftInputError, …) or at least its `name`.
 */
export class RankError extends Error {
  override readonly name = 'RankError';
  constructor(
    readonly rank: number,
    /** `rank 3` or `switch 0` */
    readonly label: string,
    readonly rankMessage: string,
    readonly rankStack?: string,
    cause?: unknown,
  ) {
    super(`${label} failed: ${rankMessage}`, cause === undefined ? undefined : { cause });
    if (rankStack !== undefined) this.stack = `${this.name}: ${this.message}\n--- in ${label} ---\n${rankStack}`;
  }
}

/** A transfer lost its path to a failed link and can never complete. */
export class TransferStrandedError extends Error {
  override readonly name = 'TransferStrandedError';
  constructor(
    readonly transferId: number,
    readonly linkId: string,
    readonly timeNs: number,
    /** endpoints, channel and size */
    readonly description: string,
    /** How the failure stranded it (see the fabric's StrandCause). */
    readonly strandCause: StrandCause = 'pinned',
  ) {
    super(`transfer ${transferId} (${description}) stranded at ${Number(timeNs.toFixed(2))} ns: ${strandedBecause(linkId, strandCause)}`);
  }
}

/** Why a transfer stranded, in words: one clause per StrandCause. */
function strandedBecause(linkId: string, cause: StrandCause): string {
  switch (cause) {
    case 'pinned':
      return `link ${linkId} is down and the flow was pinned to it`;
    case 'noPath':
      // The endpoints are in the message's head already; the cause alone groups alike failures (the lab's summary).
      return `link ${linkId} is down and no path is left between the transfer's endpoints`;
    case 'lostPackets':
      return `link ${linkId} went down with packets of it queued on or crossing it (lost, not resent around the failure)`;
    case 'pathsDown':
      return `link ${linkId} is down and every path the flow was spread over crosses a failed link`;
  }
}

/** How many ranks that did not yield a timeout's message names after the first. */
const TIMEOUT_NAMED = 3;

/**
 * The watchdog: a host did not answer a round within the limit (a rank program in an
 * infinite loop, or awaiting a promise that never resolves). Its worker is terminated. The
 * message names the ranks whose code had not yielded (not their host's ranks that had) and
 * how to raise the limit, from the API (`roundTimeoutMs`) and from the CLI (`--timeout`).
 */
export class RankTimeoutError extends Error {
  override readonly name = 'RankTimeoutError';
  constructor(
    /** `rank 3` or `switch 0`, with the last operation each posted. */
    readonly stuck: readonly { readonly label: string; readonly lastOp: string }[],
    readonly timeoutMs: number,
    readonly timeNs: number,
  ) {
    const first = stuck[0] ?? { label: 'a rank', lastOp: 'unknown' };
    const others = stuck.slice(1).map((s) => s.label);
    const more = others.length > 0 ? ` (and ${others.length} more: ${others.slice(0, TIMEOUT_NAMED).join(', ')}${others.length > TIMEOUT_NAMED ? ', …' : ''})` : '';
    super(
      `${first.label} did not yield within ${timeoutMs / 1000} s of wall time at virtual time ${Math.round(timeNs)} ns${more}; its last operation: ${first.lastOp}; stopped (raise the limit: --timeout SECONDS in weft bench and weft train; API: roundTimeoutMs)`,
    );
  }
}

/**
 * The watchdog for user code that is not a rank program: a call into a user's module (an
 * algorithm's plan(), or its top level while it loads) did not return within the limit.
 * The thread it ran in is terminated; `call` names the function and its arguments.
 */
export class UserCodeTimeoutError extends Error {
  override readonly name = 'UserCodeTimeoutError';
  constructor(
    /** e.g. `--algo ./spin.mjs` */
    readonly source: string,
    /** e.g. `plan(nranks 32, count 262144, channels 1, chunk 0)` */
    readonly call: string,
    readonly timeoutMs: number,
  ) {
    super(`${source}: ${call} did not return within ${timeoutMs / 1000} s of wall time (an infinite loop?); its thread was stopped (raise the limit with --timeout SECONDS)`);
  }
}

/** A rank crashed (an injected fault) and the others could not finish without it. */
export class RankCrashedError extends Error {
  override readonly name = 'RankCrashedError';
  constructor(
    readonly rank: number,
    readonly atNs: number,
    readonly timeNs: number,
    readonly pending: readonly PendingOps[],
  ) {
    const waiting = pending.filter((p) => p.participant !== rank && p.ops.length > 0);
    const first = waiting[0];
    const example = first ? `; ${waiting.length} participant(s) left waiting, e.g. ${first.label}: ${first.ops[0]}` : '';
    super(`rank ${rank} crashed at ${Math.round(atNs)} ns (injected fault); the run stopped at ${Math.round(timeNs)} ns${example}`);
  }
}

/** The schedule or program broke the runtime's rules (e.g. a message nobody received). */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

/** A message whose size is not its receiving slice's: the same error in data and ghost mode. */
export function messageSizeError(messageBytes: number, sliceBytes: number): ProtocolError {
  return new ProtocolError(`message of ${messageBytes} bytes received into a slice of ${sliceBytes} bytes`);
}

export function participantLabel(participant: number, nranks: number): string {
  return participant < nranks ? `rank ${participant}` : `switch ${participant - nranks}`;
}

/** The error a run ends with when `participant` threw `error`: the run-level errors as they are, anything else as a RankError. */
export function participantFailure(participant: number, nranks: number, error: unknown): Error {
  if (error instanceof DeadlockError || error instanceof TransferStrandedError || error instanceof RankError || error instanceof RankCrashedError || error instanceof RankTimeoutError) return error;
  const label = participantLabel(participant, nranks);
  if (!(error instanceof Error)) return new RankError(participant, label, String(error), undefined, error);
  return new RankError(participant, label, error.message, error.stack, error);
}

/** An error as structured-clone data: its name, message, stack, own fields and cause. */
export interface EncodedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly cause?: EncodedError;
}

export function encodeError(error: unknown): EncodedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key === 'name' || key === 'message' || key === 'stack' || key === 'cause') continue;
    try {
      fields[key] = structuredClone(value);
    } catch {
      // a field structured clone cannot copy (a function, say) stays behind
    }
  }
  return {
    name: error.name,
    message: error.message,
    ...(error.stack !== undefined ? { stack: error.stack } : {}),
    fields,
    ...(error.cause !== undefined ? { cause: encodeError(error.cause) } : {}),
  };
}

type Fields = Record<string, never>;

/** How each known class is rebuilt from its fields; others become an Error with the same name and fields. */
const REVIVERS: Record<string, (e: EncodedError, f: Fields, cause: Error | undefined) => Error> = {
  RankError: (_, f, cause) => new RankError(f.rank, f.label, f.rankMessage, f.rankStack, cause),
  DeadlockError: (_, f) => new DeadlockError(f.timeNs, f.pending),
  TransferStrandedError: (_, f) => new TransferStrandedError(f.transferId, f.linkId, f.timeNs, f.description, f.strandCause),
  RankCrashedError: (_, f) => new RankCrashedError(f.rank, f.atNs, f.timeNs, f.pending),
  RankTimeoutError: (_, f) => new RankTimeoutError(f.stuck, f.timeoutMs, f.timeNs),
  UserCodeTimeoutError: (_, f) => new UserCodeTimeoutError(f.source, f.call, f.timeoutMs),
  ProtocolError: (e) => new ProtocolError(e.message),
  WeftInputError: (e) => new WeftInputError(e.message),
};

/** The error `encodeError` encoded, of its class when it is one of the runtime's or WeftInputError. */
export function reviveError(encoded: EncodedError): Error {
  const cause = encoded.cause === undefined ? undefined : reviveError(encoded.cause);
  const revive = Object.hasOwn(REVIVERS, encoded.name) ? REVIVERS[encoded.name] : undefined;
  let error: Error;
  if (revive) error = revive(encoded, encoded.fields as Fields, cause);
  else {
    error = Object.assign(new Error(encoded.message, cause === undefined ? undefined : { cause }), encoded.fields);
    error.name = encoded.name;
  }
  if (encoded.stack !== undefined) error.stack = encoded.stack;
  return error;
}
