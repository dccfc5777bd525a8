/**
 * Starting a user module's thread through its monitor (./sandbox-monitor.ts), and its
 * 'error' and 'exit' events as the monitor relays them: a Worker's events, one thread removed.
 * They arrive as messages, so the CLI's thread can also read them synchronously (`drain`),
 * as it must after an Atomics.wait that the monitor ended.
 */
import { EventEmitter } from 'node:events';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { startFailure } from '@weft/runtime';
import type { MonitorData, SandboxEvent } from './sandbox-monitor.js';
import type { SandboxData } from './sandbox-worker.js';
import { sandboxThreads as open } from './threads.js';

/** The module's thread as the CLI's thread sees it: 'error' (an Error with its code) and 'exit' (the code). */
export class RelayedThread extends EventEmitter {
  /** The thread's error (Node's words and code), once one was relayed. */
  error: Extract<SandboxEvent, { kind: 'error' }> | undefined;
  /** The thread's exit code, once it has ended. */
  exitCode: number | undefined;

  constructor(private readonly events: MessagePort) {
    super();
    events.on('message', (event: SandboxEvent) => this.take(event));
    // Recorded above: an error after the load is read by the next call, not thrown here.
    this.on('error', () => undefined);
  }

  private take(event: SandboxEvent): void {
    if (event.kind === 'error') {
      this.error = event;
      this.emit('error', Object.assign(new Error(event.message), { code: event.code }));
    } else {
      this.exitCode = event.code;
      this.emit('exit', event.code);
    }
  }

  /** Takes the events already relayed, now; whether any was. */
  drain(): boolean {
    for (let queued = receiveMessageOnPort(this.events); queued; queued = receiveMessageOnPort(this.events)) this.take(queued.message as SandboxEvent);
    return this.error !== undefined || this.exitCode !== undefined;
  }
}

export interface SandboxThread {
  readonly thread: RelayedThread;
  /** Rejects with a WorkerStartError when either thread fails to start (`isReady`: the module's thread has answered). */
  readonly startFailure: (what: string, isReady: () => boolean) => Promise<never>;
  /** Whether the threads still run (stop and runCli's closeSandboxes end them). */
  readonly isOpen: () => boolean;
  /** Ends both threads. */
  readonly stop: () => void;
  /** Lets the process end while the threads live (between calls; runCli terminates them). */
  readonly unref: () => void;
}

/** Starts the monitor thread, which starts ./sandbox-worker.js with `data`. */
export function startSandboxThread(data: SandboxData): SandboxThread {
  const { port1: events, port2: eventsFar } = new MessageChannel();
  const monitorData: MonitorData = { sandbox: data, events: eventsFar };
  const monitorEntry = new URL('./sandbox-monitor.js', import.meta.url);
  const monitor = new Worker(monitorEntry, { workerData: monitorData, transferList: [data.port, eventsFar] });
  monitor.unref();
  open.add(monitor);
  const thread = new RelayedThread(events);
  return {
    thread,
    startFailure: (what, isReady) =>
      Promise.race([
        // The monitor relays the module's thread's failure to start, then ends: its end is a failure only when it relayed nothing.
        startFailure(monitor, monitorEntry, what, () => thread.drain() || isReady()),
        startFailure(thread as unknown as Worker, new URL('./sandbox-worker.js', import.meta.url), what, isReady),
      ]),
    isOpen: () => open.has(monitor),
    stop: () => {
      open.delete(monitor);
      events.close();
      void monitor.terminate();
    },
    unref: () => events.unref(),
  };
}
