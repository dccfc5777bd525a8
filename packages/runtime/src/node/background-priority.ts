/**
 * Data mode's worker threads are a run's critical path: with one worker per core they keep
 * every core busy moving bytes. V8's own background threads — started with the process, they
 * compile hot JavaScript with TurboFan and help the collector — compete with them for those
 * cores through a process's first dozen runs, while the executor, free-run and model code
 * warm up (`--cpu-prof` cannot see them; /proc/self/task/<tid>/schedstat can: 20–80 ms of CPU
 * per 64 MiB run at 4 and 8 ranks, the workers' wake-ups queuing behind them;
 * benchmarks/results/runtime.md §8). This gives those threads the lowest priority (nice 19)
 * once per process: they still run on any core the workers leave idle, and yield it when a
 * worker wakes. Raising the workers instead would need privileges; lowering is always allowed.
 *
 * Linux only (thread ids and start times from /proc; elsewhere a no-op), and only threads
 * that started with the process (within BOOT_TICKS of the first thread after the main one):
 * threads a caller starts later — its own workers, libuv's pool — keep their priority.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { nodeOs } from './builtins.js';

/** The nice value background threads get (the lowest priority an unprivileged process can set). */
export const BACKGROUND_NICE = 19;
/** Threads started within this many clock ticks (10 ms each on Linux) of the first non-main thread started with the process. */
const BOOT_TICKS = 3;

const TASKS = '/proc/self/task';
let lowered: readonly number[] | undefined;

/** Start time (clock ticks since boot) and nice value of one thread, from /proc/self/task/<tid>/stat. */
export function threadStat(tid: number): { startTicks: number; nice: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`${TASKS}/${tid}/stat`, 'utf8');
  } catch {
    return undefined; // the thread ended
  }
  // Fields after the command name (which may hold spaces): state is field 3; nice 19, starttime 22.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { startTicks: Number(fields[19]), nice: Number(fields[16]) };
}

/** The threads started with the process, besides the main one: V8's platform workers and Node's own helpers. */
export function bootThreads(): number[] {
  const others = readdirSync(TASKS)
    .map(Number)
    .filter((tid) => tid !== process.pid)
    .flatMap((tid) => {
      const stat = threadStat(tid);
      return stat ? [{ tid, start: stat.startTicks }] : [];
    });
  if (others.length === 0) return [];
  const first = Math.min(...others.map((t) => t.start));
  return others.filter((t) => t.start - first <= BOOT_TICKS).map((t) => t.tid);
}

/**
 * Lowers the threads started with the process to BACKGROUND_NICE, once; the threads lowered
 * (none off Linux, or where /proc or setpriority refuses).
 */
export function lowerBackgroundThreads(): readonly number[] {
  if (lowered) return lowered;
  const done: number[] = [];
  if (process.platform === 'linux') {
    try {
      for (const tid of bootThreads()) {
        try {
          nodeOs().setPriority(tid, BACKGROUND_NICE);
          done.push(tid);
        } catch {
          // ended meanwhile, or not ours to change: leave it
        }
      }
    } catch {
      // no /proc: leave every thread as it is
    }
  }
  lowered = done;
  return lowered;
}
