import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MEMO_MIN_VARIABLES } from '../src/models/fill-memo.js';
import { MaxMinSolver } from '../src/models/max-min-solver.js';

/**
 * The fill memo (max-min-solver.ts "Refills", fill-memo.ts) against the solver without it:
 * every rate and every changed list (ids and order) bit for bit, after histories in which
 * the same structures come back — flows end and new ones start on the same routes (the
 * caller's arrays, shared as the network shares a route's link list), copies are added,
 * capacities change (a fault, a degrade) and change back, weights change.
 */
describe('MaxMinSolver: recalled fillings', () => {
  it('a component that comes back to a structure it had gets that filling’s rates, bit for bit, without a filling', () => {
    const build = (solver: MaxMinSolver) => {
      const links = [solver.addConstraint(10), solver.addConstraint(7), solver.addConstraint(25)];
      // Two routes sharing link 2; a third variable pool on link 1 alone.
      return { routes: [[links[0]!, links[2]!], [links[1]!, links[2]!], [links[1]!]], links };
    };
    const memo = new MaxMinSolver();
    const plain = new MaxMinSolver(true, false);
    const a = build(memo);
    const b = build(plain);
    const ids: number[] = [];
    for (let index = 0; index < 12; index++) {
      ids.push(memo.addVariable(a.routes[index % 3]!));
      plain.addVariable(b.routes[index % 3]!);
    }
    expect(memo.solve()).toEqual(plain.solve());
    // Link 2 carries 10 + 3.5 of its 25: slack, so the re-solves below walk the 8 variables
    // of routes 1 and 2 (on link 1). A flow of route 1 ends, and one starts on the same
    // route, twice: the first comeback fills that 8-variable structure, the second recalls it.
    let newcomer = ids[4]!;
    const recalls: number[] = [];
    for (let round = 0; round < 2; round++) {
      for (const solver of [memo, plain]) solver.removeVariable(newcomer);
      expect(memo.solve()).toEqual(plain.solve());
      newcomer = memo.addVariable(a.routes[1]!);
      expect(plain.addVariable(b.routes[1]!)).toBe(newcomer);
      expect(memo.solve()).toEqual(plain.solve());
      recalls.push(memo.stats().refillsRecalled);
    }
    expect(recalls).toEqual([0, 1]);
    for (const id of [...ids.filter((id) => id !== ids[4]), newcomer]) expect(memo.rateOf(id)).toBe(plain.rateOf(id));
    // The same structure with a capacity changed is not the same: filled, not recalled.
    for (const solver of [memo, plain]) solver.removeVariable(newcomer);
    memo.solve();
    plain.solve();
    for (const solver of [memo, plain]) {
      solver.setCapacity(a.links[2]!, 24);
      solver.addVariable(a.routes[1]!);
    }
    const before = memo.stats().refillsRecalled;
    expect(memo.solve()).toEqual(plain.solve());
    expect(memo.stats().refillsRecalled).toBe(before);
  });

  it('the same constraints and lists with another weight are another structure', () => {
    // 10 · 0.7 summed copy by copy is not 7, so 0.7 / weightSum is not 1/10: other bits.
    const memo = new MaxMinSolver();
    const plain = new MaxMinSolver(true, false);
    const route = [memo.addConstraint(10)];
    plain.addConstraint(10);
    for (const weight of [1, 0.7]) {
      const ids = Array.from({ length: 10 }, () => memo.addVariable(route, weight));
      for (let index = 0; index < 10; index++) plain.addVariable(route, weight);
      expect(memo.solve()).toEqual(plain.solve());
      for (const id of ids) expect(memo.rateOf(id)).toBe(plain.rateOf(id));
      expect(memo.rateOf(ids[0]!)).toBe(10 * (weight / Array.from({ length: 10 }, () => weight).reduce((sum, w) => sum + w, 0)));
      for (const id of ids) for (const solver of [memo, plain]) solver.removeVariable(id);
      expect(memo.solve()).toEqual(plain.solve());
    }
    expect(memo.stats().refillsRecalled).toBe(0);
  });

  it('a component of mixed weights is always filled (its rates depend on the order of the lists)', () => {
    const solver = new MaxMinSolver();
    const link = solver.addConstraint(10);
    const route = [link];
    const ids = Array.from({ length: MEMO_MIN_VARIABLES + 2 }, (_, index) => solver.addVariable(route, index === 0 ? 2 : 1));
    solver.solve();
    solver.removeVariable(ids[1]!);
    solver.solve();
    solver.addVariable(route, 1);
    solver.solve();
    expect(solver.stats().refillsRecalled).toBe(0);
    expect(solver.stats().refillsMissed).toBe(0);
  });

  it('property: with the memo, every rate and changed list equals the solver without it, after any history of recurring structures', () => {
    let recalledInAll = 0;
    let missedInAll = 0;
    const history = fc.integer({ min: 2, max: 7 }).chain((constraintCount) => {
      const constraint = fc.nat(constraintCount - 1);
      // Few capacities, so a changed capacity often changes back.
      const capacity = fc.oneof(fc.constantFrom(0, 5, 10, 40), fc.double({ min: 1e-3, max: 1e12, noNaN: true }));
      const route = fc.uniqueArray(constraint, { minLength: 1, maxLength: 4 });
      const op = fc.oneof(
        // Mostly weight 1: a component of mixed weights is filled, never recalled.
        { arbitrary: fc.record({ kind: fc.constant('add' as const), route: fc.nat(), weight: fc.constantFrom(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 0.7) }), weight: 10 },
        { arbitrary: fc.record({ kind: fc.constant('copy' as const), pick: fc.nat() }), weight: 1 },
        { arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }), weight: 5 },
        // A flow ends and, after a solve, the next one starts on its route (an NVLS chunk).
        { arbitrary: fc.record({ kind: fc.constant('cycle' as const), pick: fc.nat() }), weight: 5 },
        { arbitrary: fc.record({ kind: fc.constant('weight' as const), pick: fc.nat(), weight: fc.constantFrom(1, 3, 0.7) }), weight: 2 },
        { arbitrary: fc.record({ kind: fc.constant('capacity' as const), constraint, capacity }), weight: 1 },
        { arbitrary: fc.record({ kind: fc.constant('solve' as const) }), weight: 5 },
      );
      return fc.record({
        capacities: fc.array(capacity, { minLength: constraintCount, maxLength: constraintCount }),
        routes: fc.array(route, { minLength: 1, maxLength: 5 }),
        ops: fc.array(op, { minLength: 50, maxLength: 400 }),
      });
    });
    fc.assert(
      fc.property(history, ({ capacities, routes, ops }) => {
        const memo = new MaxMinSolver();
        const plain = new MaxMinSolver(true, false);
        const both = [memo, plain];
        for (const capacity of capacities) for (const solver of both) solver.addConstraint(capacity);
        const live: number[] = [];
        /** Each live variable's route and weight. */
        const shapes = new Map<number, { crossing: number[]; weight: number }>();
        const compare = () => {
          expect(memo.solve()).toEqual(plain.solve());
          for (const id of live) expect(memo.rateOf(id)).toBe(plain.rateOf(id));
        };
        for (const op of ops) {
          if (op.kind === 'add') {
            // The route's own array, as the network passes it: identity is what the memo keys on.
            const crossing = routes[op.route % routes.length]!;
            const id = memo.addVariable(crossing, op.weight);
            expect(plain.addVariable(crossing, op.weight)).toBe(id);
            live.push(id);
            shapes.set(id, { crossing, weight: op.weight });
          } else if (op.kind === 'solve') compare();
          else if (op.kind === 'capacity') for (const solver of both) solver.setCapacity(op.constraint, op.capacity);
          else if (live.length > 0) {
            const id = live[op.pick % live.length]!;
            if (op.kind === 'remove') {
              for (const solver of both) solver.removeVariable(id);
              live.splice(live.indexOf(id), 1);
            } else if (op.kind === 'cycle') {
              const { crossing, weight } = shapes.get(id)!;
              for (const solver of both) solver.removeVariable(id);
              live.splice(live.indexOf(id), 1);
              compare();
              const next = memo.addVariable(crossing, weight);
              expect(plain.addVariable(crossing, weight)).toBe(next);
              live.push(next);
              shapes.set(next, { crossing, weight });
              compare();
            } else if (op.kind === 'copy') for (const solver of both) solver.addCopy(id);
            else {
              for (const solver of both) solver.setWeight(id, op.weight);
              shapes.get(id)!.weight = op.weight;
            }
          }
        }
        compare();
        recalledInAll += memo.stats().refillsRecalled;
        missedInAll += memo.stats().refillsMissed;
      }),
      // A pinned seed: how many fillings recur depends on the histories drawn (42–124 recalled over seeds
      // 1–12), and a count near the bound must not make CI flaky. This seed recalls 124, misses 273.
      { numRuns: 400, seed: 4 },
    );
    // The histories did bring structures back (else this would compare fillings only).
    expect(recalledInAll).toBeGreaterThan(50);
    expect(missedInAll).toBeGreaterThan(50);
  });
});
