/**
 * The messages between participants and the coordinator, in one file (as comlink keeps its
 * protocol in protocol.ts). Participants post requests and wait for completions; they never
 * touch simulation state. Node's worker transport packs these into typed arrays
 * (node/wire.ts); in-process hosts pass the objects directly.
 */

/** Request kinds. Numbers, so that they pack into a Float64Array on the wire. */
export const SEND = 0;
export const RECV = 1;
export const COMPUTE = 2;
/** Internal: completes when every participant has posted one (ends warm-up iterations). */
export const BARRIER = 3;
export type RequestKind = typeof SEND | typeof RECV | typeof COMPUTE | typeof BARRIER;

/** Element types a payload can carry, by code (programs rebuild the typed array on recv). */
export const DTYPE_CODES = ['float32', 'float64', 'int32', 'uint8'] as const;
export type PayloadDType = (typeof DTYPE_CODES)[number];

/** Arena index of a payload that lives in its own SharedArrayBuffer (`sab`). */
export const STANDALONE = -1;
/** Arena index of a ghost payload: byte counts only, no bytes anywhere. */
export const NO_DATA = -2;

/**
 * Where a sent message's bytes wait for the receiver. Data mode: a snapshot in a staging
 * block of a shared arena (arena >= 0, released by the receiver through the block's state
 * word) or a standalone SharedArrayBuffer. Ghost mode: NO_DATA.
 */
export interface PayloadRef {
  readonly arena: number;
  readonly byteOffset: number;
  readonly bytes: number;
  readonly dtype: number;
  readonly sab?: SharedArrayBuffer;
}

export interface Request {
  readonly participant: number;
  /** Per-participant sequence number: the coordinator orders a round by (participant, seq). */
  readonly seq: number;
  readonly kind: RequestKind;
  readonly peer: number;
  readonly channel: number;
  readonly bytes: number;
  readonly durationNs: number;
  readonly payload: PayloadRef | undefined;
}

export interface Completion {
  readonly participant: number;
  readonly seq: number;
  /** For a recv: the message's payload. */
  readonly payload: PayloadRef | undefined;
}

export interface FinishedParticipant {
  readonly participant: number;
  /** A program's return value (structured-cloneable); undefined for schedules. */
  readonly value?: unknown;
}

export interface ParticipantFailure {
  readonly participant: number;
  readonly message: string;
  readonly stack?: string;
}

/** What a host answers to a wake: new requests, who finished, or the first failure. */
export interface HostReport {
  readonly requests: Request[];
  readonly finished: FinishedParticipant[];
  readonly failure?: ParticipantFailure;
}

/** The coordinator's view of a set of participants that run together (a worker, or in-process). */
export interface HostLink {
  readonly participants: readonly number[];
  /** Starts the participants' work at virtual time 0. */
  start(): HostReport | Promise<HostReport>;
  /** Delivers completions at `nowNs` (sorted by participant) and runs until all are idle. */
  wake(nowNs: number, completions: readonly Completion[]): HostReport | Promise<HostReport>;
}
