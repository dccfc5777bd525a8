/**
 * A free run's layout (core/host/free-run-plan.ts), planned from the tapes: one mailbox slot per
 * message of an iteration on every connection, staging for one iteration of each rank's sends,
 * and no free run (null) for a schedule whose sends and recvs do not pair up per connection.
 */
import { describe, expect, it } from 'vitest';
import type { Schedule } from '@weft/collectives';
import { parseTopologySpec } from '@weft/fabric';
import { blockBytes } from '../dist/core/data/arena.js';
import { barrierWord, connectionKey, freeRunLayout, SLOT_WORDS } from '../dist/core/host/free-run-plan.js';
import { plan } from './helpers.js';

const topology = parseTopologySpec('switch:4');

describe('free-run layout', () => {
  it('ring all-reduce: 4 connections per channel, one slot per chunk message, slots packed after the fixed words', () => {
    // 4 ranks, 2 channels, 1024 elements, 64-element chunks: a channel's tape (512 elements) is
    // 2 passes of send, 3 recvReduceCopySends, 2 recvCopySends and recv, 64 elements each (Simple
    // moves a block under its 32 KiB slice floor whole): 6 messages per pass to the next rank, 12
    // per iteration.
    const schedule = plan('allReduce', 'ring', topology, 1024, { channels: 2, chunkElements: 64 });
    const layout = freeRunLayout(schedule.participants, 4, 2)!;
    expect(layout).not.toBeNull();
    const rows = [];
    for (let i = 0; i < layout.connections.length; i += 3) rows.push([layout.connections[i]!, layout.connections[i + 1]!, layout.connections[i + 2]!]);
    expect(rows.length).toBe(4 * 2); // rank r → r+1 on each of 2 channels
    const keys = new Set(rows.map((r) => r[0]));
    for (let r = 0; r < 4; r++) for (const ch of [0, 1]) expect(keys.has(connectionKey(r, (r + 1) % 4, ch, 4))).toBe(true);
    for (const [, , slots] of rows) expect(slots).toBe(12);
    let word = barrierWord(2, 4);
    for (const [, first, slots] of rows) {
      expect(first).toBe(word);
      word += slots * SLOT_WORDS;
    }
    expect(layout.controlWords).toBe(word);
    // Each rank sends 12 messages of 64 elements (256 bytes) on each of 2 channels.
    expect(layout.sentBlockBytes).toEqual([0, 1, 2, 3].map(() => 2 * 12 * blockBytes(256)));
    expect(layout.maxBlockBytes).toBe(blockBytes(256));
  });

  it('a connection with more sends than recvs per iteration gets no free run (it runs coordinated)', () => {
    const input = { buffer: 'input' as const, offset: 0, count: 4 };
    const rank = (channel: Schedule['participants'][number]['channels'][number]) => ({ kind: 'rank' as const, channels: [channel] });
    const schedule: Schedule = {
      collective: 'allReduce',
      algorithm: 'unpaired',
      nranks: 2,
      count: 4,
      root: 0,
      bufferCounts: { input: 4, output: 4, scratch: 0 },
      participants: [rank([{ op: 'send', peer: 1, src: input }, { op: 'send', peer: 1, src: input }]), rank([{ op: 'recv', peer: 0, dst: { buffer: 'output', offset: 0, count: 4 } }])],
    };
    expect(freeRunLayout(schedule.participants, 4, 1)).toBeNull();
  });
});
