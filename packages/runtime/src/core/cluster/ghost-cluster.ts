/**
 * Ghost mode: every participant in-process on one host, byte counts instead of bytes. Same
 * coordinator and executor as data mode, so simulated times are identical; nothing is
 * allocated per rank beyond the executor and its channels.
 */
import type { Schedule } from '@weft/collectives';
import { WeftInputError } from '@weft/sim';
import { typedBackend } from '../../backends/typed.js';
import { ScheduleExecutor } from '../schedule/executor.js';
import { ParticipantHost } from '../host/participant-host.js';
import { startProgram, type RankProgram } from '../program/context.js';
import { checkIters, coordinate, defaultNetworkFactory, iterationTimeNs, layoutOf, participantNodes, sortSteps, validateSchedule } from '../coordinator/simulation.js';
import type { Cluster, ClusterOptions, ProgramResult, RankBuffers, RunProgramOptions, RunResult, RunScheduleOptions, StepRecord } from '../types.js';

export function createGhostCluster(options: ClusterOptions): Cluster {
  const { topology } = options;
  const nranks = topology.ranks.length;
  const factory = options.networkFactory ?? defaultNetworkFactory();
  let closed = false;
  const ensureOpen = () => {
    if (closed) throw new Error('this cluster is closed');
  };

  return {
    mode: 'ghost',
    nranks,
    topology,
    backend: 'none',
    async runSchedule(schedule: Schedule, run: RunScheduleOptions): Promise<RunResult> {
      ensureOpen();
      const wallStart = performance.now();
      validateSchedule(schedule, nranks);
      if (run.check) throw new WeftInputError('check needs data: ghost mode moves no payload; use mode: data to count #wrong');
      const { iters, warmupIters } = checkIters(run.iters, run.warmupIters);
      const nparticipants = schedule.participants.length;
      const nodes = participantNodes(topology, nparticipants);
      const host = new ParticipantHost(Array.from({ length: nparticipants }, (_, p) => p));
      const trace: StepRecord[] | null = run.trace ? [] : null;
      host.setStarters(
        schedule.participants.map((part, participant) => () => {
          const spec = { participant, nranks, part, collective: schedule.collective, root: schedule.root, dtype: run.dtype, op: run.op, iters, warmupIters, channelBase: 0, trace };
          new ScheduleExecutor(host, spec, null, () => host.finish(participant)).start();
        }),
      );
      const simulateStart = performance.now();
      const { outcome, network } = await coordinate(factory, topology, options.network, nodes, [host], run.faults);
      const end = performance.now();
      return {
        timeNs: iterationTimeNs(outcome, iters),
        wrong: -1,
        wallMs: end - wallStart,
        phasesMs: { prepareMs: simulateStart - wallStart, simulateMs: end - simulateStart, checkMs: 0 },
        backend: 'none',
        linkStats: network.linkStats(),
        flows: network.flows(),
        steps: trace ? sortSteps(trace) : [],
        events: outcome.events,
        rounds: outcome.rounds,
        stagingOverflows: 0,
      };
    },
    async runProgram<T>(moduleUrl: string | URL, exportName: string, args?: unknown, runOptions?: RunProgramOptions): Promise<ProgramResult<T>> {
      ensureOpen();
      const wallStart = performance.now();
      const module = (await import(String(moduleUrl))) as Record<string, unknown>;
      const program = module[exportName];
      if (typeof program !== 'function') throw new WeftInputError(`${String(moduleUrl)} has no function export '${exportName}'`);
      const host = new ParticipantHost(topology.ranks.map((_, r) => r));
      const env = { host, nranks, layout: layoutOf(topology), backend: typedBackend, plane: null };
      host.setStarters(topology.ranks.map((_, rank) => () => startProgram(env, rank, program as RankProgram, args)));
      const simulateStart = performance.now();
      const { outcome, network } = await coordinate(factory, topology, options.network, participantNodes(topology, nranks), [host], runOptions?.faults);
      const end = performance.now();
      return {
        results: outcome.values as T[],
        timeNs: outcome.endNs - outcome.startNs,
        wallMs: end - wallStart,
        phasesMs: { prepareMs: simulateStart - wallStart, simulateMs: end - simulateStart, checkMs: 0 },
        backend: 'none',
        linkStats: network.linkStats(),
        flows: network.flows(),
        events: outcome.events,
        rounds: outcome.rounds,
        stagingOverflows: 0,
      };
    },
    buffers(): RankBuffers {
      throw new WeftInputError('ghost mode has no buffers; use mode: data');
    },
    async close(): Promise<void> {
      closed = true;
    },
  };
}
