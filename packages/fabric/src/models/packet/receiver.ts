/**
 * What a receiver does with an arriving data packet. `ooo` (SuperNIC direct placement)
 * places every packet wherever it lands; `inorder` accepts only the next expected packet,
 * discards the rest and asks once per gap for a resend from the first missing one
 * (go-back-N).
 */
import type { Delivery } from './options.js';

/** The receiver's side of a flow. */
export interface ReceiverState {
  /** ooo: packets placed; inorder: the next packet expected. */
  received: number;
  /** inorder: the gap already NACKed (one NACK per gap). */
  nackedSeq: number;
}

/** The packet was placed. */
export const PLACED = -1;
/** The packet was discarded (out of order; its gap is already NACKed, or it is a duplicate). */
export const DISCARDED = -2;

/** PLACED, DISCARDED, or the packet index to NACK (discarded, and the sender must go back to it). */
export function receivePacket(flow: ReceiverState, seq: number, delivery: Delivery): number {
  if (delivery === 'ooo' || seq === flow.received) {
    flow.received++;
    return PLACED;
  }
  if (seq > flow.received && flow.nackedSeq !== flow.received) {
    flow.nackedSeq = flow.received;
    return flow.received;
  }
  return DISCARDED;
}
