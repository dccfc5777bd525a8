import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FlowState } from '../src/models/flow-state.js';
import { LiveFlows } from '../src/models/live-flows.js';

/** Just what LiveFlows reads of a flow: done, and its sub-flows' links. */
const flowWith = (id: number, paths: number[][]) => ({ id, done: false, subflows: paths.map((links) => ({ links })) }) as unknown as FlowState;

describe('LiveFlows', () => {
  it('lists the live flows, and those on a link, in the order per-link Sets kept them, through any history of starts, finishes and dropped paths', () => {
    const LINKS = 6;
    const path = fc.uniqueArray(fc.nat(LINKS - 1), { minLength: 1, maxLength: 4 });
    const op = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant('start' as const), paths: fc.array(path, { minLength: 1, maxLength: 3 }) }), weight: 4 },
      { arbitrary: fc.record({ kind: fc.constant('finish' as const), pick: fc.nat() }), weight: 3 },
      { arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat(), link: fc.nat(LINKS - 1) }), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const list = new LiveFlows();
        // The reference: one Set per link, as the network kept before (joined at start, left on finish or when no sub-flow crosses it).
        const perLink = Array.from({ length: LINKS }, () => new Set<FlowState>());
        const all = new Set<FlowState>();
        let nextId = 0;
        for (const o of ops) {
          const live = [...all];
          if (o.kind === 'start') {
            const flow = flowWith(nextId++, o.paths);
            list.add(flow);
            all.add(flow);
            for (const links of o.paths) for (const link of links) perLink[link]!.add(flow);
          } else if (o.kind === 'finish' && live.length > 0) {
            const flow = live[o.pick % live.length]!;
            flow.done = true;
            list.finished();
            all.delete(flow);
            for (const set of perLink) set.delete(flow);
          } else if (o.kind === 'drop' && live.length > 0) {
            // Adaptive routing around a fault: the sub-flows over the link go, if some other is left.
            const flow = live[o.pick % live.length]!;
            const kept = flow.subflows.filter((subflow) => !subflow.links.includes(o.link));
            if (kept.length === 0 || kept.length === flow.subflows.length) continue;
            flow.subflows = kept;
            for (let link = 0; link < LINKS; link++) if (!kept.some((subflow) => subflow.links.includes(link))) perLink[link]!.delete(flow);
          }
          expect(list.live()).toEqual([...all]);
          for (let link = 0; link < LINKS; link++) expect(list.on(link)).toEqual([...perLink[link]!]);
        }
      }),
    );
  });
});
