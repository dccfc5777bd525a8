/**
 * One lab run: the CLI's sweep for the busbw plot (same code, same numbers as `weft bench`),
 * then, per algorithm, one traced run at the focus size that the topology, timeline and
 * buffer views replay. Ghost mode: byte counts, no payload, so it runs in any worker; its
 * simulated times are those of data mode (same coordinator and executor).
 */
import {
  channelRings,
  channelTrees,
  countForBytes,
  getAlgorithm,
  type Algorithm,
  type Schedule,
} from '@weft/collectives';
import type { BenchAlgorithm, BenchReport, BenchRow } from '@weft/cli';
import { planParams, resolveAlgorithm, resolveFaults, runSweep } from '@weft/cli/sweep';
import { alphaBetaCost, parseTopologySpec, rankLayout, type Topology } from '@weft/fabric';
import { createGhostCluster, type Cluster, type Fault, type RunResult, type StepRecord } from '@weft/runtime/core';
import type { GridResult } from './buffers.js';
import { benchConfig, type LabConfig } from './config.js';
import { contributionInputs, dataGridLimit, dataGridRecorder } from './data-grid.js';
import { createPageDataCluster } from './page-data-hosts.js';

export interface LinkTrace {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly bandwidthGBps: number;
  readonly utilization: number;
  readonly bytesCarried: number;
  /** [timeNs, fraction of capacity in use] at each change. */
  readonly timeline: readonly (readonly [number, number])[];
}

/** One transfer of the traced run, for the chunks moving along the topology's links. */
export interface Transfer {
  readonly src: string;
  readonly startNs: number;
  /** When its last byte arrived (or the run's end, if a failure stranded it). */
  readonly endNs: number;
  /** The nodes of its (first) path, source to destination. */
  readonly hops: readonly string[];
}

/** Transfers kept per detail: enough for every view at lab scale, bounded for big runs. */
export const MAX_TRANSFERS = 20_000;

/** The traced run of one algorithm at the focus size. */
export interface Detail {
  readonly algorithm: string;
  readonly bytes: number;
  readonly count: number;
  readonly channels: number;
  /** The NCCL protocol it ran (LL, LL128, Simple); null for textbook algorithms (as a row's `protocol`). */
  readonly protocol: string | null;
  readonly timeNs: number;
  readonly predictedNs: number;
  readonly events: number;
  readonly steps: readonly StepRecord[];
  readonly transfers: readonly Transfer[];
  readonly links: readonly LinkTrace[];
  /** Ring order of each channel and tree parents (NCCL's channels for this topology). */
  readonly rings: readonly (readonly number[])[];
  readonly treeParents: readonly (readonly number[])[];
  readonly schedule: Schedule;
  /** Transfers that a failed link stranded (the run then never completes). */
  readonly stranded: number;
  readonly error?: string;
  /** Data mode: the buffer grid read from the run's real bytes (else the views replay the schedule). */
  readonly grid?: GridResult;
}

export interface LabRun {
  readonly config: LabConfig;
  readonly topology: Pick<Topology, 'nodes' | 'links' | 'ranks' | 'name'>;
  /** The alpha-beta terms predictions use: α (ns per message) and β (ns per byte). */
  readonly alphaNs: number;
  readonly betaNsPerByte: number;
  readonly rows: readonly BenchRow[];
  /** With faults: what they did to each run of the sweep (as `weft bench` reports them; rows hold the runs that completed). */
  readonly faults?: BenchReport['faults'];
  readonly details: readonly Detail[];
  readonly wallMs: number;
}

const algorithmsOf = (config: LabConfig, extra: readonly Algorithm[]): BenchAlgorithm[] => [
  ...config.algorithms.map((name) => ({ name, algorithm: getAlgorithm(config.collective, name), fromAll: false })),
  ...extra.map((algorithm) => ({ name: algorithm.name, algorithm, fromAll: false })),
];

/** A traced run's cluster, its inputs, and its buffer grid once it has run (undefined: replay the schedule). */
interface Traced {
  readonly cluster: Cluster;
  readonly inputs?: Float32Array[];
  readonly grid: () => GridResult | undefined;
}

const networkOf = (config: LabConfig) => ({ model: config.network, routing: config.routing, qps: config.qps, seed: config.seed, record: 'full' as const });

/**
 * Ghost mode: byte counts. Data mode: real bytes in this worker, rank r's input 2^r so that
 * the grid reads from the bytes which ranks' contributions each block holds (when it can:
 * dataGridLimit); the simulated time is the sweep's (same coordinator, same bytes on the wire).
 */
function tracedCluster(config: LabConfig, topology: Topology, schedule: Schedule): Traced {
  if (config.mode === 'ghost') return { cluster: createGhostCluster({ topology, network: networkOf(config), mode: 'ghost' }), grid: () => undefined };
  const { cluster, hosts } = createPageDataCluster({ topology, network: networkOf(config) });
  const limit = dataGridLimit(schedule);
  if (limit !== null) return { cluster, grid: () => ({ ok: false, reason: limit }) };
  const recorder = dataGridRecorder(schedule);
  hosts.observe = recorder.observe;
  return { cluster, inputs: contributionInputs(schedule.nranks, schedule.bufferCounts.input), grid: recorder.result };
}

/** The traced run of `entry` at `bytes`, with the run's faults (if they stop it: the fault-free run, and why). */
export async function detailRun(config: LabConfig, topology: Topology, algorithm: Algorithm, bytes: number): Promise<Detail> {
  const nranks = topology.ranks.length;
  const cost = alphaBetaCost(topology);
  const count = countForBytes(config.collective, bytes, 'float32', nranks);
  // As the sweep resolves it (channels, and the protocol NCCL's tuner would run at this size).
  const resolved = resolveAlgorithm(benchConfig(config, [], [bytes]), { name: algorithm.name, algorithm, fromAll: false }, planParams(benchConfig(config, [], [bytes]), topology, count), cost);
  const params = resolved.params;
  const schedule = algorithm.plan(params);
  const traced = tracedCluster(config, topology, schedule);
  const run = (cluster: Cluster, faults: readonly Fault[]) =>
    cluster.runSchedule(schedule, { dtype: 'float32', op: 'sum', check: false, trace: true, faults, ...(traced.inputs ? { inputs: traced.inputs } : {}) });
  let result: RunResult;
  // A run the faults stop (a failed link strands a transfer) shows the fault-free run and why.
  let error: string | undefined;
  const faults = config.faults ? resolveFaults(config.faults, topology) : [];
  try {
    result = await run(traced.cluster, faults);
  } catch (e) {
    if (faults.length === 0) throw e;
    error = (e as Error).message.split('\n')[0];
    result = await run(createGhostCluster({ topology, network: networkOf(config), mode: 'ghost' }), []);
  }
  const grid = error === undefined ? traced.grid() : undefined;
  const layout = rankLayout(topology);
  const linkById = new Map(topology.links.map((l) => [l.id, l]));
  return {
    algorithm: algorithm.name,
    bytes,
    count,
    channels: params.channels,
    protocol: params.protocol ?? null,
    timeNs: result.timeNs,
    predictedNs: resolved.predictedNs,
    events: result.events,
    steps: result.steps,
    transfers: result.flows.slice(0, MAX_TRANSFERS).map((f) => {
      const path = (f.paths[0] ?? []).map((id) => linkById.get(id)!);
      return { src: f.srcNode, startNs: f.startNs, endNs: f.deliveredNs ?? result.timeNs, hops: path.length ? [path[0]!.from, ...path.map((l) => l.to)] : [f.srcNode, f.dstNode] };
    }),
    links: result.linkStats.map((l) => ({
      id: l.linkId,
      from: l.from,
      to: l.to,
      bandwidthGBps: l.bandwidthBytesPerSec / 1e9,
      utilization: l.utilization,
      bytesCarried: Math.round(l.bytesCarried),
      timeline: l.utilizationTimeline,
    })),
    rings: channelRings(layout, nranks, params.channels),
    treeParents: channelTrees(layout, nranks, params.channels).map((t) => [...t.parent]),
    schedule,
    stranded: result.flows.filter((f) => f.stranded).length,
    ...(error !== undefined ? { error } : {}),
    ...(grid !== undefined ? { grid } : {}),
  };
}

/** The whole run: the sweep rows and one detail per algorithm. `extra`: a student's algorithms. */
export async function runLab(config: LabConfig, extra: readonly Algorithm[] = []): Promise<LabRun> {
  const start = performance.now();
  const topology = parseTopologySpec(config.topology);
  const algorithms = algorithmsOf(config, extra);
  const { report } = await runSweep(benchConfig(config, algorithms, config.sizesBytes), topology);
  const details: Detail[] = [];
  for (const { algorithm } of algorithms) {
    if (algorithm !== 'auto') details.push(await detailRun(config, topology, algorithm, config.focusBytes));
  }
  const cost = alphaBetaCost(topology);
  return {
    config,
    topology: { name: topology.name, nodes: topology.nodes, links: topology.links, ranks: topology.ranks },
    alphaNs: cost.alphaNs,
    betaNsPerByte: 1e9 / cost.bandwidthBytesPerSec,
    rows: report.rows,
    ...(report.faults ? { faults: report.faults } : {}),
    details,
    wallMs: performance.now() - start,
  };
}
