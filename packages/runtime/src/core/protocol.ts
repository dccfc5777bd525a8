/**
 * Every message between participants, their hosts and the coordinator, in one file (as
 * comlink keeps its protocol in src/protocol.ts): discriminated unions, plus the packed
 * encoding of the per-round messages for hosts in other threads.
 *
 * Participants post requests and wait for completions; they never touch simulation state.
 * An in-process host hands the coordinator these objects as they are; a host in another
 * thread (a worker) exchanges one `RoundMessage` / `ReportMessage` per round, its requests
 * and completions packed into a Float64Array (one structured clone of a flat array instead
 * of one object per request). Payload bytes never travel in messages: only where they are
 * (arena, offset) — or, for the rare message that overflowed its staging region, the
 * SharedArrayBuffer handle in `sabs`.
 */
import type { EncodedError } from './errors.js';

/** Element types a payload can carry, by code (programs rebuild the typed array on recv). */
export const DTYPE_CODES = ['float32', 'float64', 'int32', 'uint8', 'int8', 'uint32', 'int64', 'uint64', 'float16', 'bfloat16'] as const;
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

// ---- participant → coordinator: requests ----
// `seq` is the participant's request number: the poster writes 0 and its host numbers the
// request in place (one object per request: ghost mode posts millions). A round is applied
// in (participant, seq) order.

/** Eager send: completes when its last byte has left (`sent`). */
export interface SendRequest {
  readonly kind: 'send';
  readonly participant: number;
  seq: number;
  readonly peer: number;
  readonly channel: number;
  /** Bytes on the wire: the payload's, in the protocol's whole lines (flags included) under one. */
  readonly bytes: number;
  readonly payload: PayloadRef | undefined;
  /**
   * The message's payload bytes when it carries no payload (a ghost-mode executor's send),
   * which its receiver checks its slice against; absent: the payload's (`payload.bytes`).
   * Not packed: a host in another thread always sends a payload.
   */
  readonly payloadBytes?: number;
  /**
   * The NCCL protocol the message moves under (@weft/collectives protocolCode; 0 or absent:
   * none): the coordinator delivers it no sooner than that protocol's step latency.
   */
  readonly protocol?: number;
}

/** Completes with the payload of the next message from `peer` on `channel`. */
export interface RecvRequest {
  readonly kind: 'recv';
  readonly participant: number;
  seq: number;
  readonly peer: number;
  readonly channel: number;
}

/** Completes `durationNs` of virtual time later. */
export interface ComputeRequest {
  readonly kind: 'compute';
  readonly participant: number;
  seq: number;
  readonly durationNs: number;
  /**
   * A fixed cost a slow rank (the slowRank fault) does not stretch: a collective's launch
   * latency (host-side) and its HBM-bound local copies and reductions. Absent: the rank's own
   * compute (a training step's forward and backward), which the fault scales.
   */
  readonly fixed?: boolean;
}

/** Internal: completes when every unfinished participant has posted one (ends warm-up iterations). */
export interface BarrierRequest {
  readonly kind: 'barrier';
  readonly participant: number;
  seq: number;
}

export type Request = SendRequest | RecvRequest | ComputeRequest | BarrierRequest;
export type RequestKind = Request['kind'];

// ---- coordinator → participant ----

export interface Completion {
  readonly participant: number;
  readonly seq: number;
  /** For a recv: the message's payload. */
  readonly payload: PayloadRef | undefined;
  /** For a recv: the message's payload bytes (also in ghost mode, which has no payload); 0 otherwise. */
  readonly bytes: number;
}

// ---- host → coordinator ----

export interface FinishedParticipant {
  readonly participant: number;
  /** A program's return value (structured-cloneable); undefined for schedules. */
  readonly value?: unknown;
}

/** A participant's code threw: the error as thrown (in-process) or revived (from a worker). */
export interface ParticipantFailure {
  readonly participant: number;
  readonly error: unknown;
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
  /**
   * Its participants whose code runs now: a program that has not yielded to the coordinator
   * (awaiting a promise of its own, or in a loop), for the watchdog to name. Absent: unknown.
   */
  runningParticipants?(): readonly number[];
}

// ---- the same, across a thread boundary ----

/** Coordinator → host thread, one per round. */
export type RoundMessage =
  | { readonly type: 'start' }
  | { readonly type: 'wake'; readonly nowNs: number; readonly completions: Float64Array; readonly sabs: SharedArrayBuffer[] };

/** Host thread → coordinator: the answer to a RoundMessage (a HostReport, packed). */
export interface ReportMessage {
  readonly type: 'report';
  readonly requests: Float64Array;
  readonly sabs: SharedArrayBuffer[];
  readonly finished: FinishedParticipant[];
  readonly failure?: { readonly participant: number; readonly error: EncodedError };
}

const KINDS: readonly RequestKind[] = ['send', 'recv', 'compute', 'barrier'];
const KIND_CODE: Record<RequestKind, number> = { send: 0, recv: 1, compute: 2, barrier: 3 };
/** participant, seq, kind, peer, channel, bytes, durationNs (compute) or protocol (send), payload (4). */
const REQUEST_FIELDS = 11;
/** participant, seq, payload (4). */
const COMPLETION_FIELDS = 6;
/** `arena` value meaning "no payload". */
const NO_PAYLOAD = -3;

function packPayload(out: Float64Array, at: number, payload: PayloadRef | undefined, sabs: SharedArrayBuffer[]): void {
  if (payload === undefined) {
    out[at] = NO_PAYLOAD;
    return;
  }
  out[at] = payload.arena;
  out[at + 1] = payload.arena === STANDALONE ? sabs.push(payload.sab!) - 1 : payload.byteOffset;
  out[at + 2] = payload.bytes;
  out[at + 3] = payload.dtype;
}

function unpackPayload(data: Float64Array, at: number, sabs: readonly SharedArrayBuffer[]): PayloadRef | undefined {
  const arena = data[at]!;
  if (arena === NO_PAYLOAD) return undefined;
  if (arena === STANDALONE) return { arena, byteOffset: 0, bytes: data[at + 2]!, dtype: data[at + 3]!, sab: sabs[data[at + 1]!]! };
  return { arena, byteOffset: data[at + 1]!, bytes: data[at + 2]!, dtype: data[at + 3]! };
}

/** A host's report as a ReportMessage (its `failure` error already encoded by the caller). */
export function packReport(report: HostReport, failure?: ReportMessage['failure']): ReportMessage {
  const requests = report.requests;
  const out = new Float64Array(requests.length * REQUEST_FIELDS);
  const sabs: SharedArrayBuffer[] = [];
  for (let i = 0; i < requests.length; i++) {
    const r = requests[i]!;
    const at = i * REQUEST_FIELDS;
    out[at] = r.participant;
    out[at + 1] = r.seq;
    out[at + 2] = KIND_CODE[r.kind];
    if (r.kind === 'send' || r.kind === 'recv') {
      out[at + 3] = r.peer;
      out[at + 4] = r.channel;
    }
    if (r.kind === 'send') {
      out[at + 5] = r.bytes;
      out[at + 6] = r.protocol ?? 0;
    }
    if (r.kind === 'compute') {
      out[at + 5] = r.fixed === true ? 1 : 0;
      out[at + 6] = r.durationNs;
    }
    packPayload(out, at + 7, r.kind === 'send' ? r.payload : undefined, sabs);
  }
  const base = { type: 'report' as const, requests: out, sabs, finished: report.finished };
  return failure ? { ...base, failure } : base;
}

/** The requests of a ReportMessage. */
export function unpackRequests(message: ReportMessage): Request[] {
  const { requests: data, sabs } = message;
  const out: Request[] = [];
  for (let at = 0; at < data.length; at += REQUEST_FIELDS) {
    const participant = data[at]!;
    const seq = data[at + 1]!;
    switch (KINDS[data[at + 2]!]!) {
      case 'send':
        out.push({ kind: 'send', participant, seq, peer: data[at + 3]!, channel: data[at + 4]!, bytes: data[at + 5]!, payload: unpackPayload(data, at + 7, sabs), protocol: data[at + 6]! });
        break;
      case 'recv':
        out.push({ kind: 'recv', participant, seq, peer: data[at + 3]!, channel: data[at + 4]! });
        break;
      case 'compute':
        out.push({ kind: 'compute', participant, seq, durationNs: data[at + 6]!, ...(data[at + 5] === 1 ? { fixed: true } : {}) });
        break;
      case 'barrier':
        out.push({ kind: 'barrier', participant, seq });
        break;
    }
  }
  return out;
}

export function packWake(nowNs: number, completions: readonly Completion[]): RoundMessage & { type: 'wake' } {
  const out = new Float64Array(completions.length * COMPLETION_FIELDS);
  const sabs: SharedArrayBuffer[] = [];
  for (let i = 0; i < completions.length; i++) {
    const c = completions[i]!;
    const at = i * COMPLETION_FIELDS;
    out[at] = c.participant;
    out[at + 1] = c.seq;
    packPayload(out, at + 2, c.payload, sabs);
  }
  return { type: 'wake', nowNs, completions: out, sabs };
}

export function unpackCompletions(message: RoundMessage & { type: 'wake' }): Completion[] {
  const { completions: data, sabs } = message;
  const out: Completion[] = [];
  for (let at = 0; at < data.length; at += COMPLETION_FIELDS) {
    const payload = unpackPayload(data, at + 2, sabs);
    out.push({ participant: data[at]!, seq: data[at + 1]!, payload, bytes: payload === undefined ? 0 : payload.bytes });
  }
  return out;
}
