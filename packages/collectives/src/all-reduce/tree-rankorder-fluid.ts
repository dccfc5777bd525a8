/**
 * The rank-order double binary tree (tree.ts rankOrderTreePlan: weft's `tree` on flat fabrics,
 * and `tree-rankorder`) replayed as a fluid of its own steps on a star — every rank one link
 * out and one in per hop class (NVLink to its server's switch, its NIC; one link on `switch:N`
 * or servers of one GPU), non-blocking switches between them — with max-min fair rates, as the
 * network model shares those links.
 *
 * Why a replay and not a closed form: a rank's up and down work of different chunks take turns
 * on one schedule channel (up(k + d), then down(k)), so a period holds a chain of sends and
 * landings through a parent and a child — the parent's fan-out, the child's forward, the
 * child's next send up, the parent's — whose length the textbook bound (four chunks of link
 * time and one α per chunk) does not see; and while the pipeline fills the two trees' channels
 * do not load a rank's link evenly. The bound was 0.74–1.36 of the simulation on switch:8 and
 * switch:16 between 256 KiB and 256 MiB (benchmarks/results/predictor-error.md, "The rank-order
 * tree replayed").
 *
 * The steps are the schedule's (tree.ts treeRankSteps): per tree and rank, up(k) receives chunk
 * k from each child in turn, then sends it to the parent (the root: to all its children at
 * once); down(k) receives it from the parent and forwards it to all children at once; the
 * order is up(0..d−1), the pairs (up(d + j), down(j)), then the last downs. A send is eager and
 * completes when its last byte has left (a fan-out when every copy has), a message lands α after
 * its last byte left, reductions and copies cost nothing (executor.ts). The channels are
 * identical, so every transfer stands for `channels` copies on its links. Inputs: the trees,
 * the chunks, one link rate and α per hop — those of the textbook form; nothing fitted.
 */
import type { HopPaths } from '../channels/ring-search.js';
import type { Tree } from '../logical.js';

/** What the replay reads of a run. */
export interface RankOrderFluid {
  readonly trees: readonly [Tree, Tree];
  /** Bytes of each chunk of one channel's half-part, in order (the last may be short). */
  readonly chunkBytes: readonly number[];
  /** Channels (identical copies of every transfer). */
  readonly copies: number;
  /** ns per byte of a rank's link of each class, out and in alike: [intra (its server's switch), inter (its NIC)]. */
  readonly nsPerByte: readonly [number, number];
  /** The class of the hop a → b: 0 inside a server, 1 between servers. */
  readonly classOf: (a: number, b: number) => 0 | 1;
  /** α of the hop a → b: when a message lands after its last byte left. */
  readonly alphaNs: (a: number, b: number) => number;
  /**
   * Where a hop's path is not a rank's own links and a switch (ring:N, fullmesh:N: a path
   * through other ranks' routers, shared with their hops), every hop's path through the
   * fabric's links instead (channels/ring-search.ts HopPaths), shared max-min; nsPerByte and
   * classOf are then not read for rates.
   */
  readonly paths?: HopPaths;
  /** The payload share of a path link's rate under the run's protocol (its line flags and stretch: 1 for Simple). */
  readonly payloadShare?: number;
}

/**
 * Rank-chunks the replay runs at most (its cost grows with ranks × chunks): longer runs take
 * their time at the most chunks this allows and at three quarters of them and add the slope per
 * further chunk — after the fill every chunk adds about one period; the max-min shares of the
 * two trees' transfers settle into that slowly, so the longer the replay, the closer the slope.
 */
export const REPLAY_RANK_CHUNKS = 4096;

/** Chunks the replay runs at least before it extrapolates (the fill of 64 ranks' trees takes about 24). */
export const MIN_REPLAY_CHUNKS = 64;

/** Ranks above which the replay is not run (its cost; 72: one NVL72 rack): the caller keeps its bound. */
export const MAX_REPLAY_RANKS = 72;

/** Leave times within this share of the next event's time are that event (float rounding of rate × time). */
const SAME_TIME_SHARE = 1e-12;

/**
 * The run's time from launch to the last rank's last step, or null when it is too large to
 * replay. Runs of more chunks than REPLAY_RANK_CHUNKS allows: the time at that many plus the
 * steady slope times the further chunks, the short last chunk counted by its share.
 */
export function rankOrderTreeFluidNs(run: RankOrderFluid): number | null {
  const n = run.trees[0].parent.length;
  const m = run.chunkBytes.length;
  if (n > MAX_REPLAY_RANKS || m === 0) return null;
  const most = Math.max(MIN_REPLAY_CHUNKS, Math.floor(REPLAY_RANK_CHUNKS / n));
  const full = run.chunkBytes[0]!;
  // Replays by everything they read: auto asks each protocol at every size, and past the
  // horizon every size replays the same two runs of full chunks.
  const key = `${n} ${run.copies} ${run.paths === undefined ? run.nsPerByte.join(',') : `paths ${run.paths.id} ${run.payloadShare ?? 1}`} ${alphaKey(run)} ${full}`;
  const at = (chunks: number, last = full): number => {
    const runKey = `${key} ${chunks} ${last}`;
    let ns = replays.get(runKey);
    if (ns === undefined) {
      if (replays.size >= MAX_REPLAYS) replays.clear();
      const chunkBytes = new Array<number>(chunks).fill(full);
      chunkBytes[chunks - 1] = last;
      replays.set(runKey, (ns = replayNs({ ...run, chunkBytes })));
    }
    return ns;
  };
  if (m <= most) return at(m, run.chunkBytes[m - 1]!);
  const fewer = Math.floor((3 * most) / 4);
  const long = at(most);
  const slopeNs = (long - at(fewer)) / (most - fewer);
  const chunks = m - 1 + run.chunkBytes[m - 1]! / full;
  return long + (chunks - most) * slopeNs;
}

/** Replayed times by run (see rankOrderTreeFluidNs), at most MAX_REPLAYS of them. */
const replays = new Map<string, number>();
const MAX_REPLAYS = 1024;

/** The α and class of every tree edge, both ways, as text: the part of a run's key its functions hold. */
function alphaKey(run: RankOrderFluid): string {
  const parts: number[] = [];
  for (const tree of run.trees) tree.parent.forEach((p, r) => p >= 0 && parts.push(run.alphaNs(r, p), run.alphaNs(p, r), run.classOf(r, p)));
  return parts.join(',');
}

/** One operation of a stream: receive chunk k from `peer`, or send it to `peers` at once. */
interface Op {
  readonly recv: boolean;
  readonly peers: readonly number[];
  readonly chunk: number;
}

/** A transfer in flight: one of a send op's copies to one peer. */
interface Flight {
  /** Landing times of its connection, by chunk. */
  readonly landed: Float64Array;
  /** Its links (LinkShares numbering): the sender's out-link and the receiver's in-link of the hop's class, or its path's. */
  readonly links: readonly number[];
  readonly tree: number;
  readonly from: number;
  readonly to: number;
  readonly chunk: number;
  readonly stream: number;
  remainingBytes: number;
  rateBytesPerNs: number;
}

/** A stream's ops: the schedule's steps of `rank` on one tree (treeRankSteps), fused steps split into their receive and send. */
function streamOps(tree: Tree, rank: number, chunks: number): Op[] {
  const parent = tree.parent[rank]!;
  const children = tree.children[rank]!;
  const ops: Op[] = [];
  const up = (k: number): void => {
    for (const child of children) ops.push({ recv: true, peers: [child], chunk: k });
    if (parent >= 0) ops.push({ recv: false, peers: [parent], chunk: k });
    else if (children.length > 0) ops.push({ recv: false, peers: children, chunk: k });
  };
  const down = (k: number): void => {
    ops.push({ recv: true, peers: [parent], chunk: k });
    if (children.length > 0) ops.push({ recv: false, peers: children, chunk: k });
  };
  if (parent < 0) {
    for (let k = 0; k < chunks; k++) up(k);
    return ops;
  }
  const d = tree.height[tree.root]! + tree.depth[rank]! - tree.height[rank]!;
  const ups = Math.min(d, chunks);
  for (let k = 0; k < ups; k++) up(k);
  for (let j = 0; j < chunks - ups; j++) {
    up(d + j);
    down(j);
  }
  for (let j = chunks - ups; j < chunks; j++) down(j);
  return ops;
}

/** A tree's rank running its ops: the next op, the copies of its send still leaving, the receive it waits for. */
interface Stream {
  readonly tree: number;
  readonly rank: number;
  readonly ops: readonly Op[];
  next: number;
  sending: number;
  /** The receive it is blocked on whose message has not left yet: its sender and chunk (-1: none). */
  waitFrom: number;
  waitChunk: number;
  doneNs: number;
}

/**
 * The replay itself: events at transfers leaving and messages landing, max-min rates in
 * between. A stream runs when it is woken (its send has left, or the message it waits for
 * has landed), not at every event.
 */
function replayNs(run: RankOrderFluid): number {
  const n = run.trees[0].parent.length;
  const m = run.chunkBytes.length;
  const streams: Stream[] = run.trees.flatMap((tree, t) =>
    Array.from({ length: n }, (_, r) => ({ tree: t, rank: r, ops: streamOps(tree, r, m), next: 0, sending: 0, waitFrom: -1, waitChunk: -1, doneNs: 0 })),
  );
  // landed[(tree·n + from)·n + to][k]: when chunk k from `from` lands at `to` (Infinity: not left yet).
  const landed = new Map<number, Float64Array>();
  const landing = (tree: number, from: number, to: number): Float64Array => {
    const key = (tree * n + from) * n + to;
    let times = landed.get(key);
    if (times === undefined) landed.set(key, (times = new Float64Array(m).fill(Infinity)));
    return times;
  };
  const { linksOf, shares, wakes, fluid } = startFluid<Flight>(n, run, run.copies, streams.length);
  const runStream = (s: number): void => {
    const stream = streams[s]!;
    while (stream.next < stream.ops.length) {
      const op = stream.ops[stream.next]!;
      if (op.recv) {
        const atNs = landing(stream.tree, op.peers[0]!, stream.rank)[op.chunk]!;
        if (atNs > fluid.nowNs) {
          if (atNs < Infinity) wakes.push(atNs, s, 0);
          else {
            stream.waitFrom = op.peers[0]!;
            stream.waitChunk = op.chunk;
          }
          return;
        }
        stream.next++;
        stream.doneNs = fluid.nowNs;
        continue;
      }
      const bytes = run.chunkBytes[op.chunk]!;
      for (const peer of op.peers) fluid.flights.push({ landed: landing(stream.tree, stream.rank, peer), links: linksOf(stream.rank, peer), tree: stream.tree, from: stream.rank, to: peer, chunk: op.chunk, stream: s, remainingBytes: bytes, rateBytesPerNs: 0 });
      stream.sending = op.peers.length;
      stream.next++;
      return;
    }
  };
  runFluid(fluid, shares, wakes, runStream, (f, leftNs) => {
    const atNs = leftNs + run.alphaNs(f.from, f.to);
    f.landed[f.chunk] = atNs;
    const receiver = streams[f.tree * n + f.to]!;
    if (receiver.waitFrom === f.from && receiver.waitChunk === f.chunk) {
      receiver.waitFrom = receiver.waitChunk = -1;
      wakes.push(atNs, f.tree * n + f.to, 0);
    }
    const sender = streams[f.stream]!;
    if (--sender.sending === 0) {
      sender.doneNs = leftNs;
      fluid.ready.push(f.stream);
    }
  });
  let endNs = 0;
  for (const stream of streams) endNs = Math.max(endNs, stream.doneNs);
  return endNs;
}

/** A replay's start: each hop's links, their sharing (each transfer standing for `copies`), no wakes, every one of `streams` streams ready at time 0. */
export function startFluid<F extends FluidFlight>(n: number, links: FluidLinks, copies: number, streams: number): { linksOf: (from: number, to: number) => readonly number[]; shares: LinkShares; wakes: LevelHeap; fluid: Fluid<F> } {
  const { linkCount, capacityBytesPerNs, linksOf } = linkModel(n, links);
  return { linksOf, shares: new LinkShares(linkCount, capacityBytesPerNs, copies), wakes: new LevelHeap(), fluid: { flights: [], ready: Array.from({ length: streams }, (_, s) => s), nowNs: 0 } };
}

/** A fluid's state: the transfers in flight, the streams to run, the time. */
export interface Fluid<F extends FluidFlight> {
  flights: F[];
  ready: number[];
  nowNs: number;
}

/** A transfer the fluid moves: its links and rate (SharedFlight) and the bytes it has still to send. */
export interface FluidFlight extends SharedFlight {
  remainingBytes: number;
}

/**
 * A replay's event loop: run the ready streams (`runStream` pushes the transfers they start and
 * the wakes they wait for), share the links max-min among the transfers in flight, advance to
 * the next transfer leaving or wake, hand each transfer that left to `leave` (with the time its
 * last byte left), and go on until nothing is in flight or waiting. A stream runs when it is
 * woken (its send has left, or the message it waits for has landed), not at every event.
 */
export function runFluid<F extends FluidFlight>(fluid: Fluid<F>, shares: LinkShares, wakes: LevelHeap, runStream: (s: number) => void, leave: (f: F, leftNs: number) => void): void {
  // Rates change only when a transfer starts or leaves: a landing alone leaves them as they are.
  let shared = -1;
  for (;;) {
    const before = fluid.flights.length;
    for (const s of fluid.ready) runStream(s);
    fluid.ready = [];
    const flights = fluid.flights;
    if (flights.length === 0 && wakes.size === 0) break;
    if (flights.length !== before || shared !== flights.length) shares.share(flights);
    shared = flights.length;
    const nowNs = fluid.nowNs;
    let nextNs = wakes.size > 0 ? wakes.peekLevel() : Infinity;
    for (const f of flights) nextNs = Math.min(nextNs, nowNs + f.remainingBytes / f.rateBytesPerNs);
    const stepNs = nextNs - nowNs;
    const still: F[] = [];
    for (const f of flights) {
      // Leaving within rounding of the next event: gone then (every transfer that ties leaves together).
      if (nowNs + f.remainingBytes / f.rateBytesPerNs - nextNs > SAME_TIME_SHARE * nextNs) {
        f.remainingBytes -= f.rateBytesPerNs * stepNs;
        still.push(f);
        continue;
      }
      leave(f, nextNs);
    }
    if (still.length !== flights.length) shared = -1;
    fluid.flights = still;
    fluid.nowNs = nextNs;
    while (wakes.size > 0 && wakes.peekLevel() <= nextNs) fluid.ready.push(wakes.pop().id);
  }
}

/** What the link model reads of a run: the rank links per class and each hop's class, or the fabric's paths. */
export type FluidLinks = Pick<RankOrderFluid, 'nsPerByte' | 'classOf' | 'paths' | 'payloadShare'>;

/** The links the replay shares and each hop's: a rank's own links per class (a star), or the fabric's paths (RankOrderFluid.paths). */
export function linkModel(n: number, run: FluidLinks): { linkCount: number; capacityBytesPerNs: Float64Array; linksOf: (from: number, to: number) => readonly number[] } {
  const paths = run.paths;
  if (paths !== undefined) {
    const share = run.payloadShare ?? 1;
    return { linkCount: paths.capacityGbs.length, capacityBytesPerNs: paths.capacityGbs.map((gbs) => gbs * share), linksOf: (from, to) => paths.edges(from, to) };
  }
  // Per class 2n links: a rank's out-link, then its in-link.
  const capacityBytesPerNs = new Float64Array(4 * n);
  capacityBytesPerNs.fill(1 / run.nsPerByte[0], 0, 2 * n);
  capacityBytesPerNs.fill(1 / run.nsPerByte[1], 2 * n);
  const byHop = new Map<number, readonly number[]>();
  return {
    linkCount: 4 * n,
    capacityBytesPerNs,
    linksOf: (from, to) => {
      const key = from * n + to;
      let links = byHop.get(key);
      if (links === undefined) {
        const base = run.classOf(from, to) * 2 * n;
        byHop.set(key, (links = [base + from, base + n + to]));
      }
      return links;
    },
  };
}

/** What the max-min sharing reads and sets of a transfer in flight: its links, its rate. */
export interface SharedFlight {
  readonly links: readonly number[];
  rateBytesPerNs: number;
}

/**
 * Max-min fair rates (progressive filling) of the transfers in flight, each standing for
 * `copies` equal transfers on every link of its own. Scratch arrays are kept per replay: it is
 * called at every event.
 */
export class LinkShares {
  /** Link i: remaining capacity, copies not yet fixed, flights on it (a list of slots through nextOn), version of its heap entry. */
  private readonly remaining: Float64Array;
  private readonly unfixed: Float64Array;
  private readonly head: Int32Array;
  private nextOn = new Int32Array(64);
  /** Per slot (a flight's place on one of its links): the flight. */
  private slotFlight = new Int32Array(64);
  private readonly version: Int32Array;
  private readonly heap = new LevelHeap();

  constructor(
    linkCount: number,
    private readonly capacityBytesPerNs: Float64Array,
    private readonly copies: number,
  ) {
    this.remaining = new Float64Array(linkCount);
    this.unfixed = new Float64Array(linkCount);
    this.head = new Int32Array(linkCount);
    this.version = new Int32Array(linkCount);
  }

  private reset(i: number): void {
    this.remaining[i] = this.capacityBytesPerNs[i]!;
    this.unfixed[i] = 0;
    this.head[i] = -1;
    this.version[i] = 0;
  }

  share(flights: readonly SharedFlight[]): void {
    const { copies, remaining, unfixed, head, version, heap } = this;
    // Only the links of flights take part: reset those.
    let slots = 0;
    for (const f of flights) {
      for (const l of f.links) this.reset(l);
      slots += f.links.length;
    }
    if (this.nextOn.length < slots) {
      this.nextOn = new Int32Array(2 * slots);
      this.slotFlight = new Int32Array(2 * slots);
    }
    const { nextOn, slotFlight } = this;
    let slot = 0;
    flights.forEach((f, index) => {
      f.rateBytesPerNs = -1;
      for (const l of f.links) {
        unfixed[l] += copies;
        nextOn[slot] = head[l]!;
        slotFlight[slot] = index;
        head[l] = slot++;
      }
    });
    // Levels (remaining / unfixed) in a lazy heap: an entry is stale once its link's version moved on.
    heap.clear();
    const first = (i: number): void => {
      if (version[i]! < 0) return;
      version[i] = -1;
      heap.push(remaining[i]! / unfixed[i]!, i, -1);
    };
    for (const f of flights) for (const l of f.links) first(l);
    while (heap.size > 0) {
      const { level, id: tight, version: seen } = heap.pop();
      if (seen !== version[tight] || unfixed[tight]! <= 0) continue;
      version[tight]!++;
      for (let at = head[tight]!; at >= 0; at = nextOn[at]!) {
        const f = flights[slotFlight[at]!]!;
        if (f.rateBytesPerNs >= 0) continue;
        f.rateBytesPerNs = level;
        // The flight's other links (the tight one is fixed whole).
        for (const other of f.links) {
          if (other === tight) continue;
          remaining[other] = Math.max(0, remaining[other]! - copies * level);
          unfixed[other]! -= copies;
          version[other]!++;
          if (unfixed[other]! > 0) heap.push(remaining[other]! / unfixed[other]!, other, version[other]!);
        }
        unfixed[tight]! -= copies;
      }
    }
  }
}

/** A binary min-heap of (level, id, version) entries, by level then id (ties in constraint order, as a scan would pick). */
export class LevelHeap {
  private levels: number[] = [];
  private ids: number[] = [];
  private versions: number[] = [];

  get size(): number {
    return this.levels.length;
  }

  peekLevel(): number {
    return this.levels[0]!;
  }

  clear(): void {
    this.levels.length = this.ids.length = this.versions.length = 0;
  }

  push(level: number, id: number, version: number): void {
    const { levels, ids, versions } = this;
    let at = levels.length;
    levels.push(level);
    ids.push(id);
    versions.push(version);
    while (at > 0) {
      const up = (at - 1) >> 1;
      if (!this.before(at, up)) break;
      this.swap(at, up);
      at = up;
    }
  }

  pop(): { level: number; id: number; version: number } {
    const { levels, ids, versions } = this;
    const top = { level: levels[0]!, id: ids[0]!, version: versions[0]! };
    const last = levels.length - 1;
    this.swap(0, last);
    levels.pop();
    ids.pop();
    versions.pop();
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= levels.length) break;
      const child = left + 1 < levels.length && this.before(left + 1, left) ? left + 1 : left;
      if (!this.before(child, at)) break;
      this.swap(child, at);
      at = child;
    }
    return top;
  }

  private before(a: number, b: number): boolean {
    const { levels, ids } = this;
    return levels[a]! < levels[b]! || (levels[a] === levels[b] && ids[a]! < ids[b]!);
  }

  private swap(a: number, b: number): void {
    const { levels, ids, versions } = this;
    const level = levels[a]!;
    levels[a] = levels[b]!;
    levels[b] = level;
    const id = ids[a]!;
    ids[a] = ids[b]!;
    ids[b] = id;
    const version = versions[a]!;
    versions[a] = versions[b]!;
    versions[b] = version;
  }
}
