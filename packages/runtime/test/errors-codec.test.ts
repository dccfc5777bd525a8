/**
 * Errors cross a thread boundary as structured-clone data (encodeError) and come back as
 * their own class with their fields (reviveError): what a worker throws is what the caller
 * catches. Each case round-trips through structuredClone, as postMessage would.
 */
import { describe, expect, it } from 'vitest';
import { WeftInputError } from '@weft/sim';
import { DeadlockError, encodeError, ProtocolError, RankError, reviveError, TransferStrandedError } from '@weft/runtime/core';

const roundTrip = (error: unknown) => reviveError(structuredClone(encodeError(error)));

describe('encodeError / reviveError', () => {
  it('keeps the class, message, fields and stack of the runtime errors and WeftInputError', () => {
    const stranded = roundTrip(new TransferStrandedError(7, 'sw0->n1', 1000, 'rank 0 → rank 1, channel 0, 64 bytes'));
    expect(stranded).toBeInstanceOf(TransferStrandedError);
    expect(stranded).toMatchObject({ transferId: 7, linkId: 'sw0->n1', timeNs: 1000, description: 'rank 0 → rank 1, channel 0, 64 bytes' });
    const pending = [{ participant: 2, label: 'rank 2', ops: ['recv from rank 1 on channel 0 (message 0)'] }];
    const deadlock = roundTrip(new DeadlockError(5, pending));
    expect(deadlock).toBeInstanceOf(DeadlockError);
    expect((deadlock as DeadlockError).pending).toEqual(pending);
    expect(roundTrip(new ProtocolError('bad'))).toBeInstanceOf(ProtocolError);
    const input = new WeftInputError('count must be >= 0');
    const revived = roundTrip(input);
    expect(revived).toBeInstanceOf(WeftInputError);
    expect(revived.stack).toBe(input.stack);
  });

  it('a RankError keeps its cause; an unknown class keeps its name and fields', () => {
    const cause = Object.assign(new Error('diverged at step 3'), { name: 'DivergedError', step: 3 });
    const rank = roundTrip(new RankError(1, 'rank 1', cause.message, cause.stack, cause));
    expect(rank).toBeInstanceOf(RankError);
    expect(rank).toMatchObject({ rank: 1, label: 'rank 1', message: 'rank 1 failed: diverged at step 3' });
    expect(rank.cause).toBeInstanceOf(Error);
    expect(rank.cause).toMatchObject({ name: 'DivergedError', message: 'diverged at step 3', step: 3 });
    expect(roundTrip('a string')).toMatchObject({ name: 'Error', message: 'a string' });
  });
});
