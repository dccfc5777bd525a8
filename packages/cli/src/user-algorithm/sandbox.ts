/**
 * A user's algorithm module runs in a thread of its own (./sandbox-worker.ts), so that an
 * infinite loop in it — at its top level, in plan(), unsupported() or predictNs() — cannot
 * block the CLI: each call is synchronous for the caller (the CLI posts the call and sleeps
 * in Atomics.wait with the --timeout limit, then takes the reply with receiveMessageOnPort),
 * and a call that does not return in time terminates the thread and ends the run with a
 * UserCodeTimeoutError naming the call. A thread that dies while the CLI's thread sleeps —
 * out of memory, where V8 runs none of its JS — is seen by a monitor thread
 * (./sandbox-monitor.ts), which wakes the CLI's thread: the run ends in one line at once.
 * Built-in algorithms never go through here.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { DEFAULT_ROUND_TIMEOUT_MS, UserCodeTimeoutError } from '@weft/runtime';
import { WeftInputError } from '@weft/sim';
import type { CallReply, Importing, LoadReport } from './sandbox-worker.js';
import { startSandboxThread } from './sandbox-thread.js';
import { ENDED, REPLIED, SIGNAL_SLOTS } from './signal.js';


/** How a call is named in the timeout message: `plan(nranks 32, count 4096, …)`. */
function describeCall(method: string, args: readonly unknown[]): string {
  const params = args[0] as Record<string, unknown> | undefined;
  const fields = ['nranks', 'count', 'root', 'channels', 'chunkElements']
    .filter((key) => typeof params?.[key] === 'number')
    .map((key) => `${key} ${String(params![key])}`);
  return `${method}(${fields.join(', ')})`;
}

/** Wall time a fresh thread may take to start and import weft's packages (a loaded 2-core machine: ~1 s). */
const STARTUP_MS = 10_000;

/**
 * What a call into the module threw: bad input to weft (one line naming the module and the
 * call, exit 2); `thrown` is the module's own message (the check quotes it as is).
 */
export class UserCodeThrew extends WeftInputError {
  constructor(
    source: string,
    call: string,
    readonly thrown: string,
  ) {
    super(`${source}: ${call} threw: ${thrown}`);
  }
}

/** Node's code for a thread V8 stopped at its heap limit. */
const OUT_OF_MEMORY = 'ERR_WORKER_OUT_OF_MEMORY';

/** What happened, said the same way for the module's load and its calls: `when` is "during plan(…)". */
function outOfMemory(when: string, heapLimitBytes: number): string {
  const limit = heapLimitBytes > 0 ? ` (${Math.round(heapLimitBytes / 2 ** 20)} MB)` : '';
  return `its thread ran out of memory ${when}: it reached its heap limit${limit} and was stopped (raise the limit with NODE_OPTIONS=--max-old-space-size=MB)`;
}

/**
 * A call during which (or before which) the module's thread ran out of memory: the module's
 * fault (exit 2), and the end of the run — the checker does not take it as the algorithm's
 * answer (check.ts), as it does not a timeout. "During": the call's wait, whatever allocated
 * (the call itself, or a timer of the module's).
 */
export class UserCodeOutOfMemoryError extends WeftInputError {
  /** Read by the checker (check.ts), which cannot import this module (the lab bundles it for the browser). */
  readonly endsTheRun = true;

  constructor(source: string, call: string, before: boolean, heapLimitBytes: number) {
    super(`${source}: ${outOfMemory(`${before ? 'before' : 'during'} ${call}`, heapLimitBytes)}`);
  }
}

/** A call's answer: the thread's reply, or, when it ended without one, what its monitor saw. */
type Reply = CallReply | { readonly outOfMemory: true };

export interface LoadedModule {
  readonly report: Extract<LoadReport, { kind: 'loaded' }>;
  /** Calls `method` of the module's algorithm in its thread; returns its value or throws what it threw. */
  call(method: string, args: readonly unknown[]): unknown;
}

/**
 * Imports `href` in a new thread. `source` names the module in messages (`--algo ./x.mjs`);
 * `timeoutMs` bounds the import and every call (0: no limit).
 */
export async function loadInSandbox(href: string, redirects: readonly (readonly [string, string])[], source: string, timeoutMs: number = DEFAULT_ROUND_TIMEOUT_MS): Promise<LoadedModule | { readonly report: Extract<LoadReport, { kind: 'failed' }> }> {
  const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  const { port1, port2 } = new MessageChannel();
  const started = startSandboxThread({ href, redirects, port: port2, signal });
  const { thread } = started;
  const stop = () => {
    port1.close();
    started.stop();
  };
  // Until the thread says 'importing', a failure is weft's own thread not starting (exit 1),
  // not the user's module (exit 2).
  let importing = false;
  /** The module's thread's heap limit (it says so with 'importing'), for an out-of-memory message. */
  let heapLimitBytes = 0;
  const report = await new Promise<LoadReport>((resolve, reject) => {
    // The thread first starts and imports weft's packages (STARTUP_MS at most), then says
    // 'importing': from there the module's own top level has the limit.
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number, what: string) => {
      clearTimeout(timer);
      if (timeoutMs > 0) timer = setTimeout(() => reject(new UserCodeTimeoutError(source, what, ms)), ms);
    };
    arm(timeoutMs + STARTUP_MS, 'starting its thread');
    let settled = false;
    const settle = (outcome: () => void) => {
      settled = true;
      clearTimeout(timer);
      port1.removeAllListeners('message');
      outcome();
    };
    const onMessage = (message: LoadReport | Importing) => {
      if (message.kind === 'importing') {
        importing = true;
        heapLimitBytes = message.heapLimitBytes;
        arm(timeoutMs, 'loading the module');
      } else settle(() => resolve(message));
    };
    port1.on('message', onMessage);
    // Whether the thread got as far as 'importing': what it posted before it ended may still
    // be queued behind its 'error' or 'exit' event, so read that first (not once the load is
    // settled: the port then carries call replies, which the calls read).
    const gotToImporting = () => {
      if (!settled) for (let queued = receiveMessageOnPort(port1 as MessagePort); queued; queued = receiveMessageOnPort(port1 as MessagePort)) onMessage(queued.message as LoadReport);
      return importing;
    };
    thread.once('error', (error: Error & { code?: string }) => gotToImporting() && settle(() => resolve({ kind: 'failed', message: error.code === OUT_OF_MEMORY ? outOfMemory('while loading the module', heapLimitBytes) : error.message.split('\n')[0]! })));
    // process.exit at the module's top level: no error event, the thread just ends.
    thread.once('exit', (code) => gotToImporting() && settle(() => resolve({ kind: 'failed', message: `it ended its thread while loading (exit code ${code})` })));
    started.startFailure(`the thread for ${source}`, gotToImporting).catch((error: unknown) => settle(() => reject(error)));
  }).catch((error: unknown) => {
    stop();
    throw error;
  });
  port1.unref();
  started.unref();
  if (report.kind === 'failed') {
    stop();
    return { report };
  }
  /** The reply of a thread that ended without one: V8 stopped it for memory, which runs no exit handler. */
  const lastWords = (): Reply | undefined => {
    thread.drain();
    if (thread.error?.code === OUT_OF_MEMORY) return { outOfMemory: true };
    if (thread.exitCode !== undefined) return { ended: thread.error ? `exit code ${thread.exitCode}: ${thread.error.message.split('\n')[0]!}` : `exit code ${thread.exitCode}` };
    return undefined;
  };
  const call = (method: string, args: readonly unknown[]): unknown => {
    if (!started.isOpen()) throw new Error(`${source}: its thread was stopped`);
    // The thread ended between calls (its exit reply is queued, or its monitor set ENDED): answer
    // with that, not a wait to --timeout. Reset first, then look: a thread that ends after the
    // look wakes this one itself (or its monitor does).
    Atomics.store(signal, REPLIED, 0);
    const endedBefore = Atomics.load(signal, ENDED) === 1;
    if (endedBefore) Atomics.store(signal, REPLIED, 1);
    port1.postMessage({ method, args });
    if (Atomics.wait(signal, REPLIED, 0, timeoutMs > 0 ? timeoutMs : Infinity) === 'timed-out') {
      stop();
      throw new UserCodeTimeoutError(source, describeCall(method, args), timeoutMs);
    }
    const reply = (receiveMessageOnPort(port1 as MessagePort)?.message as Reply | undefined) ?? lastWords();
    if (reply === undefined) throw new Error(`${source}: ${method}() gave no reply`);
    if ('thrown' in reply) throw new UserCodeThrew(source, describeCall(method, args), reply.thrown);
    if ('outOfMemory' in reply) {
      stop();
      throw new UserCodeOutOfMemoryError(source, describeCall(method, args), endedBefore, heapLimitBytes);
    }
    if ('ended' in reply) {
      const what = endedBefore ? `its thread had ended before the call (${reply.ended})` : `ended its thread (${reply.ended}) instead of returning`;
      throw new UserCodeThrew(source, describeCall(method, args), what);
    }
    return reply.value;
  };
  return { report, call };
}
