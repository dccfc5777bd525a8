import type { Router, Topology } from '../types.js';
import { pathLatencyNs } from './timing.js';

/**
 * A pinned (ECMP) path as a network uses it: the router's link ids, their indices in the
 * topology, the summed latency, and the text key networks intern routes by.
 */
export interface ResolvedPath {
  readonly linkIds: readonly string[];
  readonly links: readonly number[];
  readonly latencyNs: number;
  /** linkIds joined by '\n': the key a network interns its Route objects by. */
  readonly key: string;
}

/**
 * Pinned paths with no link down, shared by every network built on one router and topology.
 *
 * Why: a bench run builds a fresh network per run — fast-forward's three shortened runs, every
 * size of a sweep — and each one asked the router again for every connection's path and
 * resolved it to link indices: at 4,096 GPUs (hierarchical, 1 GiB) a tenth of the run's
 * profile, two thirds of it repeating the first run's answers. A pinned path is a function of
 * (src, dst, flow key, queue pair, seed) and the set of down links — the per-network route
 * cache already relies on that — so with no link down one answer serves every network. Each
 * network still keeps its own Route objects, cache and clearing (results are unchanged
 * bit for bit: the same paths, the same interning, the same moments of clearing); only the
 * router's walk, the link-index lookups and the key's join are shared.
 *
 * Bounded: past MEMO_LIMIT paths nothing more is kept (the paths of an all-to-all at scale
 * are asked once per run anyway); networks then ask the router as before.
 */
export class PinnedPaths {
  private readonly bySrc = new Map<string, Map<string, (ResolvedPath | null)[][]>>();
  private size = 0;

  constructor(
    private readonly router: Router,
    private readonly topology: Topology,
    private readonly linkIndex: ReadonlyMap<string, number>,
    readonly seed: number,
  ) {}

  /** The path (null: no route) for a flow key 0 … 1023 and queue pair, with no link down. */
  path(src: string, dst: string, flowKey: number, qp: number): ResolvedPath | null {
    const known = this.bySrc.get(src)?.get(dst)?.[flowKey]?.[qp];
    if (known !== undefined) return known;
    const resolved = this.resolve(this.router.pinnedPath(src, dst, flowKey, qp, this.seed, NO_LINKS));
    if (this.size < MEMO_LIMIT) {
      let byDst = this.bySrc.get(src);
      if (byDst === undefined) this.bySrc.set(src, (byDst = new Map()));
      let byKey = byDst.get(dst);
      if (byKey === undefined) byDst.set(dst, (byKey = []));
      (byKey[flowKey] ??= [])[qp] = resolved;
      this.size++;
    }
    return resolved;
  }

  private resolve(path: readonly string[] | null): ResolvedPath | null {
    if (path === null) return null;
    return { linkIds: path, ...linksOf(path, this.linkIndex, this.topology), key: path.join('\n') };
  }
}

/** A path's link indices in the topology and its summed latency (what a network's Route holds). */
export function linksOf(path: readonly string[], linkIndex: ReadonlyMap<string, number>, topology: Topology): { links: number[]; latencyNs: number } {
  const links = path.map((id) => {
    const index = linkIndex.get(id);
    // The router returned a link the topology lacks: an internal error, not user input.
    if (index === undefined) throw new Error(`router returned unknown link "${id}"`);
    return index;
  });
  return { links, latencyNs: pathLatencyNs(links.map((link) => topology.links[link]!.latencyNs)) };
}

/** Paths kept per memo at most (the network's own route cache clears at 2^18). */
const MEMO_LIMIT = 1 << 18;

const NO_LINKS: ReadonlySet<string> = new Set();

/** One memo per (router, topology, seed): the last seed asked for each router and topology. */
const memos = new WeakMap<Router, WeakMap<Topology, PinnedPaths>>();

/** The shared memo of pinned paths for this router, topology and seed (see PinnedPaths). */
export function pinnedPathsOf(router: Router, topology: Topology, linkIndex: ReadonlyMap<string, number>, seed: number): PinnedPaths {
  let byTopology = memos.get(router);
  if (byTopology === undefined) memos.set(router, (byTopology = new WeakMap()));
  let memo = byTopology.get(topology);
  if (memo === undefined || memo.seed !== seed) byTopology.set(topology, (memo = new PinnedPaths(router, topology, linkIndex, seed)));
  return memo;
}
