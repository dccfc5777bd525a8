/**
 * A free run's shared layout, planned once per run from the schedule's tapes (main thread).
 *
 * In a free run the worker threads move a schedule's bytes without the coordinator: each
 * posts its sends into per-connection mailboxes in shared memory and takes its recvs from
 * them (host/free-run-host.ts), while the coordinator runs the same schedule without data to
 * decide virtual time (the model alone decides it, as it always did: a data-mode round only
 * ever carried byte counts and completions to the model). What has to be known up front:
 * every connection (sender, receiver, channel) and how many messages it carries per
 * iteration — its mailbox's size, since no rank starts an iteration before every rank has
 * finished the previous one — and the staging one iteration of a host's sends can hold.
 *
 * Control words (Int32, one SharedArrayBuffer): ABORT, one doorbell per worker (bumped and
 * notified when a message or barrier arrives for it), one barrier count per participant, then
 * four words per mailbox slot: full flag, arena, byte offset, bytes.
 */
import { channelTapes, TapeCursor, type Participant } from '@weft/collectives';
import { blockBytes } from '../data/arena.js';
import { recvPeerOf, sendChannelOf, sendPeerOf, sentCountOf } from '../schedule/executor.js';

export const ABORT_WORD = 0;
export const SLOT_WORDS = 4;

export interface FreeRunPlan {
  /** Int32 control words (layout above). */
  readonly control: SharedArrayBuffer;
  /** This host's index (its doorbell). */
  readonly worker: number;
  readonly nworkers: number;
  /** Worker index of each participant. */
  readonly workerOf: readonly number[];
  /** Per connection: key (connectionKey), first slot word, slots. */
  readonly connections: Float64Array;
  /** Wall-clock limit for waiting on a peer with nothing arriving (0: none). */
  readonly waitLimitMs: number;
}

export function doorbellWord(worker: number): number {
  return 1 + worker;
}

export function barrierWord(nworkers: number, participant: number): number {
  return 1 + nworkers + participant;
}

/** One number per (sender, receiver, channel); channels are < 2^18, so it stays an exact integer. */
export function connectionKey(src: number, dst: number, channel: number, nparticipants: number): number {
  return (channel * nparticipants + dst) * nparticipants + src;
}

export interface FreeRunLayout {
  /** Per connection: key, first slot word, slots (one per message of an iteration). */
  readonly connections: Float64Array;
  /** Int32 words the control buffer needs. */
  readonly controlWords: number;
  /** Per participant: staging bytes one iteration of its sends can hold (lease blocks). */
  readonly sentBlockBytes: readonly number[];
  /** The largest message's block (a cross-arena reduce borrows one). */
  readonly maxBlockBytes: number;
}

/**
 * The connections and staging of a schedule's iteration, or null when its messages do not
 * pair up within an iteration (every connection must carry as many sends as recvs), which
 * a free run relies on; such a schedule runs coordinated (and the model reports the bug).
 */
export function freeRunLayout(parts: readonly Participant[], elementBytes: number, nworkers: number): FreeRunLayout | null {
  const n = parts.length;
  const sends = new Map<number, number>();
  const recvs = new Map<number, number>();
  const sentBlockBytes = parts.map(() => 0);
  let maxBlockBytes = 0;
  parts.forEach((part, p) => {
    channelTapes(part).forEach((tape, tapeChannel) => {
      const cursor = new TapeCursor(tape);
      while (cursor.next()) {
        const from = recvPeerOf(cursor);
        if (from >= 0) {
          const key = connectionKey(from, p, tapeChannel, n);
          recvs.set(key, (recvs.get(key) ?? 0) + 1);
        }
        const to = sendPeerOf(cursor);
        if (to < 0) continue;
        const channel = sendChannelOf(cursor, tapeChannel);
        const block = blockBytes(sentCountOf(cursor) * elementBytes);
        maxBlockBytes = Math.max(maxBlockBytes, block);
        for (const peer of [to, ...cursor.fanOut]) {
          const key = connectionKey(p, peer, channel, n);
          sends.set(key, (sends.get(key) ?? 0) + 1);
          sentBlockBytes[p]! += block;
        }
      }
    });
  });
  if (sends.size !== recvs.size) return null;
  const connections = new Float64Array(sends.size * 3);
  // Mailbox slots follow the abort word, the doorbells and the barrier counts.
  let word = barrierWord(nworkers, n);
  let i = 0;
  for (const [key, count] of sends) {
    if (recvs.get(key) !== count) return null;
    connections[i++] = key;
    connections[i++] = word;
    connections[i++] = count;
    word += count * SLOT_WORDS;
  }
  return { connections, controlWords: word, sentBlockBytes, maxBlockBytes };
}
