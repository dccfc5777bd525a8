import { describe, expect, it } from 'vitest';
import { checkSchedule } from '../src/checker.js';
import { algorithms, dissemination } from '../src/barrier/index.js';
import type { Schedule } from '../src/types.js';
import { CHANNELS, COST, NRANKS, mutate, params, sendsIn } from './helpers.js';

describe('barrier', () => {
  it('registers dissemination', () => {
    expect(algorithms.map((a) => a.name)).toEqual(expect.arrayContaining(['dissemination']));
    expect(dissemination.collective).toBe('barrier');
  });

  it('passes the checker (every rank hears, causally, from every rank) on nranks 1-17, 24, 32 × channels 1, 2', () => {
    const failures: string[] = [];
    for (const n of NRANKS) {
      for (const channels of CHANNELS) {
        const p = params(n, 0, channels, 0);
        expect(dissemination.unsupported(p)).toBeNull();
        const s = dissemination.plan(p);
        expect(s.bufferCounts).toEqual({ input: 0, output: 0, scratch: 0 });
        const result = checkSchedule(s);
        if (!result.ok) failures.push(`n=${n} channels=${channels}: ${result.error}`);
        // ⌈log2 n⌉ empty messages per rank.
        expect(sendsIn(s)).toBe(n * Math.ceil(Math.log2(n)));
      }
    }
    expect(failures).toEqual([]);
  });

  it('round k: send to r + 2^k, receive from r - 2^k, empty messages', () => {
    const s = dissemination.plan(params(5, 0));
    expect(s.participants[0]!.channels[0]!.map((st) => `${st.op}:${'peer' in st ? st.peer : ''}`)).toEqual([
      'send:1',
      'recv:4',
      'send:2',
      'recv:3',
      'send:4',
      'recv:1',
    ]);
    expect(s.participants[0]!.channels[0]![0]).toEqual({ op: 'send', peer: 1, src: { buffer: 'input', offset: 0, count: 0 } });
  });

  it('fails the checker when a send is dropped (deadlock) or the last round is missing (no synchronization)', () => {
    for (const n of [3, 5, 8]) {
      const s = dissemination.plan(params(n, 0));
      expect(checkSchedule(s).ok).toBe(true);
      expect(checkSchedule(mutate(s, 1, 0, null))).toMatchObject({ ok: false, error: expect.stringMatching(/deadlock/) });
      // Without the last round a rank has heard from only 2^(rounds-1) < n ranks (itself included).
      const rounds = Math.ceil(Math.log2(n));
      const truncated: Schedule = {
        ...s,
        participants: s.participants.map((p) => ({ ...p, channels: p.channels.map((ch) => ch.slice(0, 2 * (rounds - 1))) })),
      };
      expect(checkSchedule(truncated)).toMatchObject({ ok: false, error: expect.stringMatching(/without hearing from/) });
    }
  });

  it('rejects invalid params with a one-line reason', () => {
    expect(dissemination.unsupported({ ...params(4, 0), nranks: 0 })).toMatch(/nranks/);
    expect(dissemination.unsupported({ ...params(4, 0), channels: 0 })).toMatch(/channels/);
  });

  it('predictNs is ⌈log2 n⌉·α', () => {
    expect(dissemination.predictNs(params(1, 0), COST)).toBe(0);
    expect(dissemination.predictNs(params(2, 0), COST)).toBe(1000);
    expect(dissemination.predictNs(params(8, 0), COST)).toBe(3 * 1000);
    expect(dissemination.predictNs(params(13, 0), COST)).toBe(4 * 1000);
  });
});
