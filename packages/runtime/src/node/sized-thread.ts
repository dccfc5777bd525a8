/**
 * A large ghost run in a thread whose heap is sized for it. A process's heap sizes are fixed at
 * launch (`--max-semi-space-size`, `--max-old-space-size`; `v8.setFlagsFromString` afterwards
 * does not resize them) and users cannot be asked for flags, but a worker thread takes its own
 * `resourceLimits`. Two of them matter for ghost runs (benchmarks/results/speed.md §35):
 *
 * - the young generation: transfers, flows and messages in flight live for microseconds of
 *   simulated time; with V8's default 16 MiB semi-spaces they outlive two scavenges, are
 *   promoted (or pretenured) and die in the old space, collected only by mark-compacts. With
 *   64 MiB semi-spaces they die young: less CPU and less memory (§32: −12–18 % CPU, RSS −30 %);
 * - the old generation: V8's default limit is ≈ 4 GiB whatever the machine; NCCL's default at
 *   16,384 GPUs holds more than that in flight (§34). On a machine with the memory the thread
 *   may hold half of it — the share data mode's rank buffers get (memory-budget.ts) — and the
 *   up-front budget (applyScheduleMemoryBudget) and the run's heap guard
 *   (core/coordinator/heap-guard.ts), which read the heap of the isolate they run in, follow.
 *
 * The thread runs an entry module as the process would (its argv, its stdout and stderr piped
 * through, its exit code returned).
 */
import { constants, totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';

const MIB = 2 ** 20;

/**
 * Young generation of a sized thread (MiB): three semi-spaces' worth in V8's accounting, so
 * 192 is `--max-semi-space-size=64`. Measured 96 / 192 / 384 / 768 on the 4,096-GPU
 * hierarchical run (§35): 192 takes most of the gain; more buys little and costs RSS.
 */
export const SIZED_THREAD_YOUNG_GENERATION_MB = 192;

/** Share of this machine's memory a sized thread's old generation may hold. */
export const SIZED_THREAD_MEMORY_SHARE = 0.5;

/**
 * The memory this process may use: the machine's, or the container's (cgroup) limit when
 * lower — half the machine's memory in a container allowed less would be an OOM kill, not the
 * heap guard's one line. `constrained` is Node's `process.constrainedMemory()`: 0 or a huge
 * number (2^64) when there is no limit.
 */
export function usableMemoryBytes(total: number = totalmem(), constrained: number = process.constrainedMemory?.() ?? 0): number {
  return constrained > 0 && constrained < total ? constrained : total;
}

export interface ThreadHeapLimits {
  /** `resourceLimits.maxYoungGenerationSizeMb`. */
  youngGenerationMb: number;
  /** `resourceLimits.maxOldGenerationSizeMb`. */
  oldGenerationMb: number;
}

/**
 * Heap limits of a sized thread on a machine (or container) with `machineBytes` of memory, whose main isolate
 * got `defaultLimitBytes` from V8: the old generation is SIZED_THREAD_MEMORY_SHARE of the
 * machine, never less than what V8 gives the process anyway (a small machine keeps V8's
 * choice, which it already sized to its memory).
 */
export function sizedThreadHeapLimits(machineBytes: number = usableMemoryBytes(), defaultLimitBytes: number = getHeapStatistics().heap_size_limit): ThreadHeapLimits {
  if (!(machineBytes > 0) || !(defaultLimitBytes > 0)) throw new RangeError(`machine memory and V8's heap limit must be positive, got ${machineBytes} and ${defaultLimitBytes} bytes`);
  const shareMb = Math.floor((machineBytes * SIZED_THREAD_MEMORY_SHARE) / MIB);
  // heap_size_limit counts the young generation too; the old generation's part of it:
  const defaultOldMb = Math.floor(defaultLimitBytes / MIB) - SIZED_THREAD_YOUNG_GENERATION_MB;
  return { youngGenerationMb: SIZED_THREAD_YOUNG_GENERATION_MB, oldGenerationMb: Math.max(shareMb, defaultOldMb) };
}

/** What a sized thread's run ended with. */
export interface SizedThreadExit {
  /** The thread's exit code (its `process.exitCode`, or what it passed to `process.exit`). */
  code: number;
  /** Set when V8 stopped the thread at its heap limit (ERR_WORKER_OUT_OF_MEMORY): the run needed more than `limits` allow. */
  outOfMemory: boolean;
  /** Set when this process got SIGINT or SIGTERM while the thread ran: the thread was ended for it. */
  signal?: RelayedSignal;
}

/** The signals that end a run: a thread gets none itself (Node delivers them to the process's main thread only). */
export type RelayedSignal = 'SIGINT' | 'SIGTERM';
const RELAYED_SIGNALS: readonly RelayedSignal[] = ['SIGINT', 'SIGTERM'];

/**
 * How long a thread may take to end by itself after a relayed signal (ms) before it is
 * terminated. A thread busy in synchronous code (a simulation's loop) reads the message only
 * when that code returns, so it is terminated; one between turns — or finishing a synchronous
 * write of its output files (the CLI's writeOutputs), which must not be cut short — ends at once.
 */
export const SIGNAL_GRACE_MS = 200;

/** The message a relayed signal is (`{ weftSignal: 'SIGINT' }`). */
const SIGNAL_KEY = 'weftSignal';

export interface SizedThreadOptions {
  /** The thread's `workerData` (what it must know of this process: its terminal, say). */
  workerData?: unknown;
}

/**
 * Runs `entry` (an ES module that reads `process.argv.slice(2)`, as a CLI entry does) in a
 * thread with `limits`, its stdout and stderr going to this process's, and resolves with its
 * exit. An error the thread does not catch — an entry that cannot load included (Node reports
 * it after 'online', as an uncaught error) — is printed on stderr with its stack, exit code 1,
 * as the process would. While it runs, SIGINT and SIGTERM are relayed to it (see
 * `endOnRelayedSignal`, which the entry calls) and it is terminated if it has not ended
 * SIGNAL_GRACE_MS later; the caller then ends the process for the signal (`exit.signal`).
 */
export function runInSizedThread(entry: URL, argv: readonly string[], limits: ThreadHeapLimits = sizedThreadHeapLimits(), options: SizedThreadOptions = {}): Promise<SizedThreadExit> {
  const worker = new Worker(entry, {
    argv: [...argv],
    resourceLimits: { maxYoungGenerationSizeMb: limits.youngGenerationMb, maxOldGenerationSizeMb: limits.oldGenerationMb },
    workerData: options.workerData,
  });
  let outOfMemory = false;
  let signal: RelayedSignal | undefined;
  const onSignal = (received: RelayedSignal) => {
    if (signal !== undefined) return;
    signal = received;
    worker.postMessage({ [SIGNAL_KEY]: received });
    setTimeout(() => void worker.terminate(), SIGNAL_GRACE_MS).unref();
  };
  for (const name of RELAYED_SIGNALS) process.on(name, onSignal);
  return new Promise<SizedThreadExit>((resolve) => {
    worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') outOfMemory = true;
      else if (signal === undefined) process.stderr.write(`${error.stack ?? String(error)}\n`);
    });
    worker.once('exit', (code) => {
      for (const name of RELAYED_SIGNALS) process.off(name, onSignal);
      resolve({ code: outOfMemory && code === 0 ? 1 : code, outOfMemory, ...(signal !== undefined ? { signal } : {}) });
    });
  });
}

/**
 * In a thread runInSizedThread started: a relayed signal ends the thread at its next turn, with
 * the code a process ended by that signal reports (128 + its number). Never keeps the thread
 * alive by itself. Does nothing on the main thread.
 */
export function endOnRelayedSignal(): void {
  if (isMainThread || parentPort === null) return;
  parentPort.on('message', (message: { [SIGNAL_KEY]?: RelayedSignal } | null) => {
    const name = message?.[SIGNAL_KEY];
    if (name !== undefined) process.exit(128 + constants.signals[name]);
  });
  parentPort.unref();
}
