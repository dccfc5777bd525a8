/**
 * The step vocabulary, NCCL-style: every primitive is one set of flags over three
 * micro-actions (NCCL builds them all from one template, `genericOp<…>` in
 * src/device/prims_simple.h):
 *
 *   1. receive  — take the oldest message from `peer` on this channel (or read `src` locally);
 *   2. combine  — put that data into `dst`: `copy` (dst := data), `reduce` (dst := dst op data),
 *                 or `none` (a pure send writes nothing);
 *   3. send     — post `dst` after the combine (or `src` for a pure send) to a peer, on
 *                 this channel's connection or, with `sendChannel`, another channel's
 *                 (NCCL's tree root reduces in its up warps and sends down the broadcast
 *                 warps' connections); with `fanOut`, to further peers too, all at once
 *                 (NCCL's prims write a chunk to every one of a tree node's `sendPeers`,
 *                 up to NCCL_MAX_TREE_ARITY, in one loop; the step ends when all have left).
 *
 * A step's fields follow from its flags: a step that receives names `peer` (and `sendPeer`
 * when it also forwards); a step that does not receive reads `src` (and a pure send names
 * `peer`); a step that combines writes `dst`. Adding a primitive is one entry in
 * PRIMITIVES: the Step type, the decoder and every interpreter (checker, reference
 * executor, runtime executor) follow from it.
 */
import type { Slice } from './types.js';

export type Combine = 'copy' | 'reduce' | 'none';

export interface Primitive {
  /** Takes a message from `peer` (otherwise reads the local `src`). */
  readonly recv: boolean;
  /** How the data lands in `dst`. */
  readonly combine: Combine;
  /** Posts a message: `dst` after the combine (to `sendPeer`), or `src` (to `peer`) for a pure send. */
  readonly send: boolean;
}

/** Every primitive, named after NCCL's (src/device/prims_*.h). */
export const PRIMITIVES = {
  /** post src to peer (eager: snapshots src, does not wait for the receiver) */
  send: { recv: false, combine: 'none', send: true },
  /** dst := received */
  recv: { recv: true, combine: 'copy', send: false },
  /** dst := dst (op) received */
  recvReduce: { recv: true, combine: 'reduce', send: false },
  /** dst := received, then post dst to sendPeer */
  recvCopySend: { recv: true, combine: 'copy', send: true },
  /** dst := dst (op) received, then post dst to sendPeer */
  recvReduceCopySend: { recv: true, combine: 'reduce', send: true },
  /** dst := src, locally */
  copy: { recv: false, combine: 'copy', send: false },
  /** dst := dst (op) src, locally */
  reduce: { recv: false, combine: 'reduce', send: false },
} as const satisfies Record<string, Primitive>;

export type StepOp = keyof typeof PRIMITIVES;

/** The fields a primitive's flags call for (see the header). */
type FieldsOf<P extends Primitive> = (P['recv'] extends true
  ? { readonly peer: number } & (P['send'] extends true ? { readonly sendPeer: number } : unknown)
  : { readonly src: Slice } & (P['send'] extends true ? { readonly peer: number } : unknown)) &
  (P['combine'] extends 'none' ? unknown : { readonly dst: Slice }) &
  (P['send'] extends true ? { readonly sendChannel?: number; readonly fanOut?: readonly number[] } : unknown);

/** One step of a channel: a primitive and the fields its flags call for. */
export type Step = { [K in StepOp]: { readonly op: K } & FieldsOf<(typeof PRIMITIVES)[K]> }[StepOp];

/** A step as its three micro-actions; -1 / null where the step does not do one. */
export interface StepActions {
  /** The peer to receive from, or -1 (then `src` is the data). */
  readonly recvPeer: number;
  /** The local data read by a step that does not receive. */
  readonly src: Slice | null;
  readonly combine: Combine;
  /** Where the combine writes (null for a pure send). */
  readonly dst: Slice | null;
  /** The (first) peer the step posts to, or -1. */
  readonly sendPeer: number;
  /** Every peer the step posts to, in order: `sendPeer`, then its `fanOut` (empty: no send). */
  readonly sendPeers: readonly number[];
  /** What the step posts: `dst` after the combine, or `src` for a pure send. */
  readonly sent: Slice | null;
  /** The channel whose connection the post goes on, or -1 for the step's own channel. */
  readonly sendChannel: number;
}

interface StepFields {
  readonly op: StepOp;
  readonly peer?: number;
  readonly sendPeer?: number;
  readonly src?: Slice;
  readonly dst?: Slice;
  readonly sendChannel?: number;
  readonly fanOut?: readonly number[];
}

const NO_PEERS: readonly number[] = Object.freeze([]);

/** The micro-actions of `step`, from its primitive's flags. */
export function decodeStep(step: Step): StepActions {
  const s = step as StepFields;
  const prim: Primitive | undefined = Object.hasOwn(PRIMITIVES, s.op) ? PRIMITIVES[s.op] : undefined;
  if (prim === undefined) throw new RangeError(`unknown step op '${String(s.op)}'; accepted: ${Object.keys(PRIMITIVES).join(', ')}`);
  const src = prim.recv ? null : (s.src ?? null);
  const dst = prim.combine === 'none' ? null : (s.dst ?? null);
  const recvPeer = prim.recv ? (s.peer ?? -1) : -1;
  const sendPeer = !prim.send ? -1 : prim.recv ? (s.sendPeer ?? -1) : (s.peer ?? -1);
  const sendChannel = prim.send ? (s.sendChannel ?? -1) : -1;
  const fanOut = prim.send ? (s.fanOut ?? NO_PEERS) : NO_PEERS;
  const sendPeers = sendPeer < 0 ? NO_PEERS : fanOut.length === 0 ? [sendPeer] : [sendPeer, ...fanOut];
  return { recvPeer, src, combine: prim.combine, dst, sendPeer, sendPeers, sent: prim.send ? (dst ?? src) : null, sendChannel };
}

const decodedLists = new WeakMap<readonly Step[], readonly StepActions[]>();

/** `decodeStep` of every step of a channel, computed once per step list (schedules are immutable). */
export function decodeSteps(steps: readonly Step[]): readonly StepActions[] {
  let decoded = decodedLists.get(steps);
  if (decoded === undefined) {
    decoded = steps.map(decodeStep);
    decodedLists.set(steps, decoded);
  }
  return decoded;
}

/** The slices a step touches, each with whether it writes (for race checks and drawings). */
export function accessesOf(actions: StepActions): [Slice, boolean][] {
  const out: [Slice, boolean][] = [];
  if (actions.src !== null) out.push([actions.src, false]);
  if (actions.dst !== null) out.push([actions.dst, true]);
  return out;
}

/** The number of elements a step moves or combines (its primitive's payload). */
export function stepCount(actions: StepActions): number {
  return (actions.dst ?? actions.src)?.count ?? 0;
}
