/**
 * A textbook schedule's own messages replayed as a fluid: for the point-to-point algorithms
 * whose rounds do not run in lockstep — recursive doubling, halving and halving-doubling on a
 * non-power-of-two fold; direct all-reduce and reduce-scatter across servers, whose NVLink
 * blocks leave faster than their NIC blocks, so that the rotated order crowds the NICs.
 *
 * Why a replay and not a sum of rounds: sends are eager, so a rank that did not fold starts
 * its first hypercube round at time 0, while its partner is still taking in the folded rank's
 * buffer. On switch:5 (rd all-reduce: rank 0 folds into 1, virtual ranks 0..3 are ranks 1..4)
 * rank 2's round-1 message and, a round later, rank 3's land at rank 1 beside rank 0's fold: at
 * small sizes the fold hides under the first round (three α, not the four the sum charges); at
 * large ones three messages share rank 1's in-link (max-min, as the network model shares it),
 * the fold's lands at 2.5 S·β instead of 1 and rank 1's three sends then leave one after
 * another (5.5 S·β in all, not 4). A sum of rounds sees neither (benchmarks/results/
 * predictor-error.md, "The fold replayed").
 *
 * The messages are the schedule's: a plan writes its steps through a MessageWriter, and the
 * predictor runs the same writer code into a MessageRecorder (its copies and reductions cost
 * nothing, executor.ts), so the replay sees every message, chunk and channel the plan makes.
 * A rank's channels are streams of their own. A send is eager and completes when its last
 * byte has left; a message lands α after (railHopAlpha); a receive waits for its message (the
 * k-th from a peer on a channel is the k-th that peer sent it there). Transfers share a rank's
 * out- and in-link of the hop's class (NVLink, the NIC: cost.ts rankLinks), or the fabric's
 * paths where some are narrower than a rank's injection (ring:N), max-min — the sharing of the
 * rank-order tree's replay (all-reduce/tree-rankorder-fluid.ts), whose links and rates this
 * reuses. Inputs: the schedule's messages, α and bandwidth per hop; nothing fitted.
 */
import { flatHopPaths } from './channels/search.js';
import { runFluid, startFluid, type FluidFlight, type FluidLinks } from './all-reduce/tree-rankorder-fluid.js';
import { railHopAlpha, rankLinks } from './cost.js';
import { chunksOf } from './logical.js';
import type { CostParams, PlanParams, Slice } from './types.js';

/** The StepBuilder calls a textbook schedule writes its messages with: a plan passes its StepBuilder, a predictor a MessageRecorder. */
export interface MessageWriter {
  copy(p: number, c: number, src: Slice, dst: Slice): void;
  copyChunked(p: number, c: number, src: Slice, dst: Slice): void;
  sendChunked(p: number, c: number, peer: number, src: Slice): void;
  recvChunked(p: number, c: number, peer: number, dst: Slice): void;
  recvReduceChunked(p: number, c: number, peer: number, dst: Slice): void;
}

/** Operations (sends and receives) a replay runs at most; a larger run returns null and the caller keeps its closed form. */
export const MAX_REPLAY_OPS = 20_000;

/** One operation of a stream: send `bytes` to `peer`, or receive from it; `seq`: the message's index among those from the sender to the receiver on its channel. */
interface Op {
  readonly recv: boolean;
  readonly peer: number;
  readonly bytes: number;
  readonly seq: number;
}

/** A MessageWriter that keeps each rank's and channel's messages in order (StepBuilder's chunking) and drops the rest. */
export class MessageRecorder implements MessageWriter {
  /** Per stream s = c·nranks + p: its operations in order. */
  readonly ops: Op[][];
  /** Past MAX_REPLAY_OPS: recording stopped, the replay returns null. */
  overflow = false;
  private count = 0;
  private readonly sent = new Map<number, number>();
  private readonly received = new Map<number, number>();

  constructor(
    readonly nranks: number,
    readonly channels: number,
    private readonly chunkElements: number,
    private readonly elementBytes: number,
  ) {
    this.ops = Array.from({ length: nranks * channels }, () => []);
  }

  copy(): void {}

  copyChunked(): void {}

  sendChunked(p: number, c: number, peer: number, src: Slice): void {
    this.record(p, c, peer, src, false);
  }

  recvChunked(p: number, c: number, peer: number, dst: Slice): void {
    this.record(p, c, peer, dst, true);
  }

  recvReduceChunked(p: number, c: number, peer: number, dst: Slice): void {
    this.record(p, c, peer, dst, true);
  }

  private record(p: number, c: number, peer: number, s: Slice, recv: boolean): void {
    if (this.overflow) return;
    const n = this.nranks;
    const key = (c * n + (recv ? peer : p)) * n + (recv ? p : peer);
    const seqs = recv ? this.received : this.sent;
    for (const piece of chunksOf(s, this.chunkElements)) {
      if (++this.count > MAX_REPLAY_OPS) {
        this.overflow = true;
        return;
      }
      const seq = seqs.get(key) ?? 0;
      seqs.set(key, seq + 1);
      this.ops[c * n + p]!.push({ recv, peer, bytes: piece.count * this.elementBytes, seq });
    }
  }
}

/**
 * Whether a rank reaches some peers by one link class and others by the other (servers of
 * several GPUs: NVLink inside, the NIC between; cost.ts rankLinks): where a phase's sends to
 * every peer do not move in lockstep, so its messages crowd some ranks' links at once.
 */
export function mixedClasses(params: PlanParams): boolean {
  const { groups } = params.layout;
  return groups.length > 1 && groups.some((g) => g.length > 1);
}

/** A transfer in flight: one send op. */
interface Flight extends FluidFlight {
  readonly key: number;
  readonly seq: number;
  readonly from: number;
  readonly to: number;
  readonly stream: number;
}

/**
 * The time of the schedule `write` makes for `params` (the plan's own step writer, run into a
 * MessageRecorder), replayed on `params`' links under `cost` from launch to the last rank's
 * last operation; null when it is larger than MAX_REPLAY_OPS.
 */
export function replayMessagesNs(params: PlanParams, cost: CostParams, channels: number, write: (w: MessageWriter) => void): number | null {
  const recorder = new MessageRecorder(params.nranks, channels, params.chunkElements, params.elementBytes);
  write(recorder);
  if (recorder.overflow) return null;
  const links = rankLinks(params, cost);
  const found = flatHopPaths(params.layout, params.nranks);
  const paths = found !== null && found.anyNarrow() ? found : null;
  const fluid: FluidLinks = paths === null
    ? { nsPerByte: links.nsPerByte, classOf: links.classOf }
    : { nsPerByte: links.nsPerByte, classOf: links.classOf, paths, payloadShare: cost.bandwidthBytesPerSec / (paths.injectionGbs(0) * 1e9) };
  return replayNs(recorder, fluid, railHopAlpha(params, cost));
}

/** The replay: tree-rankorder-fluid.ts runFluid over the recorded streams' sends and receives. */
function replayNs(recorder: MessageRecorder, links: FluidLinks, alphaNs: (a: number, b: number) => number): number {
  const n = recorder.nranks;
  const streams = recorder.ops.map((ops, s) => ({ rank: s % n, channel: Math.floor(s / n), ops, next: 0, doneNs: 0 }));
  // landed.get(key)[seq]: when that message lands (absent: not left yet); waiting.get(key): the stream blocked on it, and its seq.
  const landed = new Map<number, number[]>();
  const waiting = new Map<number, readonly [stream: number, seq: number]>();
  const { linksOf, shares, wakes, fluid } = startFluid<Flight>(n, links, 1, streams.length);
  const runStream = (s: number): void => {
    const stream = streams[s]!;
    while (stream.next < stream.ops.length) {
      const op = stream.ops[stream.next]!;
      if (op.recv) {
        const key = (stream.channel * n + op.peer) * n + stream.rank;
        const atNs = landed.get(key)?.[op.seq];
        if (atNs === undefined || atNs > fluid.nowNs) {
          if (atNs !== undefined) wakes.push(atNs, s, 0);
          else waiting.set(key, [s, op.seq]);
          return;
        }
        stream.next++;
        stream.doneNs = fluid.nowNs;
        continue;
      }
      const key = (stream.channel * n + stream.rank) * n + op.peer;
      fluid.flights.push({ links: linksOf(stream.rank, op.peer), key, seq: op.seq, from: stream.rank, to: op.peer, stream: s, remainingBytes: op.bytes, rateBytesPerNs: 0 });
      stream.next++;
      return;
    }
  };
  runFluid(fluid, shares, wakes, runStream, (f, leftNs) => {
    const atNs = leftNs + alphaNs(f.from, f.to);
    let times = landed.get(f.key);
    if (times === undefined) landed.set(f.key, (times = []));
    times[f.seq] = atNs;
    const waiter = waiting.get(f.key);
    if (waiter !== undefined && waiter[1] === f.seq) {
      waiting.delete(f.key);
      wakes.push(atNs, waiter[0], 0);
    }
    streams[f.stream]!.doneNs = leftNs;
    fluid.ready.push(f.stream);
  });
  let endNs = 0;
  for (const stream of streams) endNs = Math.max(endNs, stream.doneNs);
  return endNs;
}
