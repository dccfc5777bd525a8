/**
 * One simulation, whatever the mode: participant placement on topology nodes, a fresh
 * network and engine (virtual time 0), faults, and the coordinator loop.
 */
import { createNetwork, createRouter, rankGroups, rankLayout, type Network, type NetworkOptions, type Router, type Topology } from '@weft/fabric';
import { protocolFromCode, scheduleProtocol, type RankLayout } from '@weft/collectives';
import { Engine, WeftInputError } from '@weft/sim';
import { Coordinator, type CoordinatorOutcome, type CoordinatorWatch, type StepLatency } from './coordinator.js';
import type { HostLink } from '../protocol.js';
import type { Fault, NetworkFactory, RankFault } from '../types.js';
import type { RankClasses } from '../schedule/rank-classes.js';

/**
 * Topology nodes of a schedule's participants: rank r on `topology.ranks[r]`, agent k on
 * the k-th reduction-capable node that links to and from every rank (in-network algorithms
 * over one switch). When none reaches every rank, agent k sits on a reduction-capable node
 * reaching every rank of group k (one NVSwitch per server: NVLSTree puts server k's agent
 * at index nranks + k), falling back to the k-th reduction-capable node.
 */
export function participantNodes(topology: Topology, nparticipants: number): string[] {
  const nranks = topology.ranks.length;
  const nodes = [...topology.ranks];
  const agents = nparticipants - nranks;
  if (agents <= 0) return nodes;
  const reducers = topology.nodes.filter((n) => n.reduction === true);
  const linked = new Set(topology.links.map((l) => `${l.from}\u0000${l.to}`));
  const reaches = (id: string, ranks: readonly string[]) => ranks.every((r) => linked.has(`${r}\u0000${id}`) && linked.has(`${id}\u0000${r}`));
  const reachAll = reducers.filter((n) => reaches(n.id, topology.ranks));
  if (reducers.length === 0) {
    throw new WeftInputError(`the schedule has ${agents} in-network agent(s) but topology ${topology.name} has no reduction-capable switch; pick an algorithm without agents`);
  }
  const groups = rankGroups(topology).map((g) => g.map((r) => topology.ranks[r]!));
  for (let k = 0; k < agents; k++) {
    const ofGroup = reachAll.length === 0 && k < groups.length ? reducers.find((n) => reaches(n.id, groups[k]!)) : undefined;
    const candidates = reachAll.length > 0 ? reachAll : reducers;
    nodes.push((ofGroup ?? candidates[k % candidates.length]!).id);
  }
  return nodes;
}

/**
 * In-network agents a rank-program run declares: one per reduction group (server) when the
 * topology has a reduction-capable switch, enough for NVLS and NVLSTree (one agent per
 * group) and innetwork (one); none otherwise. Agent k sits where participantNodes puts it
 * whatever the count, so a collective with fewer agents runs exactly as weft bench runs it.
 */
export function programAgentCount(topology: Topology): number {
  return topology.nodes.some((n) => n.reduction === true) ? rankGroups(topology).length : 0;
}

/**
 * Wire bytes per payload byte of each participant's transfers: 1 for ranks; for an agent,
 * 1 / its switch's `reductionEfficiency` (NVLS multimem traffic runs at that fraction of the
 * link rate). A transfer pays the larger factor of its two ends.
 */
export function wireFactors(topology: Topology, nodes: readonly string[]): number[] {
  const nranks = topology.ranks.length;
  const efficiency = new Map(topology.nodes.map((n) => [n.id, n.reductionEfficiency ?? 1]));
  return nodes.map((id, p) => (p < nranks ? 1 : 1 / (efficiency.get(id) ?? 1)));
}

/**
 * Where ranks sit, as algorithms see it: @weft/fabric's rankLayout (servers, reduction
 * switches, rails) as collectives' RankLayout — the one layout bench, train and user programs plan on
 * (RankLayout is read-only: one object per topology is shared).
 */
export function layoutOf(topology: Topology): RankLayout {
  let layout = layouts.get(topology);
  if (layout === undefined) {
    const { inSwitchReduction: how, rails, ...rest } = rankLayout(topology);
    layout = { ...rest, ...(how !== undefined ? { inSwitchReduction: how } : {}), ...(rails !== undefined ? { rails } : {}) };
    layouts.set(topology, layout);
  }
  return layout;
}

/**
 * Layouts by topology object, computed once: a cluster, every run's step latencies and
 * train's checks, predictions and scaling table (per bucket size and algorithm) all ask.
 */
const layouts = new WeakMap<Topology, RankLayout>();

/** Routers by topology object: every cluster and every rank-class check on one topology share its route cache. */
const routers = new WeakMap<Topology, Router>();

/** The router of `topology` (made once; it caches what it finds). */
export function routerOf(topology: Topology): Router {
  let router = routers.get(topology);
  if (router === undefined) routers.set(topology, (router = createRouter(topology)));
  return router;
}

/** A network factory over @weft/fabric with the topology's one router (routes are cached). */
export function defaultNetworkFactory(): NetworkFactory {
  return (topology: Topology, options: NetworkOptions): Network => createNetwork(topology, options, routerOf(topology));
}

/** Schedules the link faults on the network; rank faults are the coordinator's (returned). */
export function applyFaults(network: Network, faults: readonly Fault[] | undefined): RankFault[] {
  const rankFaults: RankFault[] = [];
  for (const fault of faults ?? []) {
    if (fault.kind === 'failLink') network.failLink(fault.linkId, fault.atNs);
    else if (fault.kind === 'degradeLink') network.degradeLink(fault.linkId, fault.factor, fault.atNs);
    else rankFaults.push(fault);
  }
  return rankFaults;
}

export interface CoordinatedRun {
  readonly outcome: CoordinatorOutcome;
  readonly network: Network;
}

/**
 * NCCL protocols' step latencies on `topology` (@weft/collectives scheduleProtocol): by the
 * message's protocol and the hop's class — intra between ranks of one group (server /
 * NVLink domain), inter otherwise and for agents.
 */
export function stepLatencies(topology: Topology): StepLatency {
  const layout = layoutOf(topology);
  const groupOf = new Map<number, number>();
  layout.groups.forEach((group, g) => group.forEach((r) => groupOf.set(r, g)));
  const byCode = new Map<number, { intra: number; inter: number }>();
  const nranks = topology.ranks.length;
  return (code, src, dst) => {
    let latency = byCode.get(code);
    if (latency === undefined) {
      const { row, name } = protocolFromCode(code)!;
      byCode.set(code, (latency = scheduleProtocol(row, name, layout).stepLatencyNs));
    }
    // An agent (the NVSwitch of NVLS) is not in the layout: its messages stay in the server.
    if (src >= nranks || dst >= nranks) return latency.intra;
    const g = groupOf.get(src);
    return g !== undefined && g === groupOf.get(dst) ? latency.intra : latency.inter;
  };
}

/** One simulation: fresh engine and network, the coordinator loop over `hosts`. */
export async function coordinate(
  factory: NetworkFactory,
  topology: Topology,
  options: NetworkOptions,
  nodes: readonly string[],
  hosts: readonly HostLink[],
  faults: readonly Fault[] | undefined,
  roundTimeoutMs?: number,
  watch?: CoordinatorWatch,
  onSimulatedTime?: (nowNs: number) => void,
  classes?: RankClasses,
): Promise<CoordinatedRun> {
  const network = factory(topology, options);
  // The representatives' network: class links standing for fewer links than a class has ranks run slower (rank-classes.ts).
  for (const [linkId, factor] of classes?.linkScales ?? []) network.degradeLink(linkId, factor, 0);
  const rankFaults = applyFaults(network, faults);
  const coordinator = new Coordinator({
    engine: new Engine(),
    network,
    nodes,
    nranks: topology.ranks.length,
    hosts,
    wireFactors: wireFactors(topology, nodes),
    stepLatencyNs: stepLatencies(topology),
    rankFaults,
    ...(roundTimeoutMs !== undefined ? { roundTimeoutMs } : {}),
    ...(watch !== undefined ? { watch } : {}),
    ...(onSimulatedTime !== undefined ? { onSimulatedTime } : {}),
    ...(classes !== undefined ? { classes } : {}),
  });
  const outcome = await coordinator.run();
  return { outcome, network };
}
