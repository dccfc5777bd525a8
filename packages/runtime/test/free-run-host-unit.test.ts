import { describe, expect, it } from 'vitest';
import { FreeRunHost } from '../dist/core/host/free-run-host.js';
import { barrierWord, connectionKey, SLOT_WORDS, type FreeRunPlan } from '../dist/core/host/free-run-plan.js';

/** A one-worker free run over a chain of connections p → p+1 (channel 0), one slot each. */
function chainPlan(n: number): FreeRunPlan {
  const first = barrierWord(1, n);
  const connections = new Float64Array(3 * (n - 1));
  for (let p = 0; p < n - 1; p++) connections.set([connectionKey(p, p + 1, 0, n), first + p * SLOT_WORDS, 1], 3 * p);
  return { control: new SharedArrayBuffer((first + (n - 1) * SLOT_WORDS) * 4), worker: 0, nworkers: 1, workerOf: Array(n).fill(0), connections, waitLimitMs: 1000 };
}

const payload = (byteOffset: number) => ({ arena: 0, byteOffset, bytes: 16, dtype: 0 });

describe('free-run host: a send to a rank of the same worker runs the receiver next (depth first)', () => {
  it('0 → 1 → 2 in one worker: each receiver runs before its sender goes on, and gets the sender’s slice', () => {
    const n = 3;
    // Listed last to first, so every recv is posted (and parked) before its send.
    const host = new FreeRunHost([2, 1, 0], chainPlan(n), 0);
    const log: string[] = [];
    host.setStarters([
      () => host.postRecv(2, 1, 0, (got) => {
        log.push(`2 got ${got?.byteOffset}`);
        host.finish(2);
      }),
      () => host.postRecv(1, 0, 0, (got) => {
        log.push(`1 got ${got?.byteOffset}`);
        host.postSend(1, 2, 0, 16, 16, payload(200), 0, () => {
          log.push('1 sent');
          host.finish(1);
        });
      }),
      () => host.postSend(0, 1, 0, 16, 16, payload(100), 0, () => {
        log.push('0 sent');
        host.finish(0);
      }),
    ]);
    expect(host.run()).toEqual({});
    // First in first out (the order before), this was 0 sent, 1 got, 1 sent, 2 got: each
    // receiver ran after its sender's next step, the slice long out of the cache.
    expect(log).toEqual(['1 got 100', '2 got 200', '1 sent', '0 sent']);
  });
});
