import { describe, expect, it } from 'vitest';
import type { Schedule } from '@weft/collectives';
import { parseTopologySpec } from '@weft/fabric';
import { isWeftInputError, WeftInputError } from '@weft/sim';
import { createCluster, DeadlockError, liveWorkerCount, RankError, TransferStrandedError } from '@weft/runtime';
import { network, plan } from './helpers.js';

const fixtures = new URL('./fixtures/programs.mjs', import.meta.url).href;
const topology = parseTopologySpec('switch:4');

/** Two ranks that each wait for the other before sending: a textbook deadlock. */
function crossedRecvs(): Schedule {
  const slice = { buffer: 'output' as const, offset: 0, count: 4 };
  const input = { buffer: 'input' as const, offset: 0, count: 4 };
  const rank = (peer: number) => ({ kind: 'rank' as const, channels: [[{ op: 'recv' as const, peer, dst: slice }, { op: 'send' as const, peer, src: input }]] });
  const idle = { kind: 'rank' as const, channels: [] };
  return {
    collective: 'allReduce',
    algorithm: 'crossed',
    nranks: 4,
    count: 4,
    root: 0,
    bufferCounts: { input: 4, output: 4, scratch: 0 },
    participants: [rank(1), rank(0), idle, idle],
  };
}

describe('failures end runs with errors that name the cause', () => {
  for (const mode of ['ghost', 'data'] as const) {
    it(`a deadlocked schedule names each rank's pending recv (${mode})`, async () => {
      const cluster = await createCluster({ topology, network: network(), mode, ranksPerWorker: 2 });
      const error = await cluster.runSchedule(crossedRecvs(), { dtype: 'float32', op: 'sum', check: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeadlockError);
      const message = (error as Error).message;
      expect(message).toContain('rank 0: recv from rank 1 on channel 0');
      expect(message).toContain('rank 1: recv from rank 0 on channel 0');
      expect(message).not.toContain('rank 2');
      expect((error as DeadlockError).pending.map((p) => p.participant)).toEqual([0, 1]);
      await cluster.close();
      expect(liveWorkerCount()).toBe(0);
    });
  }

  it('a deadlocked program keeps every rank waiting in `pending` and names the first three in one line (data mode)', async () => {
    const cluster = await createCluster({ topology, network: network(), mode: 'data', ranksPerWorker: 2 });
    const error = await cluster.runProgram(fixtures, 'deadlock').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlockError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(/^deadlock at [\d,.]+ µs: every participant is waiting and nothing is in flight; waiting: /);
    for (let r = 0; r < 3; r++) expect(message).toContain(`rank ${r}: recv from rank ${(r + 1) % 4} on channel 0`);
    expect(message).toMatch(/; and 1 more waiting$/);
    expect((error as DeadlockError).pending.map((p) => p.ops[0])).toEqual([0, 1, 2, 3].map((r) => expect.stringContaining(`recv from rank ${(r + 1) % 4} on channel 0`)));
    expect(liveWorkerCount()).toBe(0); // a failed run closes the cluster
  });

  it('a throwing rank ends the run with a RankError and leaves no worker behind', async () => {
    const cluster = await createCluster({ topology, network: network(), mode: 'data', ranksPerWorker: 1 });
    expect(liveWorkerCount()).toBe(4);
    const error = await cluster.runProgram(fixtures, 'throws').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RankError);
    expect((error as RankError).rank).toBe(2);
    expect((error as Error).message).toBe('rank 2 failed: boom at rank 2');
    expect(liveWorkerCount()).toBe(0);
    await expect(cluster.runSchedule(plan('allReduce', 'ring', topology, 8), { dtype: 'float32', op: 'sum' })).rejects.toThrow(/closed after an error/);
  });

  it('a worker dying outside rank code is a RankError for its ranks, and the rest are terminated', async () => {
    const cluster = await createCluster({ topology, network: network(), mode: 'data', ranksPerWorker: 1 });
    const error = await cluster.runProgram('packages/runtime/test/fixtures/programs.mjs', 'crashWorker').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RankError);
    expect((error as RankError).rank).toBe(1);
    expect((error as Error).message).toMatch(/worker thread \(ranks 1\) failed: timer exploded/);
    expect(liveWorkerCount()).toBe(0);
  });

  for (const mode of ['ghost', 'data'] as const) {
    it(`a rank's error keeps its class across the worker boundary (${mode})`, async () => {
      // A failed data-mode run closes its cluster: one cluster per error.
      const run = async (kind: string): Promise<Error> => {
        const cluster = await createCluster({ topology, network: network(), mode, ranksPerWorker: 2 });
        try {
          return (await cluster.runProgram(fixtures, 'throwsTyped', { kind }).catch((e: unknown) => e)) as Error;
        } finally {
          await cluster.close();
        }
      };
      const input = await run('input');
      expect(input).toBeInstanceOf(RankError);
      expect((input as RankError).rank).toBe(1);
      expect(input.message).toBe('rank 1 failed: bad size at rank 1');
      expect(input.cause).toBeInstanceOf(WeftInputError);
      expect((input.cause as Error).message).toBe('bad size at rank 1');
      expect((input as RankError).rankStack).toMatch(/^WeftInputError: bad size at rank 1\n/);
      const plain = await run('plain');
      expect(plain).toBeInstanceOf(RankError);
      expect(plain.cause).toMatchObject({ name: 'CustomError', message: 'plain at rank 1', code: 42 });
      const deadlock = await run('deadlock');
      expect(deadlock).toBeInstanceOf(DeadlockError);
      expect(deadlock.name).toBe('DeadlockError');
      expect((deadlock as DeadlockError).pending).toEqual([{ participant: 1, label: 'rank 1', ops: ['recv from rank 0 on channel 0'] }]);
      expect(liveWorkerCount()).toBe(0);
    });
  }

  it('a control call that throws a WeftInputError in a worker rejects with a WeftInputError', async () => {
    const cluster = await createCluster({ topology, network: network(), mode: 'data', ranksPerWorker: 2 });
    const error = await cluster.runProgram(fixtures, 'noSuchExport').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeftInputError);
    expect((error as Error).message).toMatch(/has no function export 'noSuchExport'/);
    expect(liveWorkerCount()).toBe(0);
  });

  it('refuses a data-mode size over the memory budget up front, suggesting ghost mode', async () => {
    const cluster = await createCluster({ topology, network: network(), mode: 'data', ranksPerWorker: 4 });
    try {
      // 2^30 floats in and out on 4 ranks = 32 GiB, over half of any CI machine's memory.
      const error = await cluster.runSchedule(plan('allReduce', 'ring', topology, 2 ** 30), { dtype: 'float32', op: 'sum' }).catch((e: unknown) => e);
      expect(isWeftInputError(error)).toBe(true);
      expect((error as Error).message).toMatch(/32\.00 GiB of rank buffers.*over the data-mode budget.*mode: 'ghost'/);
    } finally {
      await cluster.close();
    }
    const small = await createCluster({ topology, network: network(), mode: 'data', ranksPerWorker: 4, memoryBudgetBytes: 1e6 });
    await expect(small.runSchedule(plan('allReduce', 'ring', topology, 2 ** 20), { dtype: 'float32', op: 'sum' })).rejects.toThrow(/over the data-mode budget of 0\.00 GiB/);
    await small.close();
    expect(liveWorkerCount()).toBe(0);
  });

  it('a transfer stranded by a failed link names the transfer and the link', async () => {
    const cluster = await createCluster({ topology, network: network('maxMin'), mode: 'ghost' });
    const linkId = topology.links.find((l) => l.from === topology.ranks[0])!.id;
    const error = await cluster
      .runSchedule(plan('allReduce', 'ring-rankorder', topology, 1 << 16), { dtype: 'float32', op: 'sum', faults: [{ kind: 'failLink', linkId, atNs: 1000 }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransferStrandedError);
    expect((error as TransferStrandedError).linkId).toBe(linkId);
    expect((error as Error).message).toMatch(new RegExp(`transfer \\d+ \\(rank 0 → rank 1, channel 0, 65536 bytes\\) stranded at 1000 ns: link ${linkId.replace(/[>-]/g, '.')}`));
  });

  it('a schedule that leaves a message unreceived is an error, not a silent finish', async () => {
    const cluster = await createCluster({ topology, network: network(), mode: 'data', ranksPerWorker: 4 });
    try {
      // The textbook ring: one message per step (NCCL's ring under Simple moves each in two slices).
      const good = plan('allReduce', 'ring-rankorder', topology, 1000);
      // Drop rank 3's last step (its final recv): rank 2's last message is never received.
      const broken: Schedule = {
        ...good,
        participants: good.participants.map((p, r) => (r === 3 ? { ...p, channels: p.channels.map((steps) => steps.slice(0, -1)) } : p)),
      };
      await expect(cluster.runSchedule(broken, { dtype: 'float32', op: 'sum' })).rejects.toThrow(/rank 2 → rank 3 on channel 0: 6 messages sent, 5 received/);
    } finally {
      await cluster.close();
    }
  });

  it('#wrong counts a wrong result (the check can fail), and caller inputs are used', async () => {
    const cluster = await createCluster({ topology, network: network(), mode: 'data', ranksPerWorker: 4 });
    try {
      const good = plan('allReduce', 'ring-rankorder', topology, 1000);
      expect((await cluster.runSchedule(good, { dtype: 'float32', op: 'sum' })).wrong).toBe(0);
      // Rank 0 forgets to add its contribution to one block (recvCopySend instead of
      // recvReduceCopySend): that 250-element block is wrong on all 4 ranks.
      let patched = false;
      const wrongOp: Schedule = {
        ...good,
        participants: good.participants.map((p, r) =>
          r !== 0
            ? p
            : {
                ...p,
                channels: p.channels.map((steps) =>
                  steps.map((step) => {
                    if (patched || step.op !== 'recvReduceCopySend') return step;
                    patched = true;
                    return { ...step, op: 'recvCopySend' as const };
                  }),
                ),
              },
        ),
      };
      expect(patched).toBe(true);
      expect((await cluster.runSchedule(wrongOp, { dtype: 'float32', op: 'sum' })).wrong).toBe(1000);
      const inputs = Array.from({ length: 4 }, (_, r) => new Float32Array(1000).fill(r + 0.5));
      const custom = await cluster.runSchedule(good, { dtype: 'float32', op: 'sum', check: false, inputs });
      expect(custom.wrong).toBe(-1);
      expect(Array.from(cluster.buffers(2).output.subarray(0, 3))).toEqual([8, 8, 8]); // 0.5+1.5+2.5+3.5
    } finally {
      await cluster.close();
    }
  });
});
