import { EventQueue } from './event-queue.js';

/**
 * A model that owns its own future (a network with flows in flight, say). The engine asks
 * every model for its next event and advances all of them to the earliest one, as
 * SimGrid's EngineImpl::solve does: models never look at wall-clock time.
 */
export interface SimModel {
  /** Virtual time of this model's next event, or Infinity when it has none. */
  nextEventTimeNs(): number;
  /** Moves the model's state to `timeNs` (never earlier than the current time). */
  advanceTo(timeNs: number): void;
}

export type TimerCallback = (timeNs: number) => void;

/** Virtual clock + timer queue + the models that share that clock. */
export class Engine {
  private clockNs = 0;
  private readonly timers = new EventQueue<TimerCallback>();
  private readonly models: SimModel[] = [];

  get nowNs(): number {
    return this.clockNs;
  }

  /** Timers not yet fired (the runtime's recurrence check counts them against those it knows). */
  get pendingTimers(): number {
    return this.timers.size;
  }

  addModel(model: SimModel): void {
    this.models.push(model);
  }

  /** Schedules `callback` at absolute virtual time `timeNs` (>= now). */
  at(timeNs: number, callback: TimerCallback): void {
    if (timeNs < this.clockNs) {
      throw new RangeError(`cannot schedule at ${timeNs} ns, the clock is already at ${this.clockNs} ns`);
    }
    this.timers.push(timeNs, callback);
  }

  /** Schedules `callback` `delayNs` after now. */
  after(delayNs: number, callback: TimerCallback): void {
    if (!(delayNs >= 0)) throw new RangeError(`delay must be >= 0 ns, got ${delayNs}`);
    this.at(this.clockNs + delayNs, callback);
  }

  /** Earliest pending time across timers and models, or Infinity when nothing is pending. */
  nextEventTimeNs(): number {
    let next = this.timers.peekTimeNs();
    for (const model of this.models) next = Math.min(next, model.nextEventTimeNs());
    return next;
  }

  /**
   * Advances to the next event time: models first (so their completions are visible), then
   * every timer due at that time in (time, seq) order. Returns false when nothing is left.
   */
  step(): boolean {
    const nextNs = this.nextEventTimeNs();
    if (nextNs === Infinity) return false;
    this.clockNs = nextNs;
    for (const model of this.models) model.advanceTo(nextNs);
    for (const event of this.timers.popUntil(nextNs)) event.payload(nextNs);
    return true;
  }

  /** Steps until nothing is pending or `untilNs` is passed. */
  run(untilNs = Infinity): void {
    while (this.nextEventTimeNs() <= untilNs && this.step()) {
      /* keep stepping */
    }
  }
}
