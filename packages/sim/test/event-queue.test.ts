import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue, MinHeap } from '../src/index.js';

/** Pops everything left in `queue`, in order. */
function drain<T>(queue: EventQueue<T>): T[] {
  const out: T[] = [];
  for (let event = queue.pop(); event !== undefined; event = queue.pop()) out.push(event.payload);
  return out;
}

describe('EventQueue: (time, seq) order', () => {
  it('pops by time first, whatever the push order', () => {
    const queue = new EventQueue<string>();
    queue.push(30, 'c');
    queue.push(10, 'a');
    queue.push(20, 'b');
    expect(drain(queue)).toEqual(['a', 'b', 'c']);
  });

  it('pops events at the same time in the order they were pushed (seq)', () => {
    const queue = new EventQueue<string>();
    queue.push(5, 'first');
    queue.push(1, 'early');
    queue.push(5, 'second');
    queue.push(5, 'third');
    expect(drain(queue)).toEqual(['early', 'first', 'second', 'third']);
  });

  it('numbers events 0, 1, 2 … as pushed, and reports its size', () => {
    const queue = new EventQueue<null>();
    expect([queue.push(9, null).seq, queue.push(3, null).seq, queue.push(3, null).seq]).toEqual([0, 1, 2]);
    expect(queue.size).toBe(3);
    expect(queue.peek()).toMatchObject({ timeNs: 3, seq: 1 });
  });

  it('peeks Infinity and pops undefined when empty', () => {
    const queue = new EventQueue<number>();
    expect(queue.peekTimeNs()).toBe(Infinity);
    expect(queue.peek()).toBeUndefined();
    expect(queue.pop()).toBeUndefined();
  });

  it('popUntil takes every event up to and including the limit, in order, and leaves the rest', () => {
    const queue = new EventQueue<string>();
    queue.push(2, 'b1');
    queue.push(3, 'c');
    queue.push(1, 'a');
    queue.push(2, 'b2');
    expect(queue.popUntil(2).map((e) => e.payload)).toEqual(['a', 'b1', 'b2']);
    expect(queue.peekTimeNs()).toBe(3);
  });

  it('rejects a time that is not finite', () => {
    const queue = new EventQueue<null>();
    expect(() => queue.push(NaN, null)).toThrow(/finite, got NaN/);
    expect(() => queue.push(Infinity, null)).toThrow(/finite, got Infinity/);
  });

  it('property: any pushes pop in non-decreasing time, FIFO among equal times', () => {
    // Few distinct times so that ties are common; interleaved pops exercise a half-full heap.
    const op = fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 8 }) }), fc.constant({ pop: true as const }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const queue = new EventQueue<number>();
        // A sorted model: (time, push index), stable. The queue must agree with it exactly.
        let model: { timeNs: number; index: number }[] = [];
        ops.forEach((step, index) => {
          if ('push' in step) {
            queue.push(step.push, index);
            model.push({ timeNs: step.push, index });
            model = model.sort((a, b) => a.timeNs - b.timeNs || a.index - b.index);
          } else {
            expect(queue.pop()?.payload).toBe(model.shift()?.index);
          }
        });
        const rest = queue.popUntil(Infinity);
        expect(rest.map((e) => e.payload)).toEqual(model.map((e) => e.index));
        rest.slice(1).forEach((event, i) => {
          const prev = rest[i]!;
          expect(event.timeNs > prev.timeNs || (event.timeNs === prev.timeNs && event.seq > prev.seq)).toBe(true);
        });
      }),
    );
  });
});

describe('MinHeap', () => {
  it('property: pops in the caller order; retain keeps exactly the kept items, still in order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 })), fc.integer({ min: 2, max: 5 }), (values, modulus) => {
        const heap = new MinHeap<number>((a, b) => a < b);
        values.forEach((v) => heap.push(v));
        heap.retain((v) => v % modulus !== 0);
        const popped: number[] = [];
        for (let v = heap.pop(); v !== undefined; v = heap.pop()) popped.push(v);
        expect(popped).toEqual(values.filter((v) => v % modulus !== 0).sort((a, b) => a - b));
        expect(heap.size).toBe(0);
      }),
    );
  });

  it('clear empties it', () => {
    const heap = new MinHeap<number>((a, b) => a < b);
    heap.push(1);
    heap.clear();
    expect([heap.size, heap.peek()]).toEqual([0, undefined]);
  });
});
