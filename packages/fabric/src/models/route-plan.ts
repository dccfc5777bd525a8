import { WeftInputError } from '@weft/sim';
import type { NetworkOptions, Router, TransferRequest } from '../types.js';

/** The flows a transfer becomes: under ECMP one per queue pair (one path each), under adaptive one over every equal-cost path. */
export interface PlannedFlow {
  readonly bytes: number;
  readonly pinned: boolean;
  readonly paths: readonly (readonly string[])[];
}

export type RoutePlan =
  | { readonly routed: true; readonly flows: readonly PlannedFlow[] }
  /** No route avoids the failed links; `linkId` is a failed link on the route it would have taken. */
  | { readonly routed: false; readonly linkId: string };

const NO_LINKS_DOWN: ReadonlySet<string> = new Set();

/**
 * Routes a transfer between two distinct nodes. ECMP: `qps` parts of bytes / qps each,
 * part q pinned by the router's hash of (seed, src, dst, flowKey, q). Adaptive: one flow
 * over every equal-cost path (qps does not apply: adaptive routing already sprays).
 */
export function planRoutes(router: Router, options: NetworkOptions, request: TransferRequest, down: ReadonlySet<string>): RoutePlan {
  const { srcNode, dstNode, flowKey, bytes } = request;
  if (options.routing === 'adaptive') {
    const paths = router.equalCostPaths(srcNode, dstNode, down);
    if (paths.length === 0) return unroutable(router.equalCostPaths(srcNode, dstNode, NO_LINKS_DOWN)[0] ?? null, request, down);
    return { routed: true, flows: [{ bytes, pinned: false, paths }] };
  }
  const flows: PlannedFlow[] = [];
  for (let qp = 0; qp < options.qps; qp++) {
    const path = router.pinnedPath(srcNode, dstNode, flowKey, qp, options.seed, down);
    if (path === null) return unroutable(router.pinnedPath(srcNode, dstNode, flowKey, qp, options.seed, NO_LINKS_DOWN), request, down);
    flows.push({ bytes: bytes / options.qps, pinned: true, paths: [path] });
  }
  return { routed: true, flows };
}

/** Blames the first failed link on the route the transfer takes when every link is up. */
function unroutable(healthyPath: readonly string[] | null, request: TransferRequest, down: ReadonlySet<string>): RoutePlan {
  if (healthyPath === null || down.size === 0) {
    throw new WeftInputError(`no route from "${request.srcNode}" to "${request.dstNode}"; expected nodes connected by the topology's links`);
  }
  const linkId = healthyPath.find((id) => down.has(id)) ?? down.values().next().value!;
  return { routed: false, linkId };
}
