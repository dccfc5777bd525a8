/**
 * The thread a user's algorithm module runs in (./sandbox.ts starts it, through the monitor
 * thread ./sandbox-monitor.ts, which wakes the CLI's thread if this one dies out of memory).
 * It imports weft's packages, says 'importing', imports the module, says what it exports, then
 * answers calls: the CLI's thread posts `{ method, args }` and sleeps on `signal` (Atomics.wait,
 * with the --timeout limit); this thread runs the method, posts the reply and wakes it. A method
 * that never returns leaves the CLI's thread to time out and terminate this one — the loop
 * cannot block the CLI.
 */
import { register } from 'node:module';
import { getHeapStatistics } from 'node:v8';
import { workerData, type MessagePort } from 'node:worker_threads';
import { ENDED, REPLIED } from './signal.js';

export interface SandboxData {
  readonly href: string;
  readonly redirects: readonly (readonly [string, string])[];
  readonly port: MessagePort;
  /** Slots REPLIED and ENDED (./signal.ts). */
  readonly signal: Int32Array;
}

/** The first message: what the module exports, its function fields named, the rest as values. */
export type LoadReport =
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'loaded'; readonly exportNames: readonly string[]; readonly algorithm: Record<string, unknown> | null; readonly functions: readonly string[] };

/** The thread's first message, once it has imported weft's packages; its heap limit names the limit in an out-of-memory message. */
export interface Importing {
  readonly kind: 'importing';
  readonly heapLimitBytes: number;
}

/** `ended`: the thread ended (why: its exit code, and the uncaught error if one ended it). */
export type CallReply = { readonly value: unknown } | { readonly thrown: string } | { readonly ended: string };

const { href, redirects, port, signal } = workerData as SandboxData;

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

/** Plain data to report for a field: functions are named in `functions`, other values copied as text when they cannot be cloned. */
function describeFields(value: object): { fields: Record<string, unknown>; functions: string[] } {
  const fields: Record<string, unknown> = {};
  const functions: string[] = [];
  for (const [key, field] of Object.entries(value)) {
    if (typeof field === 'function') functions.push(key);
    else if (field === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof field)) fields[key] = field;
    else fields[key] = `[${typeof field}]`;
  }
  return { fields, functions };
}

register(new URL('./resolve-hooks.js', import.meta.url), { data: { redirects } });
// weft's own packages first, so that the limit on the module's import is the module's time;
// a schedule too big for this thread's heap is refused with one line, as in the CLI's thread.
for (const [, url] of redirects) await import(url);
const collectives = (await import(redirects.find(([name]) => name === '@weft/collectives')![1])) as typeof import('@weft/collectives');
const heapLimitBytes = getHeapStatistics().heap_size_limit;
collectives.setScheduleMemoryBudget(Math.floor(heapLimitBytes / 2));
port.postMessage({ kind: 'importing', heapLimitBytes } satisfies Importing);
let algorithm: Record<string, (...args: unknown[]) => unknown> | null = null;
try {
  const module = (await import(href)) as Record<string, unknown>;
  const exported = module.default ?? module.algorithm;
  if (exported !== null && typeof exported === 'object') algorithm = exported as NonNullable<typeof algorithm>;
  const { fields, functions } = algorithm ? describeFields(algorithm) : { fields: null, functions: [] };
  port.postMessage({ kind: 'loaded', exportNames: Object.keys(module), algorithm: fields, functions } satisfies LoadReport);
} catch (error) {
  port.postMessage({ kind: 'failed', message: firstLine(error) } satisfies LoadReport);
}

// What ended the thread, when an error no code caught did (a callback that throws, a rejected
// promise no one awaited): named in the reply, as the module's own words are the clue.
let uncaught: string | undefined;
process.on('uncaughtExceptionMonitor', (error) => {
  uncaught = firstLine(error);
});

// A module that ends its thread (process.exit, an uncaught error in a callback) while the CLI's
// thread sleeps on `signal` would leave it asleep until --timeout: wake it with what happened.
// Between two calls (a timer's throw, say) the CLI's thread is not asleep: ENDED tells its next
// call not to wait for a thread that is gone (that call reads this reply, still queued).
process.on('exit', (code) => {
  port.postMessage({ ended: uncaught !== undefined ? `exit code ${code}: uncaught ${uncaught}` : `exit code ${code}` } satisfies CallReply);
  Atomics.store(signal, ENDED, 1);
  Atomics.store(signal, REPLIED, 1);
  Atomics.notify(signal, REPLIED);
});

port.on('message', ({ method, args }: { method: string; args: unknown[] }) => {
  let reply: CallReply;
  try {
    reply = { value: algorithm![method]!(...args) };
  } catch (error) {
    reply = { thrown: firstLine(error) };
  }
  try {
    port.postMessage(reply);
  } catch (error) {
    port.postMessage({ thrown: `returned a value weft cannot copy (${firstLine(error)}); return plain data` } satisfies CallReply);
  }
  Atomics.store(signal, REPLIED, 1);
  Atomics.notify(signal, REPLIED);
});
