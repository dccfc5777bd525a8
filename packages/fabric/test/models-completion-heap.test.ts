import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompletionHeap } from '../src/models/completion-heap.js';
import type { FlowState } from '../src/models/flow-state.js';

/** Just what CompletionHeap reads and writes of a flow. */
const flowWith = (id: number) => ({ id, heapSlot: -1 }) as FlowState;

describe('CompletionHeap', () => {
  it('pops in (time, flow id) order through any history of schedules, moves, removals and pops', () => {
    // Few distinct times, so ties between flows (broken by id) are common.
    const time = fc.integer({ min: 0, max: 12 }).map((t) => t * 250);
    const op = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant('schedule' as const), pick: fc.nat(), timeNs: time }), weight: 5 },
      { arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }), weight: 2 },
      { arbitrary: fc.constant({ kind: 'pop' as const }), weight: 2 },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const flows = Array.from({ length: 24 }, (_, id) => flowWith(id));
        const heap = new CompletionHeap();
        // The reference: each flow's one pending time, the earliest (time, id) popped first.
        const pending = new Map<FlowState, number>();
        const earliest = () => [...pending].sort(([a, ta], [b, tb]) => ta - tb || a.id - b.id)[0];
        for (const o of ops) {
          if (o.kind === 'schedule') {
            const flow = flows[o.pick % flows.length]!;
            heap.schedule(o.timeNs, flow);
            pending.set(flow, o.timeNs);
          } else if (o.kind === 'remove') {
            const flow = flows[o.pick % flows.length]!;
            heap.remove(flow);
            pending.delete(flow);
          } else if (pending.size > 0) {
            const [flow, timeNs] = earliest()!;
            expect(heap.nextNs()).toBe(timeNs);
            expect(heap.pop()).toBe(flow);
            pending.delete(flow);
          }
          expect(heap.size).toBe(pending.size);
          expect(heap.nextNs()).toBe(pending.size > 0 ? earliest()![1] : Infinity);
          for (const flow of flows) expect(flow.heapSlot >= 0).toBe(pending.has(flow));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('moves a queued flow to its new time instead of queueing it twice', () => {
    const heap = new CompletionHeap();
    const [a, b] = [flowWith(0), flowWith(1)];
    heap.schedule(100, a);
    heap.schedule(200, b);
    heap.schedule(300, a); // a's rate fell: it now finishes after b
    expect(heap.size).toBe(2);
    expect(heap.pop()).toBe(b);
    expect(heap.nextNs()).toBe(300);
    heap.remove(a);
    expect(heap.nextNs()).toBe(Infinity);
    expect(a.heapSlot).toBe(-1);
  });
});
