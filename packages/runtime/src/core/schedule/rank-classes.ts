/**
 * Rank classes: ranks that a ghost run can prove do the same thing at the same times, so the
 * coordinator simulates one representative per class (speed.md §40–41).
 *
 * The symmetries looked for are shifts of the rank grid that a layout of equal servers gives:
 * rank (server s, position j) → (s + a mod S, j + b mod G); a rotation (b = 1) may also turn the
 * channels (NCCL's ring on channel c is channel 0's turned by c GPUs). A shift is a symmetry
 * of the run when it maps
 *  - every tape to a tape: tape(σp, πc) is tape(p, c) with every peer mapped by σ (op, sizes,
 *    buffers equal; offsets are data, not timing), and
 *  - every connection's routes to routes: a link map λ, one-to-one and consistent over all
 *    connections, with route(σa → σb, πc) = λ(route(a → b, c)) link for link, λ keeping each
 *    link's bandwidth and latency — under ECMP the one path a connection is pinned to (ECMP's hash
 *    can break it: where flows of one scalable unit collide on a spine port and those of the next
 *    do not, the units really differ), under adaptive routing every path of the even split, path
 *    by path (router.equalCostPaths deals them by the fabric's structure).
 * Tapes are compared by a 130-bit polynomial hash of each one's steps with peers relative to its
 * rank (two tapes that differ share one with odds of about 2^-130), computed per run of a tape,
 * not per step, in the one walk that also lists the connections: a 65,536-GPU ring has 10^9
 * steps but a few runs per tape; comparing every member's steps with its representative's
 * took as long again as the representatives' whole simulation at 4,096 GPUs.
 * Then the whole simulation commutes with σ (it is deterministic and treats ranks alike), so
 * rank σp's events happen at rank p's times. The shifts that pass generate a group H; its
 * orbits are the classes, and the shift taking a class's representative to a member is
 * unique, so a message from rep r to peer p on channel c is, in p's class representative's
 * frame, a message from shift⁻¹(r) on π⁻ᵇ(c) (`senderInFrame`, `channelInFrame`).
 *
 * The representatives' network: the λ maps also split the links routes cross into link
 * classes, and a representative's transfer takes its routes with each link replaced by its
 * class's least link (`pathsOf`). A class of m links under a group of g shifts (the size of
 * every rank class) has each of its links fixed by g/m of them, so each link of the whole run
 * carries, at every moment, g/m images of every (sub-)flow its class's link carries here. With
 * m = g that is one image each and the class link is the link itself; with m < g (a spine port
 * that the rotation inside servers does not move, say) the class link runs at m/g of its
 * capacity (`linkScales`): max-min's constraint Σ (g/m)·rate ≤ C is Σ rate ≤ (m/g)·C, so it
 * gives the representatives the whole run's rates either way. Alpha-beta shares no link, so
 * its class links keep their capacity, and only m = g is taken there (as before). The others'
 * messages are their images, and every link's statistics its class link's, bytes and flows
 * times g/m. Runs this does not cover (agents, faults, traces, several ECMP queue pairs, the
 * packet model, data) simply run every rank.
 */
import { channelTapes, TapeCursor, type Schedule } from '@weft/collectives';
import type { LinkStats, NetworkOptions, Router, Topology } from '@weft/fabric';
import { sendChannelOf } from './executor.js';

/** Use classes only when they cut the ranks simulated at least this many times (else the exact engine, with its recurrence watch, is as fast). */
export const MIN_CLASS_SIZE = 8;

export interface RankClasses {
  /** The participants simulated, ascending. */
  readonly reps: readonly number[];
  /** Each participant's representative. */
  readonly repOf: Int32Array;
  /** Members per class, by participant (its class's size). */
  readonly classSize: Int32Array;
  /** The sender of rep `sender`'s message to `peer`, as seen by `peer`'s representative. */
  senderInFrame(sender: number, peer: number): number;
  /** The channel of a message to `peer` on `channel`, as seen by `peer`'s representative (a rotation may turn NCCL's rings into each other). */
  channelInFrame(peer: number, channel: number): number;
  /** The paths rep `sender`'s transfer to `peer` on `channel` takes in the representatives' network: its routes, each link replaced by its link class's. */
  pathsOf(sender: number, peer: number, channel: number): readonly (readonly string[])[];
  /** Class links that stand for fewer links than a rank class has ranks, with the factor (m/g) their capacity takes in the representatives' network. */
  readonly linkScales: ReadonlyMap<string, number>;
  /** Every link's statistics from the representatives' (a member's link carries what its representative's twin did). */
  expandLinkStats(stats: readonly LinkStats[]): LinkStats[];
}

/** Why a run gets no classes (tests and --explain-style diagnostics read it). */
export type NoClasses = { readonly reason: string };

interface Grid {
  readonly servers: number;
  readonly perServer: number;
  /** rank → server, position. */
  readonly serverOf: Int32Array;
  readonly posOf: Int32Array;
  /** (server, position) → rank. */
  readonly rankAt: Int32Array;
}

interface Shift {
  readonly a: number;
  readonly b: number;
  /** Where the shift takes each channel (tape channel = wire channel): NCCL's rings are each other's rotations. Absent: every channel stays. */
  readonly channels?: Int32Array;
}

/** A shift that holds, with the link map λ its routes gave (-1: a link no route crosses). */
interface Symmetry {
  readonly shift: Shift;
  readonly image: Int32Array;
}

export interface ClassInputs {
  readonly schedule: Schedule;
  readonly topology: Topology;
  /** Ranks by server, in rank order (RankLayout.groups). */
  readonly groups: readonly (readonly number[])[];
  readonly network: NetworkOptions;
  readonly router: Router;
}

/** The rank classes of a run, or why it has none. */
export function findRankClasses(inputs: ClassInputs): RankClasses | NoClasses {
  const { schedule, topology, groups, network } = inputs;
  const n = schedule.nranks;
  if (schedule.participants.length !== n) return { reason: 'the schedule has in-network agents' };
  if (network.model === 'packet') return { reason: 'the packet model routes packets, not connections' };
  if (network.routing === 'ecmp' && network.qps !== 1) return { reason: 'several queue pairs per connection' };
  const grid = gridOf(groups, n);
  if (grid === undefined) return { reason: 'servers differ in size' };
  const tapes = schedule.participants.map((p) => channelTapes(p));
  const scan = scanTapes(tapes, grid);
  const hashes = scan.hashes;
  const connections: ConnectionList = { triples: scan.connections };
  const paths = new PathCache(inputs.router, topology, network);
  // Candidate generators: the rotation inside a server (turning the channels too, if that is
  // what maps the tapes), and the smallest server shift that holds.
  const turned = grid.perServer > 1 ? rotationChannels(grid, hashes, scan.crossChannel) : undefined;
  const turning = turned !== undefined ? holds(turned, grid, hashes, connections, paths) : 'tapes';
  const rotation = typeof turning === 'string' ? undefined : turning;
  const turningText = grid.perServer === 1 ? 'one GPU a server' : typeof turning === 'string' ? MISS_TEXT[turning] : 'holds';
  let serverShift: Symmetry | undefined;
  let shiftMiss = grid.servers > 1 ? MISS_TEXT.tapes : 'one server';
  for (const k of divisors(grid.servers)) {
    if (k === grid.servers) break;
    const shift = holds({ a: k, b: 0 }, grid, hashes, connections, paths);
    if (typeof shift !== 'string') {
      serverShift = shift;
      break;
    }
    // A shift whose tapes matched came closest: its routes are what broke it. Say the largest
    // such (a scalable unit's, say, rather than one server's, whose paths differ by design).
    if (shift === 'routes') shiftMiss = `by ${k}: ${MISS_TEXT.routes}`;
  }
  const sets = [
    [rotation, serverShift],
    [serverShift],
    [rotation],
  ].map((set) => set.filter((s): s is Symmetry => s !== undefined));
  let reason = `no shift maps the run to itself (turning GPUs inside servers: ${turningText}; shifting servers: ${shiftMiss})`;
  for (const generators of sets) {
    if (generators.length === 0) continue;
    const classes = classesOf(generators.map((g) => g.shift), grid, n);
    if (classes.reps.length * MIN_CLASS_SIZE > n) {
      reason = `its symmetries leave ${classes.reps.length} classes of ${n} ranks (fewer than ${MIN_CLASS_SIZE} ranks a class)`;
      continue;
    }
    const orbits = linkOrbits(generators, topology.links.length);
    const uneven = unevenLink(classes, connections, paths, orbits, network.model === 'maxMin');
    if (uneven !== undefined) {
      reason = `link ${uneven} is in a class of links that does not match its ranks' classes one for one`;
      continue;
    }
    return rankClasses(classes, grid, n, paths, topology, orbits, generators.find((g) => g.shift.channels !== undefined)?.shift.channels);
  }
  return { reason };
}

// ---- the grid ------------------------------------------------------------------------

function gridOf(groups: readonly (readonly number[])[], n: number): Grid | undefined {
  const servers = groups.length;
  const perServer = groups[0]?.length ?? 0;
  if (servers === 0 || perServer === 0 || servers * perServer !== n || groups.some((g) => g.length !== perServer)) return undefined;
  const serverOf = new Int32Array(n).fill(-1);
  const posOf = new Int32Array(n);
  const rankAt = new Int32Array(n);
  groups.forEach((group, s) =>
    group.forEach((rank, j) => {
      serverOf[rank] = s;
      posOf[rank] = j;
      rankAt[s * perServer + j] = rank;
    }),
  );
  if (serverOf.some((s) => s < 0)) return undefined;
  return { servers, perServer, serverOf, posOf, rankAt };
}

function shifted(grid: Grid, rank: number, a: number, b: number): number {
  const { servers, perServer } = grid;
  const s = (grid.serverOf[rank]! + a) % servers;
  const j = (grid.posOf[rank]! + b) % perServer;
  return grid.rankAt[s * perServer + j]!;
}

/** A peer as seen from `self`: its server and position offsets, one number. */
function relative(grid: Grid, self: number, peer: number): number {
  if (peer < 0) return -1;
  const { servers, perServer } = grid;
  const ds = (grid.serverOf[peer]! - grid.serverOf[self]! + servers) % servers;
  const dj = (grid.posOf[peer]! - grid.posOf[self]! + perServer) % perServer;
  return ds * perServer + dj;
}

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let k = 1; k <= n; k++) if (n % k === 0) out.push(k);
  return out;
}

// ---- tapes ---------------------------------------------------------------------------

type Tapes = readonly (readonly ReturnType<typeof channelTapes>[number][])[];

/**
 * Feeds what of the cursor's step decides its timing to `mix`, peers relative to `self`:
 * op, receive peer, send peer, wire channel, buffers and element counts, fan-out (offsets are
 * data, not timing). Returns how many values it fed.
 */
function feedStep(c: TapeCursor, grid: Grid, self: number, channel: number, mix: (v: number) => void): void {
  mix(c.op);
  mix(relative(grid, self, c.peer));
  mix(relative(grid, self, c.sendPeer));
  const wire = sendChannelOf(c, channel);
  mix(wire === channel ? -1 : wire);
  mix(c.srcBuffer);
  mix(c.srcCount);
  mix(c.dstBuffer);
  mix(c.dstCount);
  const fanOut = c.fanOut;
  mix(fanOut.length);
  for (let i = 0; i < fanOut.length; i++) mix(relative(grid, self, fanOut[i]!));
}

/**
 * A polynomial hash of a value sequence in five lanes (primes below 2^26, so every product is
 * exact in a double): 130 bits, two different tapes share one with odds of about 2^-130. It is
 * a hash of the sequence, not of how a tape folded it: concatenation and repetition compose
 * (H(AB) = H(A)·x^|B| + H(B), H(A^k) = H(A)·(1 + x^|A| + … + x^(k−1)|A|)), so a run of k
 * repetitions is hashed from one, and two ranks whose tapes split the same steps into runs at
 * different places (a ring's chunk offsets wrap at a rank-dependent step) hash alike.
 */
const PRIMES = [67108859, 67108837, 67108819, 67108777, 67108763] as const;
const BASES = [1000003, 7919, 104729, 15485863, 2750159] as const;
const LANES = PRIMES.length;

function mulMod(a: number, b: number, p: number): number {
  return (a * b) % p;
}

function powMod(x: number, e: number, p: number): number {
  let result = 1;
  let base = x % p;
  while (e > 0) {
    if (e & 1) result = mulMod(result, base, p);
    base = mulMod(base, base, p);
    e = Math.floor(e / 2);
  }
  return result;
}

/** Scratch for geometric(): r^k beside the sum. */
const geo = { sum: 0, power: 1 };

/** Sets geo to (1 + r + … + r^(k−1), r^k) mod p: k's bits from the top, doubling the prefix and adding one. */
function geometric(r: number, k: number, p: number): void {
  let sum = 0;
  let power = 1;
  for (let bit = 2 ** Math.floor(Math.log2(Math.max(k, 1))); bit >= 1; bit /= 2) {
    sum = mulMod(sum, 1 + power, p);
    power = mulMod(power, power, p);
    if (Math.floor(k / bit) % 2 === 1) {
      sum = (mulMod(sum, r, p) + 1) % p;
      power = mulMod(power, r, p);
    }
  }
  geo.sum = k === 0 ? 0 : sum;
  geo.power = k === 0 ? 1 : power;
}

/** @internal Exported for its tests. */
export class SequenceHash {
  readonly h = new Float64Array(LANES);
  length = 0;

  reset(): void {
    this.h.fill(0);
    this.length = 0;
  }

  readonly mix = (v: number): void => {
    const h = this.h;
    for (let i = 0; i < LANES; i++) {
      const p = PRIMES[i]!;
      h[i] = (mulMod(h[i]!, BASES[i]!, p) + (((v % p) + p) % p)) % p;
    }
    this.length += 1;
  };

  /** Appends `segment` repeated `times` times. */
  append(segment: SequenceHash, times: number): void {
    const h = this.h;
    const length = segment.length * times;
    for (let i = 0; i < LANES; i++) {
      const p = PRIMES[i]!;
      const x = BASES[i]!;
      geometric(powMod(x, segment.length, p), times, p);
      // H(A^k) = H(A)·(1 + x^|A| + …), and what came before moves up by x^(k|A|).
      h[i] = (mulMod(h[i]!, geo.power, p) + mulMod(segment.h[i]!, geo.sum, p)) % p;
    }
    this.length += length;
  }
}

interface TapeScan {
  /** Per participant: its tape count, then LANES lanes and the step count per tape. */
  readonly hashes: Float64Array[];
  /** Every (sender, receiver, wire channel) its sends use, flat triples. */
  readonly connections: Int32Array;
  /** Whether some step sends on another channel than its tape's (then channels are never permuted). */
  readonly crossChannel: boolean;
}

/** Hash fields per tape in TapeScan.hashes (the lanes and the length). */
const TAPE_HASH_FIELDS = LANES + 1;

/**
 * One walk over every tape's runs (not its steps: a run's first repetition stands for all of
 * them, unless a peer moves with the repetition): each tape's hash, peers relative to its rank,
 * and the connections the run uses (from the templates).
 */
function scanTapes(tapes: Tapes, grid: Grid): TapeScan {
  const n = tapes.length;
  const seen = new Set<number>();
  const triples: number[] = [];
  const whole = new SequenceHash();
  const segment = new SequenceHash();
  const hashes: Float64Array[] = new Array(n);
  let crossChannel = false;
  for (let p = 0; p < n; p++) {
    const channels = tapes[p]!;
    const out = new Float64Array(1 + channels.length * TAPE_HASH_FIELDS);
    out[0] = channels.length;
    for (let channel = 0; channel < channels.length; channel++) {
      const tape = channels[channel]!;
      whole.reset();
      const c = new TapeCursor(tape);
      while (c.next()) {
        if (c.runPos === 0 && c.runRep === 0 && c.runReps > 1) {
          // A run's first repetition: hash it apart; if no peer in it moves, it is every repetition.
          segment.reset();
          let moves = c.peerMoves;
          feedStep(c, grid, p, channel, segment.mix);
          for (let i = 1; i < c.runPeriod; i++) {
            c.next();
            moves ||= c.peerMoves;
            feedStep(c, grid, p, channel, segment.mix);
          }
          if (moves) {
            whole.append(segment, 1);
            continue;
          }
          whole.append(segment, c.runReps);
          c.skipRun();
          continue;
        }
        feedStep(c, grid, p, channel, whole.mix);
      }
      out.set(whole.h, 1 + channel * TAPE_HASH_FIELDS);
      out[1 + channel * TAPE_HASH_FIELDS + LANES] = whole.length;
      tape.forEachSendTemplate((peer, sendChannel) => {
        const wire = sendChannel >= 0 ? sendChannel : channel;
        if (wire !== channel) crossChannel = true;
        const key = (wire * n + p) * n + peer;
        if (seen.has(key)) return;
        seen.add(key);
        triples.push(p, peer, wire);
      });
    }
    hashes[p] = out;
  }
  return { hashes, connections: Int32Array.from(triples), crossChannel };
}

interface ConnectionList {
  /** (src, dst, wire channel) triples, flat. */
  readonly triples: Int32Array;
}

// ---- routes --------------------------------------------------------------------------

/** Routes by connection as link indices: ECMP's pinned path per queue pair, or adaptive routing's even split (one entry per path; the channel does not change it). */
class PathCache {
  private readonly byKey = new Map<string, Int32Array[]>();
  private readonly none: ReadonlySet<string> = new Set();

  constructor(
    private readonly router: Router,
    readonly topology: Topology,
    private readonly network: NetworkOptions,
  ) {
  }

  /** The connection's routes (one per queue pair, or per path of an adaptive split); null when a pair has none. */
  routes(src: number, dst: number, channel: number): Int32Array[] | null {
    const a = this.topology.ranks[src]!;
    const b = this.topology.ranks[dst]!;
    const adaptive = this.network.routing === 'adaptive';
    const key = adaptive ? `${a}\u0000${b}` : `${a}\u0000${b}\u0000${channel}`;
    let routes = this.byKey.get(key);
    if (routes === undefined) {
      routes = [];
      if (a !== b && adaptive) {
        const split = this.router.equalCostPaths(a, b, this.none);
        if (split.length === 0) return null;
        for (const path of split) routes.push(Int32Array.from(path, (id) => linkIndexOf(this.topology, id)));
      } else if (a !== b) {
        for (let qp = 0; qp < this.network.qps; qp++) {
          const path = this.router.pinnedPath(a, b, channel, qp, this.network.seed, this.none);
          if (path === null) return null;
          routes.push(Int32Array.from(path, (id) => linkIndexOf(this.topology, id)));
        }
      }
      this.byKey.set(key, routes);
    }
    return routes;
  }
}

/** Whether tape c of one hash table equals tape d of another (every lane and the length). */
function sameTape(hp: Float64Array, c: number, hq: Float64Array, d: number): boolean {
  const x = 1 + c * TAPE_HASH_FIELDS;
  const y = 1 + d * TAPE_HASH_FIELDS;
  for (let i = 0; i < TAPE_HASH_FIELDS; i++) if (hp[x + i] !== hq[y + i]) return false;
  return true;
}

function channelOf(shift: Shift, channel: number): number {
  const map = shift.channels;
  return map !== undefined && channel < map.length ? map[channel]! : channel;
}

/**
 * The rotation by one position inside each server, with the channel permutation that makes it
 * map rank (0, 0)'s tapes onto rank (0, 1)'s (each channel to the lowest free channel whose
 * tape matches), if one exists and returns to the identity after a whole turn; holds() then
 * checks it for every rank. Channels stay put when a step sends on another channel.
 */
function rotationChannels(grid: Grid, hashes: readonly Float64Array[], crossChannel: boolean): Shift | undefined {
  const hp = hashes[grid.rankAt[0]!]!;
  const hq = hashes[grid.rankAt[1]!]!;
  const count = hp[0]!;
  if (hq[0] !== count) return undefined;
  const map = new Int32Array(count).fill(-1);
  const used = new Uint8Array(count);
  for (let c = 0; c < count; c++) {
    for (let d = 0; d < count; d++) {
      if (used[d] || !sameTape(hp, c, hq, d)) continue;
      map[c] = d;
      used[d] = 1;
      break;
    }
    if (map[c] === -1) return undefined;
  }
  if (map.every((d, c) => d === c)) return { a: 0, b: 1 };
  if (crossChannel) return undefined;
  // A whole turn must bring every channel back: else a rank's own image would move its channels.
  for (let c = 0; c < count; c++) {
    let d = c;
    for (let t = 0; t < grid.perServer; t++) d = map[d]!;
    if (d !== c) return undefined;
  }
  return { a: 0, b: 1, channels: map };
}

/** Why a shift does not hold: some rank's tape is not its image's, or no link map carries every route onto its image's. */
type Miss = 'tapes' | 'routes';

const MISS_TEXT: Record<Miss, string> = {
  tapes: 'ranks run different steps',
  routes: "some route does not map onto its image's (ECMP shares links differently, or the paths differ)",
};

/** The shift with its link map, if it maps every tape and every route onto the run's own; else what failed. */
function holds(shift: Shift, grid: Grid, hashes: readonly Float64Array[], connections: ConnectionList, paths: PathCache): Symmetry | Miss {
  const n = hashes.length;
  for (let p = 0; p < n; p++) {
    const q = shifted(grid, p, shift.a, shift.b);
    const hp = hashes[p]!;
    const hq = hashes[q]!;
    if (hp[0] !== hq[0]) return 'tapes';
    for (let c = 0; c < hp[0]!; c++) if (!sameTape(hp, c, hq, channelOf(shift, c))) return 'tapes';
  }
  const image = routesCommute(shift, grid, connections, paths);
  return image === undefined ? 'routes' : { shift, image };
}

/** The one consistent, one-to-one link map λ (keeping bandwidth and latency) that takes route(p → q) to route(σp → σq) for every connection, if there is one. */
function routesCommute(shift: Shift, grid: Grid, connections: ConnectionList, paths: PathCache): Int32Array | undefined {
  const links = paths.topology.links;
  const image = new Int32Array(links.length).fill(-1);
  const preimage = new Int32Array(links.length).fill(-1);
  const t = connections.triples;
  for (let i = 0; i < t.length; i += 3) {
    const src = t[i]!;
    const dst = t[i + 1]!;
    const channel = t[i + 2]!;
    const from = paths.routes(src, dst, channel);
    const to = paths.routes(shifted(grid, src, shift.a, shift.b), shifted(grid, dst, shift.a, shift.b), channelOf(shift, channel));
    if (from === null || to === null || from.length !== to.length) return undefined;
    for (let qp = 0; qp < from.length; qp++) {
      const x = from[qp]!;
      const y = to[qp]!;
      if (x.length !== y.length) return undefined;
      for (let h = 0; h < x.length; h++) {
        const l = x[h]!;
        const m = y[h]!;
        if (image[l] === -1 && preimage[m] === -1) {
          const a = links[l]!;
          const b = links[m]!;
          if (a.bandwidthBytesPerSec !== b.bandwidthBytesPerSec || a.latencyNs !== b.latencyNs) return undefined;
          image[l] = m;
          preimage[m] = l;
        } else if (image[l] !== m || preimage[m] !== l) return undefined;
      }
    }
  }
  return image;
}

/** Link classes: the orbits of the links routes cross under the symmetries' link maps, each named by its least link. */
interface LinkOrbits {
  /** Each link's class (its least link), or -1 for a link no route crosses. */
  readonly canonical: Int32Array;
  /** Links per class, by canonical link. */
  readonly size: Int32Array;
}

function linkOrbits(symmetries: readonly Symmetry[], linkCount: number): LinkOrbits {
  const parent = new Int32Array(linkCount).fill(-1);
  const find = (l: number): number => {
    while (parent[l] !== l) {
      parent[l] = parent[parent[l]!]!;
      l = parent[l]!;
    }
    return l;
  };
  for (const { image } of symmetries) {
    for (let l = 0; l < linkCount; l++) {
      const m = image[l]!;
      if (m < 0) continue;
      if (parent[l] === -1) parent[l] = l;
      if (parent[m] === -1) parent[m] = m;
      const a = find(l);
      const b = find(m);
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
    }
  }
  const canonical = new Int32Array(linkCount).fill(-1);
  const size = new Int32Array(linkCount);
  for (let l = 0; l < linkCount; l++) {
    if (parent[l] === -1) continue;
    // The least link of a class is its root: unions keep the smaller root.
    canonical[l] = find(l);
    size[canonical[l]!]! += 1;
  }
  return { canonical, size };
}

// ---- classes -------------------------------------------------------------------------

interface Classes {
  readonly reps: number[];
  readonly repOf: Int32Array;
  /** Per participant: the shift (a, b) taking its representative to it. */
  readonly shiftA: Int32Array;
  readonly shiftB: Int32Array;
  /** Members per class, by participant. */
  readonly classSize: Int32Array;
}

/** The orbits of the group the shifts generate (a subgroup of Z_servers × Z_perServer), each headed by its least rank. */
function classesOf(generators: readonly Shift[], grid: Grid, n: number): Classes {
  const { servers, perServer } = grid;
  // The group's elements: every sum of generators (closure by breadth-first search).
  const seen = new Uint8Array(servers * perServer);
  const elements: Shift[] = [{ a: 0, b: 0 }];
  seen[0] = 1;
  for (let i = 0; i < elements.length; i++) {
    for (const g of generators) {
      const a = (elements[i]!.a + g.a) % servers;
      const b = (elements[i]!.b + g.b) % perServer;
      if (seen[a * perServer + b]) continue;
      seen[a * perServer + b] = 1;
      elements.push({ a, b });
    }
  }
  const repOf = new Int32Array(n).fill(-1);
  const shiftA = new Int32Array(n);
  const shiftB = new Int32Array(n);
  const reps: number[] = [];
  for (let r = 0; r < n; r++) {
    if (repOf[r] !== -1) continue;
    reps.push(r);
    for (const e of elements) {
      const m = shifted(grid, r, e.a, e.b);
      if (repOf[m] !== -1) continue;
      repOf[m] = r;
      shiftA[m] = e.a;
      shiftB[m] = e.b;
    }
  }
  // Every class is one orbit of the same group acting freely: each has elements.length members.
  const classSize = new Int32Array(n).fill(elements.length);
  return { reps, repOf, shiftA, shiftB, classSize };
}

/**
 * A link on a representative's route whose class the representatives' network cannot stand for,
 * if any (by id). It has one link per link class, loaded once by each representative's (sub-)flow
 * crossing the class. A class of exactly as many links as a rank class has ranks is the link
 * itself (each of its links carries one image of the flow); under max-min a class of m links, m
 * dividing the rank classes' size g, stands for its links at m/g of their capacity (each carries
 * g/m images: the orbit–stabilizer count). Alpha-beta takes only m = g.
 */
function unevenLink(classes: Classes, connections: ConnectionList, paths: PathCache, orbits: LinkOrbits, sharing: boolean): string | undefined {
  const links = paths.topology.links;
  const classSize = classes.classSize;
  const t = connections.triples;
  for (let i = 0; i < t.length; i += 3) {
    const src = t[i]!;
    if (classes.repOf[src] !== src) continue;
    for (const route of paths.routes(src, t[i + 1]!, t[i + 2]!)!) {
      for (const l of route) {
        const c = orbits.canonical[l]!;
        const m = c < 0 ? 0 : orbits.size[c]!;
        const g = classSize[src]!;
        if (m === 0 || (sharing ? g % m !== 0 : m !== g)) return links[l]!.id;
      }
    }
  }
  return undefined;
}

function rankClasses(classes: Classes, grid: Grid, n: number, paths: PathCache, topology: Topology, orbits: LinkOrbits, turn: Int32Array | undefined): RankClasses {
  const classSize = classes.classSize;
  const { servers, perServer } = grid;
  // Channel maps undoing a rotation by b positions: the inverse of the rotation's permutation, b times.
  const undo: Int32Array[] = [];
  if (turn !== undefined) {
    const back = new Int32Array(turn.length);
    turn.forEach((d, c) => (back[d] = c));
    undo.push(Int32Array.from(turn, (_, c) => c));
    for (let b = 1; b < perServer; b++) undo.push(Int32Array.from(undo[b - 1]!, (c) => back[c]!));
  }
  const unturned = (member: number, channel: number): number => {
    const map = undo[classes.shiftB[member]!];
    return map !== undefined && channel < map.length ? map[channel]! : channel;
  };
  const inFrame = new Map<number, number>();
  const classPaths = new Map<string, readonly (readonly string[])[]>();
  // Every rank class has g ranks (the group acts freely): a class of m < g links runs at m/g.
  const g = classSize[0] ?? 1;
  const linkScales = new Map<string, number>();
  orbits.size.forEach((m, c) => {
    if (m > 0 && m < g) linkScales.set(topology.links[c]!.id, m / g);
  });
  /** How many images of a class link's load each of its links carries: g/m. */
  const imagesOn = (c: number): number => g / orbits.size[c]!;
  return {
    reps: classes.reps,
    repOf: classes.repOf,
    classSize,
    senderInFrame(sender, peer) {
      const key = sender * n + peer;
      let x = inFrame.get(key);
      if (x === undefined) {
        x = shifted(grid, sender, servers - classes.shiftA[peer]!, perServer - classes.shiftB[peer]!);
        inFrame.set(key, x);
      }
      return x;
    },
    channelInFrame: unturned,
    pathsOf(sender, peer, channel) {
      const key = `${sender},${peer},${channel}`;
      let classed = classPaths.get(key);
      if (classed === undefined) {
        classed = paths.routes(sender, peer, channel)!.map((route) => Array.from(route, (l) => topology.links[orbits.canonical[l]!]!.id));
        classPaths.set(key, classed);
      }
      return classed;
    },
    linkScales,
    expandLinkStats(stats) {
      // Every link of a class carries g/m times what the class's link did in the representatives'
      // network (one image of each of its flows when m = g), over the same busy times. Utilization
      // is against the nominal bandwidth (link-account.ts), which the class link kept: g/m times too.
      const at = new Map<string, number>();
      stats.forEach((stat, i) => at.set(stat.linkId, i));
      return stats.map((stat) => {
        const l = linkIndexOf(topology, stat.linkId);
        const c = l < 0 ? -1 : orbits.canonical[l]!;
        if (c < 0 || (c === l && orbits.size[c] === g)) return stat;
        const source = stats[at.get(topology.links[c]!.id)!]!;
        const k = imagesOn(c);
        return {
          ...source,
          linkId: stat.linkId,
          from: stat.from,
          to: stat.to,
          bandwidthBytesPerSec: topology.links[l]!.bandwidthBytesPerSec,
          bytesCarried: source.bytesCarried * k,
          peakConcurrentFlows: source.peakConcurrentFlows * k,
          utilization: source.utilization * k,
          utilizationTimeline: k === 1 ? source.utilizationTimeline : source.utilizationTimeline.map(([t, f]) => [t, f * k] as const),
        };
      });
    },
  };
}

/** A link's index by id (one Map per topology, made on first use). */
function linkIndexOf(topology: Topology, id: string): number {
  let index = linkIndexes.get(topology);
  if (index === undefined) {
    index = new Map(topology.links.map((link, i) => [link.id, i]));
    linkIndexes.set(topology, index);
  }
  return index.get(id) ?? -1;
}

const linkIndexes = new WeakMap<Topology, Map<string, number>>();
