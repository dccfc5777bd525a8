/**
 * A connection's waiting messages (core/coordinator/message-table.ts) against the Map it
 * replaced: any interleaving of adds (mostly increasing message numbers, some out of order),
 * takes (mostly the oldest, some any, some absent) gives the Map's answers, its size and its
 * keys in insertion order, across the arrays' compaction and reuse once empty.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageTable } from '../src/core/coordinator/message-table.js';

describe('MessageTable', () => {
  it('property: answers as a Map would (take = get + delete), keys in insertion order', () => {
    const op = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant('add' as const), jump: fc.nat(40) }), weight: 5 },
      { arbitrary: fc.record({ kind: fc.constant('takeOldest' as const) }), weight: 3 },
      { arbitrary: fc.record({ kind: fc.constant('takeAny' as const), message: fc.nat(400) }), weight: 2 },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const table = new MessageTable<string>();
        const reference = new Map<number, string>();
        let next = 0;
        for (const step of ops) {
          if (step.kind === 'add') {
            // Usually the next number; now and then one far ahead or behind (delivered out of order).
            const message = step.jump < 30 ? next : Math.max(0, next + step.jump - 35);
            next = Math.max(next, message + 1);
            if (reference.has(message)) continue; // a message waits once
            table.set(message, `m${message}`);
            reference.set(message, `m${message}`);
          } else {
            const message = step.kind === 'takeAny' ? step.message : (reference.keys().next().value ?? 0);
            const expected = reference.get(message);
            reference.delete(message);
            expect(table.take(message)).toBe(expected);
          }
          expect(table.size).toBe(reference.size);
          expect(table.keys()).toEqual([...reference.keys()]);
        }
      }),
      { numRuns: 300, seed: 32 },
    );
  });

  it('takes an absent message as undefined and keeps the rest', () => {
    const table = new MessageTable<number>();
    table.set(3, 30);
    table.set(1, 10);
    expect(table.take(2)).toBeUndefined();
    expect(table.take(3)).toBe(30);
    expect(table.keys()).toEqual([1]);
    expect(table.take(1)).toBe(10);
    expect(table.size).toBe(0);
    table.set(7, 70);
    expect(table.keys()).toEqual([7]);
  });
});
