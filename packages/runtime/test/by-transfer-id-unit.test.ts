/**
 * The coordinator's in-flight table (core/coordinator/by-transfer-id.ts) against a Map: any
 * interleaving of increasing sets (with gaps), out-of-order ids, gets and deletes gives the
 * Map's answers, across the ring's growth and its window sliding past delivered ids.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByTransferId } from '../src/core/coordinator/by-transfer-id.js';

describe('ByTransferId', () => {
  it('property: answers every get as a Map would, whatever the order of sets and deletes', () => {
    const op = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant('set' as const), gap: fc.nat(3000) }), weight: 4 },
      { arbitrary: fc.record({ kind: fc.constant('setAny' as const), id: fc.nat(20000) }), weight: 1 },
      { arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }), weight: 4 },
      { arbitrary: fc.record({ kind: fc.constant('get' as const), id: fc.nat(20000) }), weight: 2 },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const table = new ByTransferId<number>();
        const reference = new Map<number, number>();
        let next = 0;
        let value = 0;
        for (const step of ops) {
          if (step.kind === 'set' || step.kind === 'setAny') {
            const id = step.kind === 'set' ? next + (step.gap < 2900 ? 0 : step.gap) : step.id;
            if (reference.has(id)) continue; // a transfer id is set once
            next = Math.max(next, id + 1);
            table.set(id, ++value);
            reference.set(id, value);
          } else if (step.kind === 'delete') {
            const live = [...reference.keys()];
            if (live.length === 0) continue;
            const id = live[step.pick % live.length]!;
            table.delete(id);
            reference.delete(id);
          } else {
            expect(table.get(step.id)).toBe(reference.get(step.id));
          }
          for (const id of reference.keys()) expect(table.get(id)).toBe(reference.get(id));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps 100,000 ids in flight and finds each (the ring grows), then slides past them', () => {
    const table = new ByTransferId<string>();
    for (let id = 0; id < 100_000; id++) table.set(id, `m${id}`);
    expect(table.get(0)).toBe('m0');
    expect(table.get(99_999)).toBe('m99999');
    expect(table.get(100_000)).toBeUndefined();
    for (let id = 0; id < 100_000; id += 2) table.delete(id);
    expect(table.get(0)).toBeUndefined();
    expect(table.get(1)).toBe('m1');
    for (let id = 1; id < 100_000; id += 2) table.delete(id);
    table.set(100_000, 'late');
    expect(table.get(100_000)).toBe('late');
    expect(table.get(99_999)).toBeUndefined();
  });
});
