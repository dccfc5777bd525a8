import { StepBuilder, assertPlannable, groupIndex, hopAlpha, invalidParams, rankLinks, roundLinkFactor, slice, type RoundMessage } from '../kit.js';
import { mod } from '../logical.js';
import { SIMPLE_STEP_BYTES, withProtocols } from '../protocols.js';
import type { Algorithm, CostParams, PlanParams, Schedule } from '../types.js';

/**
 * NCCL's all-to-all: one grouped send and receive per peer, every peer in flight at once,
 * with PXN (PCIe × NVLink, NCCL 2.12+, on by default): a block for a rank on another server
 * and another rail does not cross the spines; it goes over NVLink to the rank of the
 * sender's server on the destination's rail, which forwards it through its own NIC, rail to
 * rail (NCCL src/transport/net.cc "PXN", src/graph/paths.cc ncclTopoGetPxnRanks). Blocks to
 * ranks of the same server go over NVLink, to the same rail straight through the NIC.
 *
 * Channels: NCCL spreads p2p operations over its channels with several peers in flight per
 * channel; weft gives peer distance d (to = r+d, from = r-d) to channel (d-1) mod C,
 * C = min(n-1, 32) (MAXCHANNELS), each channel sending its blocks one after another. Each
 * channel c has two companion step lists: C+c holds this rank's forwarding for other ranks
 * (receive from a server peer into scratch, send on), 2C+c the receives of blocks forwarded
 * to it, so that no list waits on another's traffic. Messages are chunked (chunkElements).
 */
export const MAX_CHANNELS = 32;

/** Where a block from `a` to `b` goes first: the PXN proxy on a's server and b's rail, or b itself. */
export type Route = (a: number, b: number) => number;

function pxnRoute(params: PlanParams): Route {
  const { nranks: n, layout } = params;
  const serverOf = groupIndex(params);
  const rails = layout.rails;
  if (rails === undefined || rails.length !== n) return (_a, b) => b;
  // The rank on (server, rail), keyed server·R + rail.
  const R = Math.max(...rails) + 1;
  const onRail = new Map<number, number>();
  for (let r = 0; r < n; r++) onRail.set(serverOf[r]! * R + rails[r]!, r);
  return (a, b) => {
    if (serverOf[a] === serverOf[b] || serverOf[a]! < 0 || rails[a] === rails[b]) return b;
    return onRail.get(serverOf[a]! * R + rails[b]!) ?? b;
  };
}

/**
 * An all-to-all with every peer in flight at once, each block taking `route` (straight, or
 * through a proxy): max over ranks and directions of the bytes·β its NVLink (intra) and NIC
 * (inter) carry, + the longest route's latency — on the links the blocks share where paths
 * are narrower than a rank's injection (cost.ts roundLinkFactor; ring:8's direct all-to-all at
 * 4 MiB: 41 → 111 µs predicted, 111 simulated). 0 for n = 1 or count = 0.
 */
export function allToAllLoadNs(params: PlanParams, cost: CostParams, route: Route): number {
  const { nranks: n, count, elementBytes } = params;
  if (n === 1 || count === 0) return 0;
  const alpha = hopAlpha(params, cost);
  const links = rankLinks(params, cost);
  // Per rank: bytes out and in over intra and inter links (one class where one link carries both).
  const load = new Float64Array(4 * n);
  const bytes = count * elementBytes;
  let latencyNs = 0;
  const hop = (a: number, b: number): void => {
    const k = links.classOf(a, b);
    load[4 * a + k]! += bytes;
    load[4 * b + 2 + k]! += bytes;
  };
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a === b) continue;
      const p = route(a, b);
      hop(a, p);
      if (p !== b) hop(p, b);
      latencyNs = Math.max(latencyNs, p === b ? alpha(a, b) : alpha(a, p) + alpha(p, b));
    }
  }
  let busiestNs = 0;
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < 4; k++) busiestNs = Math.max(busiestNs, load[4 * r + k]! * links.nsPerByte[k % 2]!);
  }
  // Every block's hops at once, read only where some path is narrow (a star's predictions build none).
  const messages = function* (): Generator<RoundMessage> {
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        const p = a === b ? b : route(a, b);
        if (p !== a) yield [a, p, bytes];
        if (p !== b) yield [p, b, bytes];
      }
    }
  };
  return latencyNs + busiestNs * roundLinkFactor(params, messages());
}

/** Every block straight to its peer (no proxy). */
export const straightRoute: Route = (_a, b) => b;

/** The plan's channels: as asked, at most n-1 (one per peer distance). */
export const channelsOf = (params: PlanParams): number => Math.max(1, Math.min(params.nranks - 1, Math.floor(params.channels) || 1));

/** Per rank p, the blocks it forwards: from server peer a to b, in the order of distance d = b - a, then a. */
function forwardsOf(n: number, route: Route): { a: number; b: number; d: number }[][] {
  const lists = Array.from({ length: n }, (): { a: number; b: number; d: number }[] => []);
  for (let d = 1; d < n; d++) {
    for (let a = 0; a < n; a++) {
      const b = mod(a + d, n);
      const p = route(a, b);
      if (p !== b) lists[p]!.push({ a, b, d });
    }
  }
  return lists;
}

const plain: Algorithm = {
  name: 'pxn',
  collective: 'allToAll',
  description: 'NCCL all-to-all: every peer in flight at once; across servers rail to rail, a block for another rail forwarded over NVLink by the GPU on that rail (PXN).',
  constraints: 'any rank count; PXN where the layout gives servers and rails',
  unsupported: (params) => invalidParams(params),
  plan(params: PlanParams): Schedule {
    assertPlannable(plain.unsupported(params));
    const { nranks: n, count } = params;
    const C = channelsOf(params);
    const route = pxnRoute(params);
    const b = new StepBuilder(n, 3 * C, params.chunkElements);
    const block = (buffer: 'input' | 'output', j: number) => slice(buffer, j * count, count);
    const chan = (d: number): number => (d - 1) % C;
    // Scratch: one slot per block a rank forwards.
    const forwards = forwardsOf(n, route);
    const slots = Math.max(0, ...forwards.map((f) => f.length));
    for (let r = 0; r < n; r++) {
      b.copyChunked(r, 0, block('input', r), block('output', r));
      for (let d = 1; d < n; d++) {
        const to = mod(r + d, n);
        const first = route(r, to);
        if (first === to) b.sendChunked(r, chan(d), to, block('input', to));
        else for (const piece of b.pieces(block('input', to))) b.send(r, chan(d), first, piece, C + chan(d));
      }
      forwards[r]!.forEach(({ a, b: to, d }, k) => {
        const slot = slice('scratch', k * count, count);
        for (const piece of b.pieces(slot)) b.recvCopySend(r, C + chan(d), a, to, piece, 2 * C + chan(d));
      });
      for (let d = 1; d < n; d++) {
        const from = mod(r - d, n);
        const first = route(from, r);
        if (first === r) b.recvChunked(r, chan(d), from, block('output', from));
        else b.recvChunked(r, 2 * C + chan(d), first, block('output', from));
      }
    }
    return b.build('allToAll', 'pxn', params, { input: count * n, output: count * n, scratch: slots * count });
  },
  /**
   * T = max over ranks and directions of bytes·β on the rank's NVLink (intra) and NIC
   * (inter) + the longest route's latency (a forwarded block: α_intra + α_inter):
   * every peer is in flight at once, so each rank's links carry their whole load back to
   * back, PXN moving a server's cross-rail blocks onto the NVLink and the NIC of the rank
   * on the destination's rail. 0 for n = 1 or count = 0.
   */
  predictNs: (params, cost) => allToAllLoadNs(params, cost, pxnRoute(params)),
  defaultChannels: (params) => Math.max(1, Math.min(params.nranks - 1, MAX_CHANNELS)),
  /** NCCL's p2p chunk over NVLink (NCCL_P2P_NVL_CHUNKSIZE, 512 KiB; src/init.cc). */
  defaultChunkBytes: () => SIMPLE_STEP_BYTES,
};

/** NCCL's all-to-all under Simple (NCCL's p2p runs the Simple protocol), with Ring's launch and per-step latencies (an assumption: tuning.cc has no p2p row). */
export const pxn: Algorithm = withProtocols(plain, 'Ring', ['Simple']);
