/**
 * Errors cross a thread boundary as structured-clone data (encodeError) and come back as
 * their own class with their fields (reviveError): what a worker throws is what the caller
 * catches. Each case round-trips through structuredClone, as postMessage would.
 */
import { describe, expect, it } from 'vitest';
import { WeftInputError } from '@weft/sim';
import { channelName, COLLECTIVE_CHANNEL_BASE, DeadlockError, encodeError, ProtocolError, RankError, reviveError, TransferStrandedError } from '@weft/runtime/core';

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

  it("a deadlock's message is one line: the time in µs, the first three waiting and how many more", () => {
    const waiting = (r: number, ops: string[]) => ({ participant: r, label: `rank ${r}`, ops });
    const one = new DeadlockError(172841.78014423136, [waiting(1, ['recv from rank 0 on channel 0 (message 141)'])]);
    expect(one.message).toBe('deadlock at 172.84 µs: every participant is waiting and nothing is in flight; waiting: rank 1: recv from rank 0 on channel 0 (message 141)');
    const many = Array.from({ length: 72 }, (_, r) => waiting(r, r === 1 ? ['recv a', 'recv b', 'recv c'] : r === 2 ? [] : [`recv from rank ${(r + 71) % 72} on channel 0 (message 0)`]));
    expect(new DeadlockError(1_234_567_891.234, many).message).toBe(
      'deadlock at 1,234,567.89 µs: every participant is waiting and nothing is in flight; waiting: rank 0: recv from rank 71 on channel 0 (message 0); rank 1: recv a (and 2 more operations); rank 2: no pending operation; and 69 more waiting',
    );
    expect(roundTrip(new DeadlockError(0, many)).message).toBe(new DeadlockError(0, many).message);
  });

  it("names a collective call's channels as the collective's own (not the internal number)", () => {
    expect(channelName(3)).toBe('channel 3');
    expect(channelName(COLLECTIVE_CHANNEL_BASE)).toBe('collective channel 0');
    expect(channelName(COLLECTIVE_CHANNEL_BASE + 2)).toBe('collective channel 2');
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
