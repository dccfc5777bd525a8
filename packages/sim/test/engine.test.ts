import { describe, expect, it } from 'vitest';
import { Engine, type SimModel } from '../src/index.js';

/** A model with a fixed list of event times; it records every time it is advanced to. */
class ScriptedModel implements SimModel {
  readonly advancedTo: number[] = [];
  constructor(private readonly eventsNs: number[]) {}
  nextEventTimeNs(): number {
    return this.eventsNs[0] ?? Infinity;
  }
  advanceTo(timeNs: number): void {
    this.advancedTo.push(timeNs);
    while (this.eventsNs.length > 0 && this.eventsNs[0]! <= timeNs) this.eventsNs.shift();
  }
}

describe('Engine', () => {
  it('starts at 0 and has nothing to do with no timers and no models', () => {
    const engine = new Engine();
    expect(engine.nowNs).toBe(0);
    expect(engine.nextEventTimeNs()).toBe(Infinity);
    expect(engine.step()).toBe(false);
  });

  it('asks every model for its next event, advances all of them to the earliest, and stops when none is left', () => {
    const engine = new Engine();
    const a = new ScriptedModel([10, 40]);
    const b = new ScriptedModel([25]);
    engine.addModel(a);
    engine.addModel(b);
    engine.run();
    // Earliest across both models each step: 10 (a), 25 (b), 40 (a); then both say Infinity.
    expect(a.advancedTo).toEqual([10, 25, 40]);
    expect(b.advancedTo).toEqual([10, 25, 40]);
    expect(engine.nowNs).toBe(40);
    expect(engine.step()).toBe(false);
  });

  it('runs timers due at a step after the models, in (time, seq) order, at that time', () => {
    const engine = new Engine();
    const log: string[] = [];
    const model = new ScriptedModel([5]);
    engine.addModel({
      nextEventTimeNs: () => model.nextEventTimeNs(),
      advanceTo: (t) => {
        model.advanceTo(t);
        log.push(`model@${t}`);
      },
    });
    engine.at(5, (t) => log.push(`first@${t}`));
    engine.at(5, (t) => log.push(`second@${t}`));
    engine.after(3, (t) => log.push(`early@${t}`));
    engine.run();
    expect(log).toEqual(['model@3', 'early@3', 'model@5', 'first@5', 'second@5']);
  });

  it('lets a timer schedule more work, which the same run picks up', () => {
    const engine = new Engine();
    const times: number[] = [];
    const tick = (t: number): void => {
      times.push(t);
      if (times.length < 4) engine.after(7, tick);
    };
    engine.at(1, tick);
    engine.run();
    expect(times).toEqual([1, 8, 15, 22]);
  });

  it('run(untilNs) stops before the first event past the limit', () => {
    const engine = new Engine();
    const fired: number[] = [];
    [10, 20, 30].forEach((t) => engine.at(t, () => fired.push(t)));
    engine.run(20);
    expect(fired).toEqual([10, 20]);
    expect(engine.nowNs).toBe(20);
    expect(engine.nextEventTimeNs()).toBe(30);
  });

  it('refuses to schedule in the past or with a negative delay', () => {
    const engine = new Engine();
    engine.at(10, () => {});
    engine.run();
    expect(() => engine.at(5, () => {})).toThrow(/cannot schedule at 5 ns, the clock is already at 10 ns/);
    expect(() => engine.after(-1, () => {})).toThrow(/delay must be >= 0 ns, got -1/);
    expect(() => engine.after(NaN, () => {})).toThrow(/got NaN/);
  });
});
