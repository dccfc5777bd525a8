/**
 * Live progress of a run: the ranks' step and eval messages (over a BroadcastChannel)
 * turned into the hooks' step ticks and epoch lines.
 */
import type { ProgressMessage } from './rank-program.js';
import { globalLosses, type EpochSummary } from './report.js';
import { mean } from './stats.js';
import { stepSpanNs } from './timing.js';
import type { TrainHooks } from './train.js';

/**
 * Gathers the ranks' live step messages into epoch lines. Messages may arrive after the
 * run returns; `finish` then emits whatever epochs are still unprinted from the final,
 * authoritative numbers, so every epoch is reported exactly once, in order. Live lines use
 * the same arithmetic (rank-ordered means, a step's span over ranks: stepSpanNs) as the final report.
 */
export class LiveProgress {
  /** [step][rank] */
  private readonly losses: (number | null)[][] = [];
  /** [step][rank]: its start and end (virtual ns). */
  private readonly startsNs: number[][] = [];
  private readonly endsNs: number[][] = [];
  private readonly reported: number[] = [];
  private readonly accuracy = new Map<number, number>();
  private epochsPrinted = 0;

  constructor(
    private readonly steps: number,
    private readonly stepsPerEpoch: number,
    private readonly nranks: number,
    /** Data mode: every rank reports each step; otherwise rank 0 alone (progress only). */
    private readonly everyRankReports: boolean,
    /** Rank 0 measures held-out accuracy at each epoch's end (labelled data). */
    private readonly withAccuracy: boolean,
    private readonly hooks: TrainHooks,
  ) {}

  receive(message: ProgressMessage): void {
    if (message.kind === 'eval') this.accuracy.set(message.step, message.accuracy);
    else {
      const index = message.step - 1;
      (this.losses[index] ??= [])[message.rank] = message.loss;
      (this.startsNs[index] ??= [])[message.rank] = message.startNs;
      (this.endsNs[index] ??= [])[message.rank] = message.endNs;
      this.reported[index] = (this.reported[index] ?? 0) + 1;
      if (message.rank === 0) this.hooks.onStep?.(message.step, this.steps);
    }
    this.emitReady();
  }

  private emitReady(): void {
    // Hearing from rank 0 alone (ghost mode, see rank-program.ts), epochs come from finish().
    if (!this.everyRankReports) return;
    const end = (this.epochsPrinted + 1) * this.stepsPerEpoch;
    if (end > this.steps) return; // a last, partial epoch waits for finish()
    const first = end - this.stepsPerEpoch;
    for (let step = first; step < end; step++) if ((this.reported[step] ?? 0) < this.nranks) return;
    if (this.withAccuracy && !this.accuracy.has(end)) return;
    const perStepLoss = this.losses.slice(first, end).map((ranks) => globalLosses(ranks.map((l) => [l!]))[0]!);
    const perStepNs = this.endsNs.slice(first, end).map((ends, i) => stepSpanNs(this.startsNs[first + i]!, ends));
    this.epochsPrinted++;
    this.hooks.onEpoch?.({
      epoch: this.epochsPrinted,
      partial: false,
      step: end,
      loss: mean(perStepLoss),
      accuracy: this.accuracy.get(end) ?? null,
      stepNs: mean(perStepNs),
    });
    this.emitReady();
  }

  finish(epochs: readonly EpochSummary[]): void {
    for (const epoch of epochs.slice(this.epochsPrinted)) this.hooks.onEpoch?.(epoch);
    this.epochsPrinted = epochs.length;
  }
}
