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
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';

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
}

/**
 * Runs `entry` (an ES module that reads `process.argv.slice(2)`, as a CLI entry does) in a
 * thread with `limits`, its stdout and stderr going to this process's, and resolves with its
 * exit. An error the thread does not catch — an entry that cannot load included (Node reports
 * it after 'online', as an uncaught error) — is printed on stderr with its stack, exit code 1,
 * as the process would.
 */
export function runInSizedThread(entry: URL, argv: readonly string[], limits: ThreadHeapLimits = sizedThreadHeapLimits()): Promise<SizedThreadExit> {
  const worker = new Worker(entry, {
    argv: [...argv],
    resourceLimits: { maxYoungGenerationSizeMb: limits.youngGenerationMb, maxOldGenerationSizeMb: limits.oldGenerationMb },
  });
  let outOfMemory = false;
  return new Promise<SizedThreadExit>((resolve) => {
    worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') outOfMemory = true;
      else process.stderr.write(`${error.stack ?? String(error)}\n`);
    });
    worker.once('exit', (code) => resolve({ code: outOfMemory && code === 0 ? 1 : code, outOfMemory }));
  });
}
