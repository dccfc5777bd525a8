/**
 * Data mode in a browser worker: every rank's buffers in one (non-shared) WebAssembly memory
 * of this worker, real bytes moved and reduced by the runtime's own DataHost and executor.
 * The CLI spreads ranks over worker threads; here they share one thread, which changes the
 * wall time only: the coordinator, the network and so the simulated times are the same.
 *
 * `observe` sees every rank's buffers after each round of the run (the coordinator wakes the
 * host at each completion time), so the buffer grid shows what the bytes really held.
 */
import { elementBytes } from '@weft/collectives';
import {
  ArenaSet,
  Cluster,
  DataHost,
  PAGE_BYTES,
  countsOf,
  ctorOf,
  dtypeCode,
  formatGiB,
  scheduleBufferBytes,
  planArenas,
  schedulePlanBase,
  typedBackend,
  type CheckSpec,
  type Completion,
  type ClusterOptions,
  type HostLink,
  type HostSchedulePlan,
  type Hosts,
  type RankBuffers,
  type ScheduleRun,
  type StepRecord,
} from '@weft/runtime/core';
import { WeftInputError } from '@weft/sim';

/**
 * Called after the round at `nowNs` with a view of rank `r`'s buffers (valid during the call
 * only) and the participants the round woke: only theirs can have changed (a message lands
 * when its receiver's recv completes); null at the start, before which nothing ran.
 */
export type RoundObserver = (nowNs: number, buffersOf: (rank: number) => RankBuffers, woken: readonly number[] | null) => void;

/** Data mode in a page holds every rank's buffers in one worker's memory: at most this much. */
export const PAGE_DATA_BUDGET_BYTES = 512 * 2 ** 20;

/**
 * Staging beyond two copies of a participant's largest buffer (as the CLI's data hosts): a
 * message that finds staging full would need a SharedArrayBuffer, which a page that is not
 * cross-origin isolated does not have.
 */
const STAGING_SLACK_BYTES = 1 << 20;

export class PageDataHosts implements Hosts {
  readonly mode = 'data';
  readonly backend = typedBackend.name;
  readonly closeOnFailure = false;
  observe: RoundObserver | null = null;
  private host: DataHost | undefined;
  private places = new Map<number, HostSchedulePlan['places'][number]>();
  private last: { readonly run: ScheduleRun; readonly memories: readonly WebAssembly.Memory[] } | undefined;

  prepareSchedule(run: ScheduleRun): readonly HostLink[] {
    const { schedule, nranks } = run;
    const total = scheduleBufferBytes(schedule, run.dtype, nranks);
    if (total > PAGE_DATA_BUDGET_BYTES) {
      throw new WeftInputError(`data mode in the lab holds every rank's buffers in one worker, at most ${formatGiB(PAGE_DATA_BUDGET_BYTES)}; this run needs ${formatGiB(total)}: pick mode ghost (same simulated times) or a smaller size`);
    }
    const bytes = elementBytes(run.dtype);
    const plan = { nranks, bufferCounts: schedule.bufferCounts };
    const participants = schedule.participants.map((_, p) => {
      const c = countsOf(plan, p);
      return { participant: p, bytes: [c.input * bytes, c.output * bytes, c.scratch * bytes] as [number, number, number] };
    });
    const staging = participants.reduce((sum, p) => sum + 2 * Math.max(...p.bytes), STAGING_SLACK_BYTES);
    const layout = planArenas([{ participants, stagingBytes: staging }]);
    // Fresh memory per run: zeroed, so nothing of a previous run shows in the buffers.
    const memories = layout.arenaBytes.map((b) => new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(b / PAGE_BYTES)) }));
    const host = new DataHost(participants.map((p) => p.participant), typedBackend, memories);
    const place = layout.hosts[0]!;
    const hostPlan: HostSchedulePlan = { ...schedulePlanBase(run), parts: schedule.participants, places: place.participants, staging: place.staging };
    host.prepareSchedule(hostPlan);
    this.host = host;
    this.places = new Map(place.participants.map((p) => [p.participant, p]));
    this.last = { run, memories };
    run.inputs?.forEach((data, rank) => {
      const view = this.buffers(rank).input;
      if (data.length !== view.length) throw new WeftInputError(`inputs[${rank}] has ${data.length} elements; the schedule's input buffer has ${view.length}`);
      view.set(data as never);
    });
    return [this.observed(host)];
  }

  /** The data host's link, with the observer called after each round it runs. */
  private observed(host: DataHost): HostLink {
    const after = <T>(nowNs: number, woken: readonly Completion[] | null, report: T | Promise<T>): T | Promise<T> => {
      if (this.observe === null) return report;
      const seen = (r: T): T => {
        this.observe?.(nowNs, (rank) => this.buffers(rank), woken && [...new Set(woken.map((c) => c.participant))]);
        return r;
      };
      return report instanceof Promise ? report.then(seen) : seen(report);
    };
    return {
      participants: host.host.participants,
      start: () => after(0, null, host.host.start()),
      wake: (nowNs, completions) => after(nowNs, completions, host.host.wake(nowNs, completions)),
    };
  }

  prepareProgram(): never {
    throw new WeftInputError('the lab runs schedules (collectives), not rank programs');
  }

  async countWrong(spec: CheckSpec): Promise<number> {
    return this.current().check(spec);
  }

  async collect(trace: boolean): Promise<{ steps: StepRecord[]; stagingOverflows: number }> {
    const host = this.current();
    return { steps: trace ? host.takeTrace() : [], stagingOverflows: host.stats().stagingOverflowMessages };
  }

  buffers(rank: number): RankBuffers {
    const place = this.places.get(rank);
    if (!place || !this.last) throw new WeftInputError(`no buffers for rank ${rank}: run a schedule first`);
    const { run, memories } = this.last;
    const arenas = new ArenaSet(memories);
    const ctor = ctorOf(dtypeCode(run.dtype));
    const counts = countsOf({ nranks: run.nranks, bufferCounts: run.schedule.bufferCounts }, rank);
    return { input: arenas.view(place.input, ctor, counts.input), output: arenas.view(place.output, ctor, counts.output), scratch: arenas.view(place.scratch, ctor, counts.scratch) };
  }

  private current(): DataHost {
    if (!this.host) throw new WeftInputError('no schedule has run yet');
    return this.host;
  }

  async close(): Promise<void> {
    this.host = undefined;
    this.last = undefined;
  }
}

/** A data-mode cluster in this worker (every rank here, real bytes). */
export function createPageDataCluster(options: ClusterOptions): { cluster: Cluster; hosts: PageDataHosts } {
  const hosts = new PageDataHosts();
  return { cluster: new Cluster({ ...options, mode: 'data' }, hosts), hosts };
}
