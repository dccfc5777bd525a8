import { describe, expect, it } from 'vitest';
import { decodeStep, PRIMITIVES, type Step } from '../src/steps.js';

const a = { buffer: 'input', offset: 0, count: 4 } as const;
const b = { buffer: 'output', offset: 4, count: 4 } as const;

describe('step decoder (NCCL primitives as flags)', () => {
  it('decodes every primitive into receive / combine / send', () => {
    const steps: Step[] = [
      { op: 'send', peer: 3, src: a },
      { op: 'recv', peer: 2, dst: b },
      { op: 'recvReduce', peer: 2, dst: b },
      { op: 'recvCopySend', peer: 2, sendPeer: 5, dst: b },
      { op: 'recvReduceCopySend', peer: 2, sendPeer: 5, dst: b },
      { op: 'copy', src: a, dst: b },
      { op: 'reduce', src: a, dst: b },
    ];
    // Every primitive of the table appears once.
    expect(steps.map((s) => s.op).sort()).toEqual(Object.keys(PRIMITIVES).sort());
    expect(steps.map(decodeStep)).toEqual([
      { recvPeer: -1, src: a, combine: 'none', dst: null, sendPeer: 3, sendPeers: [3], sent: a, sendChannel: -1 },
      { recvPeer: 2, src: null, combine: 'copy', dst: b, sendPeer: -1, sendPeers: [], sent: null, sendChannel: -1 },
      { recvPeer: 2, src: null, combine: 'reduce', dst: b, sendPeer: -1, sendPeers: [], sent: null, sendChannel: -1 },
      { recvPeer: 2, src: null, combine: 'copy', dst: b, sendPeer: 5, sendPeers: [5], sent: b, sendChannel: -1 },
      { recvPeer: 2, src: null, combine: 'reduce', dst: b, sendPeer: 5, sendPeers: [5], sent: b, sendChannel: -1 },
      { recvPeer: -1, src: a, combine: 'copy', dst: b, sendPeer: -1, sendPeers: [], sent: null, sendChannel: -1 },
      { recvPeer: -1, src: a, combine: 'reduce', dst: b, sendPeer: -1, sendPeers: [], sent: null, sendChannel: -1 },
    ]);
  });

  it('a sending step may post on another channel\'s connection (sendChannel; NCCL\'s tree root)', () => {
    expect(decodeStep({ op: 'recvReduceCopySend', peer: 2, sendPeer: 5, dst: b, sendChannel: 7 }).sendChannel).toBe(7);
    expect(decodeStep({ op: 'send', peer: 3, src: a, sendChannel: 1 }).sendChannel).toBe(1);
  });

  it('a sending step may post to several peers at once (fanOut; NCCL\'s tree sendPeers)', () => {
    expect(decodeStep({ op: 'recvCopySend', peer: 2, sendPeer: 5, fanOut: [6, 7], dst: b }).sendPeers).toEqual([5, 6, 7]);
    expect(decodeStep({ op: 'send', peer: 3, src: a, fanOut: [4] }).sendPeers).toEqual([3, 4]);
    // Only the send micro-action reads it.
    expect(decodeStep({ op: 'recv', peer: 2, dst: b, fanOut: [4] } as unknown as Step).sendPeers).toEqual([]);
  });

  it('refuses an op that is not a primitive, naming the accepted ones', () => {
    expect(() => decodeStep({ op: 'multicast' } as unknown as Step)).toThrow(/unknown step op 'multicast'; accepted: send, recv/);
    expect(() => decodeStep({ op: 'constructor' } as unknown as Step)).toThrow(/unknown step op 'constructor'/);
  });
});
