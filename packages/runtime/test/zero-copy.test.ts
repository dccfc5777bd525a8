/**
 * Zero-copy eager sends (core/data/lease.ts): a send lends its slice in place, and a sender
 * that writes the slice before the receiver has read it first copies it out of the way. The
 * schedule here sends its whole output and corrupts it right away, so a receiver that read
 * the sender's buffer as it is after the send would sum the wrong bytes.
 */
import { describe, expect, it } from 'vitest';
import { parseTopologySpec } from '@weft/fabric';
import type { Schedule, Step } from '@weft/collectives';
import { ArenaSet, createCluster, DataPlane, StagingPool, typedBackend } from '@weft/runtime';
import { network } from './helpers.js';

describe('a lent slice stays what was sent', () => {
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true });
  const arenas = new ArenaSet([memory]);
  const plane = new DataPlane(arenas, new StagingPool(arenas), typedBackend);
  const slice = new Float32Array(memory.buffer, 0, 4);
  const overlapping = new Float32Array(memory.buffer, 8, 4);
  const code = 0; // float32

  it('a write before the read moves the bytes: the receiver sees the values at the send', () => {
    plane.reset({ arena: 0, byteOffset: 65536, bytes: 65536 });
    slice.set([1, 2, 3, 4]);
    const payload = plane.lend(slice, code);
    expect(payload.byteOffset).toBeGreaterThanOrEqual(65536); // a lease block in staging, not a copy of the bytes in place
    plane.beforeWrite(overlapping);
    overlapping.fill(9);
    expect(Array.from(plane.payloadView(payload, 4))).toEqual([1, 2, 3, 4]);
    plane.release(payload);
    expect(plane.movedBytes).toBe(16);
    expect(plane.pool.blocksInUse()).toBe(0);
  });

  it('a read before the write costs no copy; a write elsewhere moves nothing', () => {
    plane.reset({ arena: 0, byteOffset: 65536, bytes: 65536 });
    slice.set([5, 6, 7, 8]);
    const read = plane.lend(slice, code);
    plane.beforeWrite(new Float32Array(memory.buffer, 64, 4)); // does not overlap
    expect(Array.from(plane.payloadView(read, 4))).toEqual([5, 6, 7, 8]);
    plane.release(read);
    plane.beforeWrite(slice);
    expect(plane.movedBytes).toBe(0);
  });

  it('a slice outside the arena is staged (snapshot) instead', () => {
    plane.reset({ arena: 0, byteOffset: 65536, bytes: 65536 });
    const own = new Float32Array([1, 2]);
    const payload = plane.lend(own, code);
    own.fill(0);
    expect(Array.from(plane.payloadView(payload, 2))).toEqual([1, 2]);
    plane.release(payload);
  });
});

/** Each rank: output := input, send it, overwrite it at once (output := 2 input), restore it, add the peer's. */
function sendThenWrite(count: number): Schedule {
  const whole = (buffer: 'input' | 'output') => ({ buffer, offset: 0, count });
  const steps = (peer: number): Step[] => [
    { op: 'copy', src: whole('input'), dst: whole('output') },
    { op: 'send', peer, src: whole('output') },
    { op: 'reduce', src: whole('input'), dst: whole('output') },
    { op: 'copy', src: whole('input'), dst: whole('output') },
    { op: 'recvReduce', peer, dst: whole('output') },
  ];
  return {
    collective: 'allReduce',
    algorithm: 'send-then-write',
    nranks: 2,
    count,
    root: 0,
    bufferCounts: { input: count, output: count, scratch: 0 },
    participants: [0, 1].map((r) => ({ kind: 'rank' as const, channels: [steps(1 - r)] })),
  };
}

describe('a sender writing a slice right after sending it, in real threads', () => {
  for (const ranksPerWorker of [1, 2]) {
    it(`the receiver still sums what was sent (#wrong 0; ${ranksPerWorker} rank(s) per worker)`, async () => {
      // 1 µs of latency: each send completes (and its sender overwrites the slice) a round before it arrives.
      const topology = parseTopologySpec('switch:2,linkBw=100GB/s,linkLatency=1us,efficiency=1');
      const cluster = await createCluster({ topology, network: network(), mode: 'data', ranksPerWorker });
      try {
        for (const count of [1, 4096, 1 << 20]) {
          const result = await cluster.runSchedule(sendThenWrite(count), { dtype: 'float32', op: 'sum', iters: 2, trace: true });
          expect(result.wrong).toBe(0);
          // The overwrite (reduce) ends, in virtual time, before the peer's recvReduce completes.
          for (const rank of [0, 1]) {
            const overwrite = result.steps.find((s) => s.participant === rank && s.op === 'reduce')!;
            const read = result.steps.find((s) => s.participant === 1 - rank && s.op === 'recvReduce')!;
            expect(overwrite.endNs).toBeLessThan(read.endNs);
          }
        }
      } finally {
        await cluster.close();
      }
    });
  }
});
