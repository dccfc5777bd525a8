/**
 * The per-round messages between the coordinator and a worker, packed into Float64Arrays:
 * one structured-clone of a flat array per round instead of one object per request. This is
 * the hot control path (one round trip per virtual time at which the worker has work), so
 * it stays off comlink. Payload bytes never travel here: only where they are (arena,
 * offset) — or, for the rare message that overflowed its staging region, the
 * SharedArrayBuffer handle in `sabs`.
 */
import { STANDALONE, type Completion, type FinishedParticipant, type ParticipantFailure, type PayloadRef, type Request, type RequestKind } from '../core/protocol.js';

const REQUEST_FIELDS = 11;
const COMPLETION_FIELDS = 6;
/** `arena` value meaning "no payload". */
const NO_PAYLOAD = -3;

export interface WireWake {
  readonly type: 'wake';
  readonly nowNs: number;
  readonly completions: Float64Array;
  readonly sabs: SharedArrayBuffer[];
}

export interface WireStart {
  readonly type: 'start';
}

export type ToWorker = WireWake | WireStart;

export interface WireReport {
  readonly requests: Float64Array;
  readonly sabs: SharedArrayBuffer[];
  readonly finished: FinishedParticipant[];
  readonly failure?: ParticipantFailure;
}

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

export function packRequests(requests: readonly Request[]): { requests: Float64Array; sabs: SharedArrayBuffer[] } {
  const out = new Float64Array(requests.length * REQUEST_FIELDS);
  const sabs: SharedArrayBuffer[] = [];
  requests.forEach((r, i) => {
    const at = i * REQUEST_FIELDS;
    out[at] = r.participant;
    out[at + 1] = r.seq;
    out[at + 2] = r.kind;
    out[at + 3] = r.peer;
    out[at + 4] = r.channel;
    out[at + 5] = r.bytes;
    out[at + 6] = r.durationNs;
    packPayload(out, at + 7, r.payload, sabs);
  });
  return { requests: out, sabs };
}

export function unpackRequests(data: Float64Array, sabs: readonly SharedArrayBuffer[]): Request[] {
  const out: Request[] = [];
  for (let at = 0; at < data.length; at += REQUEST_FIELDS) {
    out.push({
      participant: data[at]!,
      seq: data[at + 1]!,
      kind: data[at + 2]! as RequestKind,
      peer: data[at + 3]!,
      channel: data[at + 4]!,
      bytes: data[at + 5]!,
      durationNs: data[at + 6]!,
      payload: unpackPayload(data, at + 7, sabs),
    });
  }
  return out;
}

export function packWake(nowNs: number, completions: readonly Completion[]): WireWake {
  const out = new Float64Array(completions.length * COMPLETION_FIELDS);
  const sabs: SharedArrayBuffer[] = [];
  completions.forEach((c, i) => {
    const at = i * COMPLETION_FIELDS;
    out[at] = c.participant;
    out[at + 1] = c.seq;
    packPayload(out, at + 2, c.payload, sabs);
  });
  return { type: 'wake', nowNs, completions: out, sabs };
}

export function unpackCompletions(data: Float64Array, sabs: readonly SharedArrayBuffer[]): Completion[] {
  const out: Completion[] = [];
  for (let at = 0; at < data.length; at += COMPLETION_FIELDS) {
    out.push({ participant: data[at]!, seq: data[at + 1]!, payload: unpackPayload(data, at + 2, sabs) });
  }
  return out;
}
