/**
 * One simulation, whatever the mode: participant placement on topology nodes, a fresh
 * network and engine (virtual time 0), faults, and the coordinator loop.
 */
import { createNetwork, createRouter, hasReductionSwitch, rankGroups, type Network, type NetworkOptions, type Router, type Topology } from '@weft/fabric';
import { protocolFromCode, scheduleProtocol, type RankLayout } from '@weft/collectives';
import { Engine, WeftInputError } from '@weft/sim';
import { Coordinator, type CoordinatorOutcome, type StepLatency } from './coordinator.js';
import type { HostLink } from '../protocol.js';
import type { Fault, NetworkFactory } from '../types.js';

/**
 * Topology nodes of a schedule's participants: rank r on `topology.ranks[r]`, agent k on
 * the k-th reduction-capable node that links to and from every rank (falling back to any
 * reduction-capable node), as in-network algorithms assume one such switch.
 */
export function participantNodes(topology: Topology, nparticipants: number): string[] {
  const nranks = topology.ranks.length;
  const nodes = [...topology.ranks];
  const agents = nparticipants - nranks;
  if (agents <= 0) return nodes;
  const reducers = topology.nodes.filter((n) => n.reduction === true);
  const linked = new Set(topology.links.map((l) => `${l.from}\u0000${l.to}`));
  const reachAll = reducers.filter((n) => topology.ranks.every((r) => linked.has(`${r}\u0000${n.id}`) && linked.has(`${n.id}\u0000${r}`)));
  const candidates = reachAll.length > 0 ? reachAll : reducers;
  if (candidates.length === 0) {
    throw new WeftInputError(`the schedule has ${agents} in-network agent(s) but topology ${topology.name} has no reduction-capable switch; pick an algorithm without agents`);
  }
  for (let k = 0; k < agents; k++) nodes.push(candidates[k % candidates.length]!.id);
  return nodes;
}

export function layoutOf(topology: Topology): RankLayout {
  return { groups: rankGroups(topology), hasReductionSwitch: hasReductionSwitch(topology) };
}

/** A network factory over @weft/fabric with one router per cluster (routes are cached). */
export function defaultNetworkFactory(): NetworkFactory {
  let router: Router | undefined;
  let routedTopology: Topology | undefined;
  return (topology: Topology, options: NetworkOptions): Network => {
    if (routedTopology !== topology) {
      router = createRouter(topology);
      routedTopology = topology;
    }
    return createNetwork(topology, options, router!);
  };
}

export function applyFaults(network: Network, faults: readonly Fault[] | undefined): void {
  for (const fault of faults ?? []) {
    if (fault.kind === 'failLink') network.failLink(fault.linkId, fault.atNs);
    else network.degradeLink(fault.linkId, fault.factor, fault.atNs);
  }
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
  return (code, src, dst) => {
    let latency = byCode.get(code);
    if (latency === undefined) {
      const { row, name } = protocolFromCode(code)!;
      byCode.set(code, (latency = scheduleProtocol(row, name, layout).stepLatencyNs));
    }
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
): Promise<CoordinatedRun> {
  const network = factory(topology, options);
  applyFaults(network, faults);
  const coordinator = new Coordinator({ engine: new Engine(), network, nodes, nranks: topology.ranks.length, hosts, stepLatencyNs: stepLatencies(topology) });
  const outcome = await coordinator.run();
  return { outcome, network };
}
