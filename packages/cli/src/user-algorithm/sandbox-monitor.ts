/**
 * The thread that starts a user module's thread (./sandbox-worker.ts) and watches it, so that
 * the CLI's thread learns of its end while it sleeps in Atomics.wait (./sandbox.ts). A thread
 * that V8 stops for memory (ERR_WORKER_OUT_OF_MEMORY) runs no more JS — not its own exit
 * handler — and the CLI's thread, blocked, cannot see the Worker's events; this thread is not
 * blocked, so it sees them, tells the CLI's thread on `events` and wakes it on `signal`.
 * It imports nothing of weft's (a thread start costs little); terminating it ends the module's
 * thread too (Node stops a thread's own threads with it).
 */
import { Worker, workerData, type MessagePort } from 'node:worker_threads';
import type { SandboxData } from './sandbox-worker.js';
import { ENDED, REPLIED } from './signal.js';

export interface MonitorData {
  /** What the module's thread is started with (its `port` is transferred on to it). */
  readonly sandbox: SandboxData;
  /** Where this thread reports the module's thread's 'error' and 'exit' events. */
  readonly events: MessagePort;
}

/** A Worker event of the module's thread, as plain data. */
export type SandboxEvent =
  | { readonly kind: 'error'; readonly message: string; readonly code: string | undefined }
  | { readonly kind: 'exit'; readonly code: number };

const { sandbox, events } = workerData as MonitorData;
const thread = new Worker(new URL('./sandbox-worker.js', import.meta.url), { workerData: sandbox, transferList: [sandbox.port] });
const report = (event: SandboxEvent) => events.postMessage(event);
thread.on('error', (error: Error & { code?: unknown }) => report({ kind: 'error', message: error.message, code: typeof error.code === 'string' ? error.code : undefined }));
thread.on('exit', (code) => {
  // The report first: the CLI's thread, once awake, reads it with receiveMessageOnPort.
  report({ kind: 'exit', code });
  Atomics.store(sandbox.signal, ENDED, 1);
  Atomics.store(sandbox.signal, REPLIED, 1);
  Atomics.notify(sandbox.signal, REPLIED);
  // Nothing else holds this thread's event loop (`events` is never listened to): it ends here.
});
