/**
 * Data mode: ranks in worker threads moving real bytes through shared arenas, coordinated
 * from the main thread. Workers live as long as the cluster, so a sweep reuses them; each
 * run gets a fresh network and engine. Any failure closes the cluster (every worker is
 * terminated) before the error reaches the caller.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { elementBytes, type DType, type Schedule } from '@weft/collectives';
import { WeftInputError } from '@weft/sim';
import { selectBackend } from '../backends/select.js';
import type { BackendChoice, NumericArray } from '../backends/types.js';
import { ctorOf, dtypeCode } from '../core/data/data-plane.js';
import { ARENA_MAX_BYTES, ArenaSet, PAGE_BYTES, planArenas, type BufferPlace, type HostNeed, type ParticipantPlace } from '../core/data/arena.js';
import { countsOf, hasSharedExpectation, DataHost, type CheckSpec, type HostSchedulePlan } from '../core/host/data-host.js';
import type { HostLink } from '../core/protocol.js';
import { checkIters, coordinate, defaultNetworkFactory, iterationTimeNs, layoutOf, participantNodes, sortSteps, validateSchedule } from '../core/coordinator/simulation.js';
import type { Cluster, ClusterOptions, ProgramResult, RankBuffers, RunProgramOptions, RunResult, RunScheduleOptions, StepRecord } from '../core/types.js';
import { defaultMemoryBudgetBytes, formatGiB } from './memory-budget.js';
import { WorkerLink } from './worker-link.js';

/** Staging each host gets for programs, whose message sizes are not known up front. */
const PROGRAM_STAGING_BYTES = 64 * 2 ** 20;
/** Staging slack beyond one copy of a host's buffers (small messages, rounding to size classes). */
const STAGING_SLACK_BYTES = 2 ** 20;

/** Shared arenas owned by the main thread; grown (never shrunk) as runs need more. */
class Arenas {
  readonly memories: WebAssembly.Memory[] = [];

  /** Makes arena i hold at least bytes[i]; true when workers must re-read the list. */
  ensure(bytes: readonly number[]): boolean {
    let changed = false;
    bytes.forEach((needed, i) => {
      const pages = Math.max(1, Math.ceil(needed / PAGE_BYTES));
      const memory = this.memories[i];
      if (memory === undefined) {
        this.memories.push(new WebAssembly.Memory({ initial: pages, maximum: ARENA_MAX_BYTES / PAGE_BYTES, shared: true }));
        changed = true;
      } else {
        const have = memory.buffer.byteLength / PAGE_BYTES;
        if (pages > have) {
          memory.grow(pages - have);
          changed = true;
        }
      }
    });
    return changed;
  }
}

/** A module URL workers can import: URLs as they are, file paths resolved from the cwd. */
export function moduleHref(moduleUrl: string | URL): string {
  const text = String(moduleUrl);
  return /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : pathToFileURL(resolve(text)).href;
}

export async function createDataCluster(options: ClusterOptions): Promise<Cluster> {
  const { topology } = options;
  const nranks = topology.ranks.length;
  if (nranks < 1) throw new WeftInputError(`topology ${topology.name} has no ranks`);
  const ranksPerWorker = options.ranksPerWorker ?? 1;
  if (!(Number.isInteger(ranksPerWorker) && ranksPerWorker >= 1)) {
    throw new WeftInputError(`ranksPerWorker must be an integer >= 1, got ${options.ranksPerWorker}`);
  }
  const budgetBytes = options.memoryBudgetBytes ?? defaultMemoryBudgetBytes();
  const backendChoice: BackendChoice = options.backend ?? 'auto';
  const factory = options.networkFactory ?? defaultNetworkFactory();
  const arenas = new Arenas();
  const groups: number[][] = [];
  for (let first = 0; first < nranks; first += ranksPerWorker) {
    groups.push(Array.from({ length: Math.min(ranksPerWorker, nranks - first) }, (_, i) => first + i));
  }
  const spawned = await Promise.allSettled(groups.map((ranks) => WorkerLink.spawn(ranks, backendChoice, arenas.memories)));
  const links = spawned.flatMap((s) => (s.status === 'fulfilled' ? [s.value.link] : []));
  const firstFailure = spawned.find((s) => s.status === 'rejected');
  if (firstFailure) {
    await Promise.all(links.map((l) => l.terminate()));
    throw (firstFailure as PromiseRejectedResult).reason;
  }
  const backendName = (spawned[0] as PromiseFulfilledResult<{ backend: string }>).value.backend;
  const mainBackend = await selectBackend(backendChoice);
  let agentRuntime: DataHost | undefined;
  let lastPlaces = new Map<number, ParticipantPlace>();
  let lastDtype: DType = 'float32';
  let lastCounts = { input: 0, output: 0, scratch: 0 };
  let closed: Error | null = null;
  let closing: Promise<void> | undefined;

  const close = (): Promise<void> => {
    closing ??= (async () => {
      closed ??= new Error('this cluster is closed');
      await Promise.all(links.map((l) => l.terminate()));
    })();
    return closing;
  };

  /** Runs `body`; on any error terminates every worker first, then rethrows. */
  const guarded = async <T>(body: () => Promise<T>): Promise<T> => {
    if (closed) throw closed;
    try {
      return await body();
    } catch (error) {
      closed = new Error(`this cluster was closed after an error: ${(error as Error).message}`);
      await close();
      throw error;
    }
  };

  /** Lays out arenas for `needs` and hands new or grown arenas to every host. */
  const placeHosts = async (needs: HostNeed[]) => {
    const plan = planArenas(needs, Math.min(options.arenaMaxBytes ?? ARENA_MAX_BYTES, ARENA_MAX_BYTES));
    if (arenas.ensure(plan.arenaBytes)) {
      await Promise.all(links.map((l) => l.api.setArenas(arenas.memories)));
      agentRuntime?.setArenas(arenas.memories);
    }
    return plan;
  };

  const mainHostFor = (participants: number[]): DataHost => {
    if (!agentRuntime || agentRuntime.participants.join() !== participants.join()) {
      agentRuntime = new DataHost(participants, mainBackend, arenas.memories);
      agentRuntime.setArenas(arenas.memories);
    }
    return agentRuntime;
  };

  const runSchedule = (schedule: Schedule, run: RunScheduleOptions): Promise<RunResult> =>
    guarded(async () => {
      const wallStart = performance.now();
      validateSchedule(schedule, nranks);
      const { iters, warmupIters } = checkIters(run.iters, run.warmupIters);
      const check = run.check ?? run.inputs === undefined;
      if (check && run.inputs) throw new WeftInputError('check compares against the test pattern; it cannot check caller-provided inputs');
      const bytesPerElement = elementBytes(run.dtype);
      const nparticipants = schedule.participants.length;
      const counts = schedule.bufferCounts;
      const planCounts = { nranks, bufferCounts: counts };
      const participantBytes = (p: number): [number, number, number] => {
        const c = countsOf(planCounts, p);
        return [c.input * bytesPerElement, c.output * bytesPerElement, c.scratch * bytesPerElement];
      };
      let totalBytes = 0;
      for (let p = 0; p < nparticipants; p++) for (const b of participantBytes(p)) totalBytes += b;
      if (totalBytes > budgetBytes) {
        throw new WeftInputError(
          `this run needs ${formatGiB(totalBytes)} of rank buffers (${nranks} ranks × input+output+scratch), over the data-mode budget of ${formatGiB(budgetBytes)}; use mode: 'ghost' to simulate without payload, or a smaller size`,
        );
      }
      const agents = Array.from({ length: nparticipants - nranks }, (_, i) => nranks + i);
      const hostParticipants = [...groups, ...(agents.length > 0 ? [agents] : [])];
      const needs: HostNeed[] = hostParticipants.map((participants) => {
        const list = participants.map((p) => ({ participant: p, bytes: participantBytes(p) }));
        // Two of its largest buffer per participant cover the eager sends in flight of the
        // registered algorithms (a block is freed when its receiver consumes it); a message
        // that finds the region full still works, in its own SharedArrayBuffer. Arena pages
        // are only committed when touched, so the reserve costs address space, not memory.
        const own = list.reduce((sum, p) => sum + 2 * Math.max(...p.bytes), 0);
        return { participants: list, stagingBytes: own + STAGING_SLACK_BYTES };
      });
      const layout = await placeHosts(needs);
      const nodes = participantNodes(topology, nparticipants);
      const base = {
        collective: schedule.collective,
        root: schedule.root,
        count: schedule.count,
        nranks,
        dtype: run.dtype,
        op: run.op,
        iters,
        warmupIters,
        trace: run.trace === true,
        bufferCounts: counts,
        fill: run.inputs ? ('none' as const) : ('pattern' as const),
      };
      const planFor = (h: number): HostSchedulePlan => {
        const place = layout.hosts[h]!;
        return { ...base, parts: place.participants.map((p) => schedule.participants[p.participant]!), places: place.participants, staging: place.staging };
      };
      const hosts: HostLink[] = [...links];
      const prepares: Promise<void>[] = links.map((link, h) => link.api.prepareSchedule(planFor(h)));
      let agentHost: DataHost | undefined;
      if (agents.length > 0) {
        agentHost = mainHostFor(agents);
        agentHost.prepareSchedule(planFor(links.length));
        hosts.push(agentHost.host);
      }
      await Promise.all(prepares);
      lastPlaces = new Map(layout.hosts.flatMap((h) => h.participants.map((p) => [p.participant, p] as const)));
      lastDtype = run.dtype;
      lastCounts = { ...counts };
      if (run.inputs) copyInputs(run.inputs);
      const simulateStart = performance.now();
      const { outcome, network } = await coordinate(factory, topology, options.network, nodes, hosts, run.faults);
      const checkStart = performance.now();
      const spec = { collective: schedule.collective, op: run.op, dtype: run.dtype, nranks, root: schedule.root, count: schedule.count };
      const wrong = check ? await countWrong(spec, counts.output) : -1;
      const checkEnd = performance.now();
      const stats = await Promise.all(links.map((l) => l.api.stats()));
      if (agentHost) stats.push(agentHost.stats());
      const stagingOverflows = stats.reduce((n, s) => n + s.stagingOverflowMessages, 0);
      let steps: StepRecord[] = [];
      if (run.trace) {
        steps = (await Promise.all(links.map((l) => l.api.takeTrace()))).flat();
        if (agentHost) steps.push(...agentHost.takeTrace());
        sortSteps(steps);
      }
      return {
        timeNs: iterationTimeNs(outcome, iters),
        wrong,
        wallMs: performance.now() - wallStart,
        phasesMs: { prepareMs: simulateStart - wallStart, simulateMs: checkStart - simulateStart, checkMs: checkEnd - checkStart },
        backend: backendName,
        linkStats: network.linkStats(),
        flows: network.flows(),
        steps,
        events: outcome.events,
        rounds: outcome.rounds,
        stagingOverflows,
      };
    });

  /**
   * Expected outputs come from @weft/collectives' expectedOutput, one call per element. When
   * every rank expects the same array, the hosts fill disjoint ranges of one shared array in
   * parallel, and it is kept for the next run of the same shape (a sweep over algorithms).
   */
  let sharedExpected: { key: string; sab: SharedArrayBuffer } | undefined;
  const countWrong = async (spec: CheckSpec, outputCount: number): Promise<number> => {
    let shared: SharedArrayBuffer | undefined;
    if (hasSharedExpectation(spec)) {
      const key = JSON.stringify(spec);
      if (sharedExpected?.key !== key) {
        const sab = new SharedArrayBuffer(Math.max(8, outputCount * 8));
        const per = Math.ceil(outputCount / links.length);
        await Promise.all(links.map((l, w) => l.api.fillShared(spec, sab, Math.min(outputCount, w * per), Math.min(outputCount, (w + 1) * per))));
        sharedExpected = { key, sab };
      }
      shared = sharedExpected.sab;
    }
    const counts = await Promise.all(links.map((l) => l.api.check(spec, shared)));
    return counts.reduce((a, b) => a + b, 0);
  };

  const viewFor = (rank: number, which: 'input' | 'output' | 'scratch'): NumericArray => {
    const place = lastPlaces.get(rank);
    if (!place) throw new WeftInputError(`no buffers for rank ${rank}: run a schedule first (ranks 0..${nranks - 1})`);
    if (!(rank >= 0 && rank < nranks)) throw new WeftInputError(`rank must be in 0..${nranks - 1}, got ${rank}`);
    return new ArenaSet(arenas.memories).view(place[which], ctorOf(dtypeCode(lastDtype)), lastCounts[which]);
  };

  const copyInputs = (inputs: readonly NumericArray[]) => {
    if (inputs.length !== nranks) throw new WeftInputError(`inputs: expected one array per rank (${nranks}), got ${inputs.length}`);
    inputs.forEach((data, rank) => {
      const view = viewFor(rank, 'input');
      if (data.length !== view.length) throw new WeftInputError(`inputs[${rank}] has ${data.length} elements; the schedule's input buffer has ${view.length}`);
      view.set(data as never);
    });
  };

  const runProgram = <T>(moduleUrl: string | URL, exportName: string, args?: unknown, runOptions?: RunProgramOptions): Promise<ProgramResult<T>> =>
    guarded(async () => {
      const wallStart = performance.now();
      const layout = await placeHosts(groups.map(() => ({ participants: [], stagingBytes: PROGRAM_STAGING_BYTES })));
      const rankLayout = layoutOf(topology);
      const url = moduleHref(moduleUrl);
      await Promise.all(links.map((l, h) => l.api.prepareProgram(url, exportName, args, nranks, rankLayout, layout.hosts[h]!.staging as BufferPlace)));
      const simulateStart = performance.now();
      const { outcome, network } = await coordinate(factory, topology, options.network, participantNodes(topology, nranks), links, runOptions?.faults);
      const end = performance.now();
      return {
        results: outcome.values as T[],
        timeNs: outcome.endNs - outcome.startNs,
        wallMs: end - wallStart,
        phasesMs: { prepareMs: simulateStart - wallStart, simulateMs: end - simulateStart, checkMs: 0 },
        backend: backendName,
        linkStats: network.linkStats(),
        flows: network.flows(),
        events: outcome.events,
        rounds: outcome.rounds,
        stagingOverflows: (await Promise.all(links.map((l) => l.api.stats()))).reduce((n, s) => n + s.stagingOverflowMessages, 0),
      };
    });

  return {
    mode: 'data',
    nranks,
    topology,
    backend: backendName,
    runSchedule,
    runProgram,
    buffers(rank: number): RankBuffers {
      return { input: viewFor(rank, 'input'), output: viewFor(rank, 'output'), scratch: viewFor(rank, 'scratch') };
    },
    close,
  };
}
