/**
 * Every participant in this thread, on one participant host, with byte counts instead of
 * bytes: ghost mode. Same coordinator and executor as data mode, so simulated times are
 * identical; nothing is allocated per rank beyond the executor and its channels. Browser-safe
 * (the lab's composition root can use it as it is).
 */
import type { RankLayout } from '@weft/collectives';
import { validateTopology } from '@weft/fabric';
import { WeftInputError } from '@weft/sim';
import { typedBackend } from '../../backends/typed.js';
import { DirectHost } from '../host/direct-host.js';
import { ParticipantHost } from '../host/participant-host.js';
import { prepareProgramHost, type RankProgram } from '../program/context.js';
import type { HostLink } from '../protocol.js';
import { ScheduleExecutor } from '../schedule/executor.js';
import { checkGhostFootprint } from '../schedule/footprint.js';
import { checkBackend } from '../inputs.js';
import type { ClusterOptions, RankBuffers, StepRecord } from '../types.js';
import { Cluster, type Hosts, type ScheduleRun } from './cluster.js';

export class InProcessHosts implements Hosts {
  readonly mode = 'ghost';
  readonly backend = 'none';
  /** Every run starts from fresh hosts: a failure leaves nothing behind. */
  readonly closeOnFailure = false;
  private trace: StepRecord[] = [];

  /** `resolveModule` turns a program's module reference into what `import()` takes (Node: file paths too). */
  constructor(private readonly resolveModule: (moduleUrl: string | URL) => string = String) {}

  prepareSchedule(run: ScheduleRun): readonly HostLink[] {
    const { schedule, nranks } = run;
    checkGhostFootprint(schedule);
    // Schedules run fused into the coordinator (DirectHost); programs, which await, on a ParticipantHost.
    // With rank classes only the representatives run (schedule/rank-classes.ts).
    const participants = run.classes?.reps ?? schedule.participants.map((_, p) => p);
    const host = new DirectHost(participants);
    this.trace = [];
    const trace = run.trace ? this.trace : null;
    host.setStarters(
      participants.map((participant) => () => {
        const part = schedule.participants[participant]!;
        const { collective, root } = schedule;
        const spec = { participant, nranks, part, collective, root, dtype: run.dtype, op: run.op, iters: run.iters, warmupIters: run.warmupIters, channelBase: 0, trace, localBytesPerSec: run.localBytesPerSec, ...(schedule.protocol ? { protocol: schedule.protocol } : {}), ...(run.approximate ? { approximate: true } : {}) };
        const executor = new ScheduleExecutor(host, spec, null, () => host.finish(participant));
        run.watch?.addExecutor(participant, executor);
        executor.start();
      }),
    );
    return [host];
  }

  async prepareProgram(moduleUrl: string | URL, exportName: string, args: unknown, nranks: number, layout: RankLayout, agentCount: number): Promise<readonly HostLink[]> {
    const href = this.resolveModule(moduleUrl);
    const program = ((await import(href)) as Record<string, unknown>)[exportName];
    if (typeof program !== 'function') throw new WeftInputError(`${href} has no function export '${exportName}'`);
    const ranks = Array.from({ length: nranks }, (_, r) => r);
    const agents = Array.from({ length: agentCount }, (_, k) => nranks + k);
    const host = new ParticipantHost([...ranks, ...agents]);
    prepareProgramHost(host, { nranks, layout, backend: typedBackend, plane: null, agentCount }, ranks, agents, program as RankProgram, args);
    this.trace = [];
    return [host];
  }

  async countWrong(): Promise<number> {
    throw new WeftInputError('check needs data: ghost mode moves no payload; use mode: data to count #wrong');
  }

  async collect(): Promise<{ steps: StepRecord[]; stagingOverflows: number }> {
    const steps = this.trace;
    this.trace = [];
    return { steps, stagingOverflows: 0 };
  }

  buffers(): RankBuffers {
    throw new WeftInputError('ghost mode has no buffers; use mode: data');
  }

  async close(): Promise<void> {}
}

/** A ghost-mode cluster (browser-safe): every participant in this thread, byte counts only. */
export function createGhostCluster(options: ClusterOptions, resolveModule?: (moduleUrl: string | URL) => string): Cluster {
  // Ghost mode reduces nothing, but a backend it would refuse in data mode is refused here too.
  if (options.backend !== undefined) checkBackend(options.backend);
  validateTopology(options.topology);
  return new Cluster(options, new InProcessHosts(resolveModule));
}
