/**
 * Errors a run can end with. Each carries the facts a user needs to find the cause (which
 * rank, which operation, which link) in its message and as fields.
 */

/** One participant's operations that were still waiting when the run stopped. */
export interface PendingOps {
  readonly participant: number;
  /** `rank 3` or `switch 0` */
  readonly label: string;
  /** e.g. `recv from rank 2 on channel 0` */
  readonly ops: readonly string[];
}

/** Every participant is waiting, nothing is in flight and no timer is due: nobody can move. */
export class DeadlockError extends Error {
  override readonly name = 'DeadlockError';
  constructor(
    readonly timeNs: number,
    readonly pending: readonly PendingOps[],
  ) {
    const lines = pending.map((p) => `  ${p.label}: ${p.ops.length > 0 ? p.ops.join('; ') : 'no pending operation'}`);
    super(`deadlock at ${timeNs} ns: every participant is waiting and nothing is in flight\n${lines.join('\n')}`);
  }
}

/** A participant's code threw (a program, or the executor on its behalf). */
export class RankError extends Error {
  override readonly name = 'RankError';
  constructor(
    readonly rank: number,
    /** `rank 3` or `switch 0` */
    readonly label: string,
    readonly rankMessage: string,
    readonly rankStack?: string,
  ) {
    super(`${label} failed: ${rankMessage}`);
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
    description: string,
  ) {
    super(`transfer ${transferId} (${description}) stranded at ${timeNs} ns: link ${linkId} is down and the flow was pinned to it`);
  }
}

/** The schedule or program broke the runtime's rules (e.g. a message nobody received). */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

export function participantLabel(participant: number, nranks: number): string {
  return participant < nranks ? `rank ${participant}` : `switch ${participant - nranks}`;
}
