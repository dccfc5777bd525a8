/**
 * Data mode's free run (core/host/free-run-host.ts): the workers move a schedule's bytes
 * through shared mailboxes, with no round trip to the coordinator per step, while the
 * coordinator's model decides virtual time. What must hold: the bytes are right (#wrong 0)
 * however many rounds a worker runs ahead and however ranks share a worker; the simulated
 * results are ghost mode's, field for field; no round goes to a worker at all; and a rank
 * that throws inside a worker ends the run with its own error, its peers stopped.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Schedule } from '@weft/collectives';
import { parseTopologySpec } from '@weft/fabric';
import { createCluster, liveWorkerCount, RankError, type RunResult } from '@weft/runtime';
import { WorkerLink } from '../dist/node/worker-link.js';
import { network, plan } from './helpers.js';

const topology = parseTopologySpec('switch:4');

function simulated(r: RunResult) {
  return { timeNs: r.timeNs, events: r.events, rounds: r.rounds, linkStats: r.linkStats, flows: r.flows, steps: r.steps };
}

afterEach(() => vi.restoreAllMocks());

describe('free run: workers move the bytes, the model decides the time', () => {
  for (const ranksPerWorker of [1, 2]) {
    it(`ring all-reduce in 2 K-element chunks, 2 channels, 1 + 3 iterations, ${ranksPerWorker} rank(s) per worker`, async () => {
      // 64 K elements in 2 K chunks: each rank runs ≈ 100 steps per iteration with no round between them.
      const schedule = plan('allReduce', 'ring', topology, 1 << 16, { channels: 2, chunkElements: 2048 });
      const options = { dtype: 'float32', op: 'sum', trace: true, iters: 3, warmupIters: 1 } as const;
      const ghost = await createCluster({ topology, network: network('maxMin', 5), mode: 'ghost' });
      const expected = await ghost.runSchedule(schedule, options);
      const freeRuns = vi.spyOn(WorkerLink.prototype, 'freeRun');
      const wakes = vi.spyOn(WorkerLink.prototype, 'wake');
      const data = await createCluster({ topology, network: network('maxMin', 5), mode: 'data', ranksPerWorker });
      try {
        for (const op of ['sum', 'max'] as const) {
          const result = await data.runSchedule(schedule, { ...options, op, check: true });
          expect(result.wrong).toBe(0);
          if (op === 'sum') expect(simulated(result)).toEqual(simulated(expected));
        }
        expect(expected.rounds).toBeGreaterThan(100);
        expect(freeRuns).toHaveBeenCalledTimes(2 * (4 / ranksPerWorker));
        expect(wakes).not.toHaveBeenCalled();
      } finally {
        await data.close();
      }
    });
  }

  it('a tree (fan-out sends, scratch) and an all-to-all run free with the ghost times, 4 ranks in one worker', async () => {
    const wakes = vi.spyOn(WorkerLink.prototype, 'wake');
    const data = await createCluster({ topology, network: network(), mode: 'data', ranksPerWorker: 4 });
    const ghost = await createCluster({ topology, network: network(), mode: 'ghost' });
    try {
      for (const [collective, algorithm] of [['allReduce', 'tree'], ['allToAll', 'direct'], ['reduceScatter', 'ring']] as const) {
        const schedule = plan(collective, algorithm, topology, 1 << 12, { channels: 2, chunkElements: 256 });
        const options = { dtype: 'int32', op: 'sum', iters: 2 } as const;
        const result = await data.runSchedule(schedule, { ...options, check: true });
        expect(result.wrong, `${collective}/${algorithm}`).toBe(0);
        expect(simulated(result)).toEqual(simulated(await ghost.runSchedule(schedule, options)));
      }
      expect(wakes).not.toHaveBeenCalled();
    } finally {
      await data.close();
    }
  });

  for (const ranksPerWorker of [1, 2]) {
    it(`a rank that throws inside its worker ends the run with its RankError, peers stopped (${ranksPerWorker} per worker)`, async () => {
      // Rank 1 receives rank 0's 4-element message into a 2-element slice (the model, moving
      // byte counts only, does not look); rank 0 then waits for rank 1's reply forever.
      const input = { buffer: 'input' as const, offset: 0, count: 4 };
      const schedule: Schedule = {
        collective: 'allReduce',
        algorithm: 'mismatched',
        nranks: 4,
        count: 4,
        root: 0,
        bufferCounts: { input: 4, output: 4, scratch: 0 },
        participants: [
          { kind: 'rank', channels: [[{ op: 'send', peer: 1, src: input }, { op: 'recv', peer: 1, dst: { buffer: 'output', offset: 0, count: 4 } }]] },
          { kind: 'rank', channels: [[{ op: 'recv', peer: 0, dst: { buffer: 'output', offset: 0, count: 2 } }, { op: 'send', peer: 0, src: input }]] },
          { kind: 'rank', channels: [] },
          { kind: 'rank', channels: [] },
        ],
      };
      const freeRuns = vi.spyOn(WorkerLink.prototype, 'freeRun');
      const cluster = await createCluster({ topology, network: network(), mode: 'data', ranksPerWorker });
      const error = await cluster.runSchedule(schedule, { dtype: 'float32', op: 'sum', check: false }).catch((e: unknown) => e);
      expect(freeRuns).toHaveBeenCalled();
      expect(error).toBeInstanceOf(RankError);
      expect((error as RankError).rank).toBe(1);
      expect((error as Error).message).toBe('rank 1 failed: message of 16 bytes received into a slice of 8 bytes');
      expect(liveWorkerCount()).toBe(0);
    });
  }
});
