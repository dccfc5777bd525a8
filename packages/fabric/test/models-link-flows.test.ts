import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FlowState } from '../src/models/flow-state.js';
import { LinkFlows } from '../src/models/link-flows.js';

/** Just what LinkFlows reads of a flow. */
const flowWith = (id: number) => ({ id, done: false }) as FlowState;

describe('LinkFlows', () => {
  it('lists the live flows in the order a Set keeps them, through any history of joins, finishes and reroutes', () => {
    const op = fc.oneof(
      { arbitrary: fc.constant({ kind: 'add' as const }), weight: 4 },
      { arbitrary: fc.record({ kind: fc.constant('finish' as const), pick: fc.nat() }), weight: 3 },
      { arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }), weight: 1 },
      { arbitrary: fc.record({ kind: fc.constant('readd' as const), pick: fc.nat() }), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const list = new LinkFlows();
        const reference = new Set<FlowState>();
        const offLink: FlowState[] = [];
        let nextId = 0;
        for (const o of ops) {
          const live = [...reference];
          if (o.kind === 'add') {
            const flow = flowWith(nextId++);
            list.add(flow);
            reference.add(flow);
          } else if (o.kind === 'finish' && live.length > 0) {
            const flow = live[o.pick % live.length]!;
            flow.done = true;
            list.finished();
            reference.delete(flow);
          } else if (o.kind === 'remove' && live.length > 0) {
            const flow = live[o.pick % live.length]!;
            list.remove(flow);
            reference.delete(flow);
            offLink.push(flow);
          } else if (o.kind === 'readd' && offLink.length > 0) {
            const [flow] = offLink.splice(o.pick % offLink.length, 1);
            list.add(flow!);
            reference.add(flow!);
          }
          if (o.kind !== 'add') expect(list.live()).toEqual([...reference]);
        }
        expect(list.live()).toEqual([...reference]);
      }),
    );
  });
});
