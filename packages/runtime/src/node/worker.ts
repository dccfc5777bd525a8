/**
 * A worker thread hosting one or more ranks. Control (setup, prepare, check, stats) arrives
 * through comlink; the per-round protocol arrives on a dedicated MessagePort as packed
 * arrays (wire.ts), and payload bytes never cross a port: they sit in shared arenas.
 */
import { parentPort } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { expose } from 'comlink';
import { WeftInputError } from '@weft/sim';
import type { RankLayout } from '@weft/collectives';
import { selectBackend } from '../backends/select.js';
import type { BackendChoice } from '../backends/types.js';
import type { BufferPlace } from '../core/data/arena.js';
import { DataHost, type CheckSpec, type HostSchedulePlan } from '../core/host/data-host.js';
import { encodeError, type EncodedError } from '../core/errors.js';
import { packReport, unpackCompletions, type HostReport, type ReportMessage, type RoundMessage } from '../core/protocol.js';
import type { RankProgram } from '../core/program/context.js';
import { nodeEndpoint } from './endpoint.js';
import { forbidExit } from './exit-guard.js';

export interface WorkerSetup {
  readonly participants: readonly number[];
  readonly backend: BackendChoice;
  readonly memories: readonly WebAssembly.Memory[];
  readonly roundPort: MessagePort;
  /** One Int32 per participant: how many of its coroutines run (ParticipantHost), read by the coordinator's watchdog. */
  readonly running: SharedArrayBuffer;
}

let runtime: DataHost | undefined;
let roundPort: MessagePort | undefined;

function rt(): DataHost {
  if (!runtime) throw new Error('worker not initialised');
  return runtime;
}

function failed(participant: number, error: unknown): ReportMessage {
  return packReport({ requests: [], finished: [] }, { participant, error: encodeError(error) });
}

function send(report: HostReport): void {
  const message = packReport(report, report.failure && { participant: report.failure.participant, error: encodeError(report.failure.error) });
  try {
    roundPort!.postMessage(message, [message.requests.buffer as ArrayBuffer]);
  } catch (error) {
    // A program returned something structured clone cannot copy.
    const participant = report.finished[0]?.participant ?? rt().participants[0]!;
    roundPort!.postMessage(failed(participant, new Error(`cannot send its result to the coordinator: ${(error as Error).message}`)));
  }
}

async function onRound(message: RoundMessage): Promise<void> {
  const host = rt().host;
  try {
    const result = message.type === 'start' ? host.start() : host.wake(message.nowNs, unpackCompletions(message));
    send(result instanceof Promise ? await result : result);
  } catch (error) {
    roundPort!.postMessage(failed(rt().participants[0]!, error));
  }
}

const api = {
  async init(setup: WorkerSetup): Promise<{ backend: string }> {
    const backend = await selectBackend(setup.backend);
    runtime = new DataHost(setup.participants, backend, setup.memories, (a, b) => Buffer.compare(a, b) === 0, new Int32Array(setup.running));
    runtime.setArenas(setup.memories);
    roundPort = setup.roundPort;
    roundPort.on('message', (message: RoundMessage) => void onRound(message));
    return { backend: backend.name };
  },
  setArenas(memories: readonly WebAssembly.Memory[]): void {
    rt().setArenas(memories);
  },
  prepareSchedule(plan: HostSchedulePlan): void {
    rt().prepareSchedule(plan);
  },
  async prepareProgram(moduleUrl: string, exportName: string, args: unknown, nranks: number, layout: RankLayout, staging: BufferPlace, agentCount: number, agents: readonly number[]): Promise<void> {
    const module = (await import(moduleUrl)) as Record<string, unknown>;
    const program = module[exportName];
    if (typeof program !== 'function') throw new WeftInputError(`${moduleUrl} has no function export '${exportName}'`);
    rt().prepareProgram(program as RankProgram, args, nranks, layout, staging, agentCount, agents);
  },
  /** Moves the prepared schedule's bytes without the coordinator (core/host/free-run-host.ts). */
  freeRun(): { failure?: { participant: number; error: EncodedError }; aborted?: boolean } {
    const { failure, aborted } = rt().freeRun();
    if (failure) return { failure: { participant: failure.participant, error: encodeError(failure.error) } };
    return aborted ? { aborted } : {};
  },
  check(spec: CheckSpec): number {
    return rt().check(spec);
  },
  takeTrace() {
    return rt().takeTrace();
  },
  stats() {
    return rt().stats();
  },
};

export type WorkerApi = typeof api;

if (!parentPort) throw new Error('node/worker.js must run in a worker thread');
forbidExit();
expose(api, nodeEndpoint(parentPort));
