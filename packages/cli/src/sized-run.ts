/**
 * Which runs the CLI's entry (main.ts) hands to a thread whose heap is sized for them (runtime
 * node/sized-thread.ts; benchmarks/results/speed.md §35, §39): ghost runs of at least
 * SIZED_THREAD_MIN_RANKS ranks. The command decides, once its own code has parsed its flags and
 * built its topology (no second reading of argv): it calls `checkSizedThread` before it
 * simulates. On the process's main thread the entry arms the check, and a run that matches
 * stops there with SizedThreadWanted — nothing has run or been written yet — which the entry
 * answers by running the same argv in the thread. Unarmed (in that thread, or in a program that
 * calls runCli itself, as the lab's tests do) the check does nothing.
 */

/**
 * Ranks from which a ghost run is handed to the sized thread. The hand-over costs a second start
 * of the command (its modules, flags and topology) and the thread: +0.13 s of CPU at 1,024 GPUs,
 * +0.22 s at 4,096 (speed.md §39). What it buys, paired: at 4,096 GPUs hierarchical −8 % (1 GiB)
 * and −11 % (1 MiB), −1 % at 64 MiB; at 1,024 GPUs NCCL's default −2 % at 1 GiB (two pairs of
 * ≈ 200 s), +6 % at 1 MiB — nothing to pay for the start there. At 16,384 GPUs the thread's
 * larger old generation lets a run go on where V8's default heap stops it (§34, §35).
 */
export const SIZED_THREAD_MIN_RANKS = 4096;

let armed = false;

/** Called by the entry on the process's main thread only. */
export function armSizedThread(): void {
  armed = true;
}

/** Not a failure: the command stopped before it ran, for the entry to run it in the sized thread. */
export class SizedThreadWanted extends Error {
  constructor(readonly ranks: number) {
    super(`a ghost run of ${ranks} ranks runs in a sized thread`);
    this.name = 'SizedThreadWanted';
  }
}

/** Throws SizedThreadWanted when armed and the run (`mode`, on `ranks` ranks) is one the thread pays for. */
export function checkSizedThread(mode: string, ranks: number): void {
  if (armed && mode === 'ghost' && ranks >= SIZED_THREAD_MIN_RANKS) throw new SizedThreadWanted(ranks);
}
