/**
 * The coordinator's handle on one worker: a HostLink whose start/wake post one packed
 * message on the worker's round port and resolve with its one reply. A worker that dies
 * (uncaught error, exit) fails the round in progress instead of leaving it pending.
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import { releaseProxy, transfer, wrap, type Remote } from 'comlink';
import type { BackendChoice } from '../backends/types.js';
import { RankError } from '../core/errors.js';
import { reviveError } from '../core/errors.js';
import { runningIn } from '../core/host/participant-host.js';
import { packWake, unpackRequests, type Completion, type HostLink, type HostReport, type ReportMessage, type RoundMessage } from '../core/protocol.js';
import { workerThreads } from './builtins.js';
import { nodeEndpoint } from './endpoint.js';
import type { WorkerApi } from './worker.js';
import { startFailure } from './worker-start.js';

let liveWorkers = 0;

export type FreeRunReport = Awaited<ReturnType<WorkerApi['freeRun']>>;

/** Worker threads started by this runtime that have not exited yet (counted on 'exit'). */
export function liveWorkerCount(): number {
  return liveWorkers;
}

export class WorkerLink implements HostLink {
  readonly api: Remote<WorkerApi>;
  private readonly port: MessagePort;
  private waiting: { resolve: (r: HostReport) => void; reject: (e: Error) => void } | null = null;
  /** Rejects the free run in progress when the worker dies. */
  private freeRunning: ((e: Error) => void) | null = null;
  private dead: Error | null = null;
  private exited: Promise<void>;
  /** How many coroutines of each participant run, written by the worker's host (WorkerSetup.running). */
  readonly running: Int32Array;

  private constructor(
    readonly worker: Worker,
    readonly participants: readonly number[],
    port: MessagePort,
  ) {
    this.running = new Int32Array(new SharedArrayBuffer(4 * participants.length));
    this.api = wrap<WorkerApi>(nodeEndpoint(worker));
    this.port = port;
    port.on('message', (message: ReportMessage) => {
      const waiting = this.waiting;
      this.waiting = null;
      const { failure } = message;
      waiting?.resolve({
        requests: unpackRequests(message),
        finished: message.finished,
        ...(failure ? { failure: { participant: failure.participant, error: reviveError(failure.error) } } : {}),
      });
    });
    liveWorkers += 1;
    // A worker that dies outside a participant's code (an uncaught error in a timer, say)
    // still ends the run with a RankError naming the worker's first rank.
    worker.on('error', (error) => {
      this.die(new RankError(participants[0]!, `rank ${participants[0]}`, `its worker thread (ranks ${participants.join(',')}) failed: ${error.message}`, error.stack));
    });
    this.exited = new Promise((resolve) => worker.once('exit', (code) => {
      liveWorkers -= 1;
      // process.exit() in a rank program ends its worker: the run fails naming the rank.
      const first = participants[0]!;
      this.die(new RankError(first, `rank ${first}`, `its worker thread (ranks ${participants.join(',')}) exited with code ${code} during the run (process.exit in a rank program?)`));
      resolve();
    }));
  }

  static async spawn(participants: readonly number[], backend: BackendChoice, memories: readonly WebAssembly.Memory[]): Promise<{ link: WorkerLink; backend: string }> {
    const entry = new URL('./worker.js', import.meta.url);
    const { MessageChannel, Worker } = workerThreads();
    const worker = new Worker(entry);
    const { port1, port2 } = new MessageChannel();
    const link = new WorkerLink(worker, participants, port1);
    let ready = false;
    try {
      // A worker whose entry file cannot load never answers init: race its exit, so the run
      // fails with the reason instead of leaving a promise that nothing will settle.
      const { backend: name } = await Promise.race([
        link.api.init(transfer({ participants, backend, memories, roundPort: port2, running: link.running.buffer as SharedArrayBuffer }, [port2 as unknown as Transferable])).finally(() => (ready = true)),
        startFailure(worker, entry, `the worker thread for ranks ${participants.join(',')}`, () => ready),
      ]);
      return { link, backend: name };
    } catch (error) {
      await link.terminate();
      throw error;
    }
  }

  private die(error: Error): void {
    if (this.dead) return;
    this.dead = error;
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(error);
    const freeRunning = this.freeRunning;
    this.freeRunning = null;
    freeRunning?.(error);
  }

  /** The worker's free run of its prepared schedule (core/host/free-run-host.ts); fails if the worker dies. */
  freeRun(): Promise<FreeRunReport> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.freeRunning = reject;
      this.api.freeRun().then(
        (outcome) => {
          this.freeRunning = null;
          resolve(outcome);
        },
        (error: unknown) => {
          this.freeRunning = null;
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  private round(message: RoundMessage, transferList: ArrayBuffer[]): Promise<HostReport> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.port.postMessage(message, transferList);
    });
  }

  start(): Promise<HostReport> {
    return this.round({ type: 'start' }, []);
  }

  /** Read from shared memory: it answers while the worker is stuck (an infinite loop included). */
  runningParticipants(): number[] {
    return runningIn(this.participants, this.running);
  }

  wake(nowNs: number, completions: readonly Completion[]): Promise<HostReport> {
    const message = packWake(nowNs, completions);
    return this.round(message, [message.completions.buffer as ArrayBuffer]);
  }

  async terminate(): Promise<void> {
    this.die(new Error('worker terminated'));
    try {
      this.api[releaseProxy]();
    } catch {
      // the worker is already gone
    }
    this.port.close();
    await this.worker.terminate();
    await this.exited;
  }
}
