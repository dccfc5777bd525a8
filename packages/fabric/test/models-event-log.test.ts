import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventLog, eventBefore } from '../src/models/event-log.js';
import type { TransferEvent } from '../src/types.js';

const KINDS = ['sent', 'delivered', 'stranded'] as const;

/** The released events as drain hands them to a sink, made into objects. */
function drained(log: EventLog): TransferEvent[] {
  const events: TransferEvent[] = [];
  log.drain({
    sent: (transferId, timeNs) => void events.push({ kind: 'sent', transferId, timeNs }),
    delivered: (transferId, timeNs) => void events.push({ kind: 'delivered', transferId, timeNs }),
    stranded: (transferId, timeNs, linkId, cause) => void events.push({ kind: 'stranded', transferId, timeNs, linkId, cause }),
  });
  return events;
}

describe('EventLog', () => {
  it('hands out every released event once, in (time, transfer, kind) order, through any history (take and drain alike)', () => {
    // Few distinct times (lock-step runs), transfers scheduled out of id order, events at
    // the current instant after a release at it (a late fault, a zero-byte transfer).
    const op = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant('schedule' as const), ahead: fc.integer({ min: -2, max: 6 }), transfer: fc.nat({ max: 40 }), type: fc.nat({ max: 2 }) }), weight: 6 },
      { arbitrary: fc.record({ kind: fc.constant('release' as const), ahead: fc.integer({ min: 0, max: 3 }) }), weight: 2 },
      { arbitrary: fc.record({ kind: fc.constant('take' as const), drain: fc.boolean() }), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const log = new EventLog();
        let nowNs = 0;
        // The reference: pending and released events as lists; take gives the released ones sorted.
        let pending: TransferEvent[] = [];
        let released: TransferEvent[] = [];
        const used = new Set<string>();
        for (const o of ops) {
          if (o.kind === 'schedule') {
            const kind = KINDS[o.type]!;
            // (time, transfer, kind) is unique per event in the network: skip repeats.
            const timeNs = Math.max(0, nowNs + o.ahead * 125);
            if (used.has(`${o.transfer}/${kind}`)) continue;
            used.add(`${o.transfer}/${kind}`);
            const event: TransferEvent = kind === 'stranded' ? { kind, transferId: o.transfer, timeNs, linkId: `l${o.transfer}`, cause: 'pinned' } : { kind, transferId: o.transfer, timeNs };
            log.schedule(event);
            pending.push(event);
          } else if (o.kind === 'release') {
            nowNs += o.ahead * 125;
            log.release(nowNs);
            released = released.concat(pending.filter((event) => event.timeNs <= nowNs));
            pending = pending.filter((event) => event.timeNs > nowNs);
          } else {
            const expected = [...released].sort((a, b) => (eventBefore(a, b) ? -1 : eventBefore(b, a) ? 1 : 0));
            expect(o.drain ? drained(log) : log.take()).toEqual(expected);
            released = [];
          }
          expect(log.readyCount()).toBe(released.length);
          expect(log.nextTimeNs()).toBe(pending.length === 0 ? Infinity : Math.min(...pending.map((event) => event.timeNs)));
          const waiting: string[] = [];
          log.forEachPending((transferId, kindRank, timeNs) => void waiting.push(`${transferId}/${KINDS[kindRank]}@${timeNs}`));
          expect(waiting.sort()).toEqual(pending.map((event) => `${event.transferId}/${event.kind}@${event.timeNs}`).sort());
        }
      }),
      { numRuns: 300, seed: 13 },
    );
  });

  it('puts a bucket scheduled out of transfer order in order when it is released', () => {
    const log = new EventLog();
    log.schedule({ kind: 'delivered', transferId: 5, timeNs: 10 });
    log.schedule({ kind: 'sent', transferId: 7, timeNs: 10 });
    log.schedule({ kind: 'sent', transferId: 5, timeNs: 10 });
    log.schedule({ kind: 'sent', transferId: 2, timeNs: 20 });
    log.release(20);
    expect(log.take().map((event) => `${event.transferId}${event.kind}@${event.timeNs}`)).toEqual(['5sent@10', '5delivered@10', '7sent@10', '2sent@20']);
  });
});
