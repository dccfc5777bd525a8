/**
 * Data mode's hosts: ranks in worker threads moving real bytes through shared arenas, and
 * in-network agents in a data host of the main thread. Workers live as long as the cluster,
 * so a sweep reuses them; each run gets a fresh network and engine (core/cluster/cluster.ts).
 * Any failure closes the cluster (every worker is terminated) before the error reaches the
 * caller: a worker stopped mid-round cannot be trusted with the next run.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { elementBytes, type DType, type RankLayout } from '@weft/collectives';
import { WeftInputError } from '@weft/sim';
import { selectBackend } from '../backends/select.js';
import type { NumericArray, TensorBackend } from '../backends/types.js';
import { checkBackend } from '../core/inputs.js';
import { ctorOf, dtypeCode } from '../core/data/data-plane.js';
import { ARENA_MAX_BYTES, ArenaSet, PAGE_BYTES, planArenas, type BufferPlace, type HostNeed, type ParticipantPlace } from '../core/data/arena.js';
import { countsOf, DataHost, schedulePlanBase, type CheckSpec, type HostSchedulePlan } from '../core/host/data-host.js';
import { Cluster, type Hosts, type ScheduleRun } from '../core/cluster/cluster.js';
import type { HostLink } from '../core/protocol.js';
import { DEFAULT_ROUND_TIMEOUT_MS, type DirectHostLink } from '../core/coordinator/coordinator.js';
import { InProcessHosts } from '../core/cluster/in-process-hosts.js';
import { participantFailure, reviveError } from '../core/errors.js';
import { abortFreeRun } from '../core/host/free-run-host.js';
import { freeRunLayout, type FreeRunLayout, type FreeRunPlan } from '../core/host/free-run-plan.js';
import type { ClusterOptions, RankBuffers, StepRecord } from '../core/types.js';
import { nodeOs } from './builtins.js';
import { defaultMemoryBudgetBytes, formatGiB, scheduleBufferBytes } from './memory-budget.js';
import { WorkerLink, type FreeRunReport } from './worker-link.js';
import { lowerBackgroundThreads } from './background-priority.js';

/** Staging each host gets for programs, whose message sizes are not known up front. */
const PROGRAM_STAGING_BYTES = 64 * 2 ** 20;
/** Staging slack beyond one copy of a host's buffers (small messages, rounding to size classes). */
const STAGING_SLACK_BYTES = 2 ** 20;

/**
 * Ranks per worker when the caller does not say: one worker thread per core. A round wakes
 * every worker with a completion, and a woken worker with no core to run on only waits (16
 * ranks on 2 cores: 16 thread wake-ups and 16 module loads instead of 2); the bytes moved
 * are the same however ranks are grouped, and so is the simulated time (the coordinator
 * applies requests in (participant, seq) order, whichever host posted them).
 */
export function defaultRanksPerWorker(nranks: number, cores = nodeOs().availableParallelism()): number {
  return Math.max(1, Math.ceil(nranks / Math.max(1, cores)));
}

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

/** `link` as the coordinator sees a host that also runs `participants` beyond its own ranks. */
function withParticipants(link: HostLink, participants: readonly number[]): HostLink {
  return { participants, start: () => link.start(), wake: (nowNs, completions) => link.wake(nowNs, completions), runningParticipants: () => link.runningParticipants?.() ?? [] };
}

/** Worker threads (and a main-thread host for in-network agents) over shared arenas. */
export class ThreadHosts implements Hosts {
  readonly mode = 'data';
  readonly closeOnFailure = true;
  private readonly arenas = new Arenas();
  private agentHost: DataHost | undefined;
  /** The agent host when the last run had agents. */
  private lastAgents: DataHost | undefined;
  private lastPlaces = new Map<number, ParticipantPlace>();
  private lastDtype: DType = 'float32';
  private lastCounts = { input: 0, output: 0, scratch: 0 };
  private closing: Promise<void> | undefined;
  /** The free run in progress (prepared, or started by the model's start): its control words and the workers' answers. */
  private free: { control: SharedArrayBuffer; nranks: number; running?: Promise<FreeRunReport[]> } | undefined;
  /** The model (the schedule without data, deciding virtual time) of the last free run. */
  private model: InProcessHosts | undefined;

  private constructor(
    private readonly options: ClusterOptions,
    private readonly groups: readonly (readonly number[])[],
    private readonly links: readonly WorkerLink[],
    readonly backend: string,
    private readonly mainBackend: TensorBackend,
    private readonly budgetBytes: number,
  ) {}

  static async start(options: ClusterOptions): Promise<ThreadHosts> {
    const { topology } = options;
    const nranks = topology.ranks.length;
    if (nranks < 1) throw new WeftInputError(`topology ${topology.name} has no ranks`);
    const ranksPerWorker = options.ranksPerWorker ?? defaultRanksPerWorker(nranks);
    if (!(Number.isInteger(ranksPerWorker) && ranksPerWorker >= 1)) {
      throw new WeftInputError(`ranksPerWorker must be an integer >= 1, got ${options.ranksPerWorker}`);
    }
    const budgetBytes = options.memoryBudgetBytes ?? defaultMemoryBudgetBytes();
    const backendChoice = checkBackend(options.backend ?? 'auto');
    const groups: number[][] = [];
    for (let first = 0; first < nranks; first += ranksPerWorker) {
      groups.push(Array.from({ length: Math.min(ranksPerWorker, nranks - first) }, (_, i) => first + i));
    }
    // The workers are the run's critical path: V8's compile and GC helpers take idle cores only.
    if (options.lowerBackgroundThreads !== false) lowerBackgroundThreads();
    const spawned = await Promise.allSettled(groups.map((ranks) => WorkerLink.spawn(ranks, backendChoice, [])));
    const links = spawned.flatMap((s) => (s.status === 'fulfilled' ? [s.value.link] : []));
    const firstFailure = spawned.find((s) => s.status === 'rejected');
    if (firstFailure) {
      await Promise.all(links.map((l) => l.terminate()));
      throw (firstFailure as PromiseRejectedResult).reason;
    }
    const backendName = (spawned[0] as PromiseFulfilledResult<{ backend: string }>).value.backend;
    return new ThreadHosts(options, groups, links, backendName, await selectBackend(backendChoice), budgetBytes);
  }

  close(): Promise<void> {
    // A free run's workers may be waiting on a peer that will never post: stop them first.
    if (this.free) abortFreeRun(this.free.control, this.links.length);
    this.closing ??= Promise.all(this.links.map((l) => l.terminate())).then(() => undefined);
    return this.closing;
  }

  /** Lays out arenas for `needs` and hands new or grown arenas to every host. */
  private async placeHosts(needs: HostNeed[]) {
    let plan: ReturnType<typeof planArenas>;
    let grown: boolean;
    try {
      plan = planArenas(needs, Math.min(this.options.arenaMaxBytes ?? ARENA_MAX_BYTES, ARENA_MAX_BYTES));
      grown = this.arenas.ensure(plan.arenaBytes);
    } catch (error) {
      // The machine refused the shared memory (RangeError: allocation failed): one line, not a stack.
      if (!(error instanceof RangeError)) throw error;
      const bytes = needs.reduce((sum, need) => sum + need.stagingBytes + need.participants.reduce((s, p) => s + p.bytes.reduce((a, b) => a + b, 0), 0), 0);
      throw new WeftInputError(
        `cannot allocate ${formatGiB(bytes)} of shared memory for rank buffers (${error.message}); use ghost mode (--mode ghost, in weft bench and weft train; API: mode: 'ghost') or a smaller size`,
      );
    }
    if (grown) {
      await Promise.all(this.links.map((l) => l.api.setArenas(this.arenas.memories)));
      this.agentHost?.setArenas(this.arenas.memories);
    }
    return plan;
  }

  private agentHostFor(participants: number[]): DataHost {
    if (!this.agentHost || this.agentHost.participants.join() !== participants.join()) {
      this.agentHost = new DataHost(participants, this.mainBackend, this.arenas.memories);
      this.agentHost.setArenas(this.arenas.memories);
    }
    return this.agentHost;
  }

  async prepareSchedule(run: ScheduleRun): Promise<readonly HostLink[]> {
    const { schedule, nranks } = run;
    const bytesPerElement = elementBytes(run.dtype);
    const nparticipants = schedule.participants.length;
    const counts = schedule.bufferCounts;
    const planCounts = { nranks, bufferCounts: counts };
    const participantBytes = (p: number): [number, number, number] => {
      const c = countsOf(planCounts, p);
      return [c.input * bytesPerElement, c.output * bytesPerElement, c.scratch * bytesPerElement];
    };
    const totalBytes = scheduleBufferBytes(schedule, run.dtype, nranks);
    if (totalBytes > this.budgetBytes) {
      throw new WeftInputError(
        `this run needs ${formatGiB(totalBytes)} of rank buffers (${nranks} ranks × input+output+scratch), over the data-mode budget of ${formatGiB(this.budgetBytes)}; use ghost mode to simulate without payload (--mode ghost, in weft bench and weft train; API: mode: 'ghost'), or a smaller size`,
      );
    }
    const agents = Array.from({ length: nparticipants - nranks }, (_, i) => nranks + i);
    const hostParticipants = [...this.groups, ...(agents.length > 0 ? [agents] : [])];
    // In-network agents run in the main thread, round by round; everything else can run free.
    const freeLayout = agents.length === 0 ? freeRunLayout(schedule.participants, bytesPerElement, this.links.length) : null;
    const freeStaging = (participants: readonly number[]) =>
      freeLayout ? participants.reduce((sum, p) => sum + freeLayout.sentBlockBytes[p]!, freeLayout.maxBlockBytes + STAGING_SLACK_BYTES) : 0;
    const needs: HostNeed[] = hostParticipants.map((participants) => {
      const list = participants.map((p) => ({ participant: p, bytes: participantBytes(p) }));
      // Two of its largest buffer per participant cover the eager sends in flight of the
      // registered algorithms (a block is freed when its receiver consumes it); a message
      // that finds the region full still works, in its own SharedArrayBuffer. A free run
      // needs room for one iteration of its sends' lease blocks. Arena pages are only
      // committed when touched, so the reserve costs address space, not memory.
      const own = list.reduce((sum, p) => sum + 2 * Math.max(...p.bytes), 0);
      return { participants: list, stagingBytes: Math.max(own + STAGING_SLACK_BYTES, freeStaging(participants)) };
    });
    const layout = await this.placeHosts(needs);
    const free = freeLayout && layout.hosts.every((place, h) => fitsFreeRun(place, freeStaging(hostParticipants[h]!))) ? this.freePlan(freeLayout) : undefined;
    const base = schedulePlanBase(run);
    const planFor = (h: number): HostSchedulePlan => {
      const place = layout.hosts[h]!;
      return { ...base, parts: place.participants.map((p) => schedule.participants[p.participant]!), places: place.participants, staging: place.staging, ...(free ? { freeRun: { ...free, worker: h } } : {}) };
    };
    this.free = undefined;
    this.model = undefined;
    const hosts: HostLink[] = free ? [this.modelLink(run, free.control)] : [...this.links];
    const prepares: Promise<void>[] = this.links.map((link, h) => link.api.prepareSchedule(planFor(h)));
    this.lastAgents = undefined;
    if (agents.length > 0) {
      this.lastAgents = this.agentHostFor(agents);
      this.lastAgents.prepareSchedule(planFor(this.links.length));
      hosts.push(this.lastAgents.host);
    }
    await Promise.all(prepares);
    this.lastPlaces = new Map(layout.hosts.flatMap((h) => h.participants.map((p) => [p.participant, p] as const)));
    this.lastDtype = run.dtype;
    this.lastCounts = { ...counts };
    if (run.inputs) this.copyInputs(run.inputs, nranks);
    return hosts;
  }

  /** The shared words of a free run over these workers. */
  private freePlan(layout: FreeRunLayout): Omit<FreeRunPlan, 'worker'> {
    const workerOf: number[] = [];
    this.groups.forEach((ranks, w) => ranks.forEach((rank) => (workerOf[rank] = w)));
    return {
      control: new SharedArrayBuffer(layout.controlWords * 4),
      nworkers: this.links.length,
      workerOf,
      connections: layout.connections,
      waitLimitMs: this.options.roundTimeoutMs ?? DEFAULT_ROUND_TIMEOUT_MS,
    };
  }

  /**
   * The model of a free run: the schedule without data in this thread (ghost mode's fused
   * host), deciding virtual time; starting it starts the workers' free runs, which `settle` joins.
   */
  private modelLink(run: ScheduleRun, control: SharedArrayBuffer): HostLink {
    this.model = new InProcessHosts();
    const model = this.model.prepareSchedule(run)[0] as DirectHostLink;
    const free: NonNullable<ThreadHosts['free']> = { control, nranks: run.nranks };
    this.free = free;
    const link: DirectHostLink = {
      participants: model.participants,
      bind: (sink) => model.bind(sink),
      start: () => {
        free.running = Promise.all(this.links.map((l) => l.freeRun()));
        free.running.catch(() => undefined); // joined by settle; a model failure closes the cluster first
        return model.start();
      },
      wake: (nowNs, completions) => model.wake(nowNs, completions),
    };
    return link;
  }

  /** Joins the free run the model started: the first rank whose code threw fails the run with its error. */
  async settle(): Promise<void> {
    const free = this.free;
    if (!free?.running) return;
    const reports = await free.running;
    this.free = undefined;
    const failed = reports.find((r) => r.failure)?.failure;
    if (failed) throw participantFailure(failed.participant, free.nranks, reviveError(failed.error));
    if (reports.some((r) => r.aborted)) throw new Error('a free run was aborted with no rank failing');
  }

  async prepareProgram(moduleUrl: string | URL, exportName: string, args: unknown, nranks: number, layout: RankLayout, agentCount: number): Promise<readonly HostLink[]> {
    const places = await this.placeHosts(this.groups.map(() => ({ participants: [], stagingBytes: PROGRAM_STAGING_BYTES })));
    const url = moduleHref(moduleUrl);
    // The agents run in rank 0's worker, where rank 0 starts them (ProgramAgents) and stages their sends.
    const agents = Array.from({ length: agentCount }, (_, k) => nranks + k);
    const agentsOf = (h: number) => (h === 0 ? agents : []);
    await Promise.all(this.links.map((l, h) => l.api.prepareProgram(url, exportName, args, nranks, layout, places.hosts[h]!.staging as BufferPlace, agentCount, agentsOf(h))));
    this.lastAgents = undefined;
    return this.links.map((link, h) => (agentsOf(h).length === 0 ? link : withParticipants(link, [...link.participants, ...agents])));
  }

  /** #wrong, counted by every worker over its own ranks in parallel (core/data/test-pattern.ts). */
  async countWrong(spec: CheckSpec): Promise<number> {
    const counts = await Promise.all(this.links.map((l) => l.api.check(spec)));
    return counts.reduce((a, b) => a + b, 0);
  }

  async collect(trace: boolean): Promise<{ steps: StepRecord[]; stagingOverflows: number }> {
    const model = this.model;
    this.model = undefined;
    const agents = this.lastAgents;
    const stats = await Promise.all(this.links.map((l) => l.api.stats()));
    if (agents) stats.push(agents.stats());
    const stagingOverflows = stats.reduce((n, s) => n + s.stagingOverflowMessages, 0);
    if (!trace) return { steps: [], stagingOverflows };
    // A free run's steps are the model's: virtual time is all a step record holds.
    if (model) return { steps: (await model.collect()).steps, stagingOverflows };
    const steps = (await Promise.all(this.links.map((l) => l.api.takeTrace()))).flat();
    if (agents) steps.push(...agents.takeTrace());
    return { steps, stagingOverflows };
  }

  private viewFor(rank: number, which: 'input' | 'output' | 'scratch'): NumericArray {
    const nranks = this.options.topology.ranks.length;
    const place = this.lastPlaces.get(rank);
    if (!place) throw new WeftInputError(`no buffers for rank ${rank}: run a schedule first (ranks 0..${nranks - 1})`);
    if (!(rank >= 0 && rank < nranks)) throw new WeftInputError(`rank must be in 0..${nranks - 1}, got ${rank}`);
    return new ArenaSet(this.arenas.memories).view(place[which], ctorOf(dtypeCode(this.lastDtype)), this.lastCounts[which]);
  }

  private copyInputs(inputs: readonly NumericArray[], nranks: number): void {
    if (inputs.length !== nranks) throw new WeftInputError(`inputs: expected one array per rank (${nranks}), got ${inputs.length}`);
    inputs.forEach((data, rank) => {
      const view = this.viewFor(rank, 'input');
      if (data.length !== view.length) throw new WeftInputError(`inputs[${rank}] has ${data.length} elements; the schedule's input buffer has ${view.length}`);
      view.set(data as never);
    });
  }

  buffers(rank: number): RankBuffers {
    return { input: this.viewFor(rank, 'input'), output: this.viewFor(rank, 'output'), scratch: this.viewFor(rank, 'scratch') };
  }
}

/** Whether a host placed in an arena, buffers included, has the staging a free run needs. */
function fitsFreeRun(place: { participants: readonly ParticipantPlace[]; staging: BufferPlace }, stagingBytes: number): boolean {
  const inArena = (p: BufferPlace) => p.arena >= 0;
  return inArena(place.staging) && place.staging.bytes >= stagingBytes && place.participants.every((p) => inArena(p.input) && inArena(p.output) && inArena(p.scratch));
}

/** A data-mode cluster: worker threads over shared arenas. */
export async function createDataCluster(options: ClusterOptions): Promise<Cluster> {
  return new Cluster(options, await ThreadHosts.start(options));
}
