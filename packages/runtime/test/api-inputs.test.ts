/**
 * The runtime used as a library, with what a caller can get wrong: a reduction op, dtype or
 * backend it does not know is one WeftInputError naming the value and what is accepted (not
 * a TypeError, wrong data or a run that goes on), in data and ghost mode alike. And a
 * schedule written with StepBuilder.reduce runs.
 */
import { describe, expect, it } from 'vitest';
import { checkSchedule, StepBuilder, slice, type Schedule } from '@weft/collectives';
import { parseTopologySpec } from '@weft/fabric';
import { WeftInputError } from '@weft/sim';
import { BACKEND_CHOICES, createCluster, liveWorkerCount, RankError } from '@weft/runtime';
import { network, planParams, plan } from './helpers.js';

const fixtures = new URL('./fixtures/programs.mjs', import.meta.url).href;
const topology = parseTopologySpec('switch:4');
const MODES = ['data', 'ghost'] as const;

/** `fn`'s rejection (the test fails if it resolves). */
async function rejection(fn: () => Promise<unknown>): Promise<Error> {
  const outcome = await fn().then(
    () => undefined,
    (error: unknown) => error as Error,
  );
  if (outcome === undefined) throw new Error('expected a rejection');
  return outcome;
}

/** An all-reduce through rank 0 with the local `reduce` step (StepBuilder.reduce). */
function reduceAtRoot(count: number): Schedule {
  const n = topology.ranks.length;
  const b = new StepBuilder(n, 1);
  b.copy(0, 0, slice('input', 0, count), slice('output', 0, count));
  for (let r = 1; r < n; r++) {
    b.send(r, 0, 0, slice('input', 0, count));
    b.recv(0, 0, r, slice('scratch', (r - 1) * count, count));
    b.reduce(0, 0, slice('scratch', (r - 1) * count, count), slice('output', 0, count));
  }
  for (let r = 1; r < n; r++) {
    b.send(0, 0, r, slice('output', 0, count));
    b.recv(r, 0, 0, slice('output', 0, count));
  }
  return b.build('allReduce', 'reduce-at-root', planParams(topology, count), { input: count, output: count, scratch: (n - 1) * count });
}

describe('reduction ops, dtypes and backends are checked where they enter', () => {
  for (const mode of MODES) {
    it(`runSchedule refuses an unknown op and dtype in one line naming it (${mode})`, async () => {
      const schedule = plan('allReduce', 'ring', topology, 64);
      for (const [options, message] of [
        [{ dtype: 'float32', op: 'xor' }, "op 'xor' is not accepted; use one of sum, prod, min, max, avg"],
        [{ dtype: 'fp4', op: 'sum' }, "dtype 'fp4' is not accepted; use one of int8, uint8, int32, uint32, int64, uint64, half, float, double, bfloat16, float16, float32, float64, char, int, bf16, fp16"],
      ] as const) {
        const cluster = await createCluster({ topology, network: network(), mode });
        const error = await rejection(() => cluster.runSchedule(schedule, { ...options, check: false } as never));
        expect(error).toBeInstanceOf(WeftInputError);
        expect(error.message).toBe(message);
        await cluster.close();
      }
      expect(liveWorkerCount()).toBe(0);
    });

    it(`a program's collective refuses an unknown op: the rank's error, whose cause names it (${mode})`, async () => {
      const cluster = await createCluster({ topology, network: network(), mode });
      const args = { collective: 'allReduce', calls: 1, count: 4, staggerNs: 0, options: { op: 'xor' } };
      const error = await rejection(() => cluster.runProgram(fixtures, 'repeatCollective', args, { inProcess: mode === 'ghost' }));
      expect(error).toBeInstanceOf(RankError);
      expect(error.cause).toBeInstanceOf(WeftInputError);
      expect((error.cause as Error).message).toBe("rank 0: allReduce op 'xor' is not accepted; use one of sum, prod, min, max, avg");
      await cluster.close();
    });
  }

  it("backend 'wasm-simd', the name result.backend reports, is accepted and runs", async () => {
    const cluster = await createCluster({ topology, network: network(), mode: 'data', backend: 'wasm-simd' });
    const result = await cluster.runSchedule(plan('allReduce', 'ring', topology, 999), { dtype: 'float32', op: 'prod' });
    expect([cluster.backend, result.backend, result.wrong]).toEqual(['wasm-simd', 'wasm-simd', 0]);
    await cluster.close();
    expect(BACKEND_CHOICES).toContain('wasm-simd');
  });

  for (const mode of MODES) {
    it(`an unknown backend is refused before any worker starts, listing the accepted ones (${mode})`, async () => {
      const before = liveWorkerCount();
      const error = await rejection(() => createCluster({ topology, network: network(), mode, backend: 'cuda' as never }));
      expect(error).toBeInstanceOf(WeftInputError);
      expect(error.message).toBe("backend 'cuda' is not accepted; use one of auto, typed, wasm-simd, wasm, tfjs");
      expect(liveWorkerCount()).toBe(before);
    });
  }
});

describe('StepBuilder.reduce runs in the runtime', () => {
  it('a schedule reducing locally (rank 0 reduces what it received) gives every rank the reduction, every op, data = ghost time', async () => {
    const schedule = reduceAtRoot(257);
    expect(checkSchedule(schedule)).toEqual({ ok: true });
    const times: number[] = [];
    for (const mode of MODES) {
      const cluster = await createCluster({ topology, network: network(), mode });
      for (const op of ['sum', 'prod', 'min', 'max', 'avg'] as const) {
        const result = await cluster.runSchedule(schedule, { dtype: 'float32', op, check: mode === 'data' });
        if (mode === 'data') expect(result.wrong).toBe(0);
        if (op === 'sum') times.push(result.timeNs);
      }
      await cluster.close();
    }
    expect(times[0]).toBe(times[1]);
  });
});

describe('a hand-built topology is checked where it enters', () => {
  // Before: createCluster took any object; a negative bandwidth or a rank with no link ran on
  // and failed later (or not at all) in ways that named neither.
  const node = (id: string, kind: 'gpu' | 'switch') => ({ id, kind });
  const link = (id: string, from: string, to: string, bandwidthBytesPerSec: number) => ({ id, from, to, bandwidthBytesPerSec, latencyNs: 100 });
  const cases: [string, unknown, string][] = [
    ['negative bandwidth', { nodes: [node('g0', 'gpu'), node('g1', 'gpu'), node('s', 'switch')], links: [link('a', 'g0', 's', -5), link('b', 's', 'g0', 1e9), link('c', 'g1', 's', 1e9), link('d', 's', 'g1', 1e9)], ranks: ['g0', 'g1'] }, 'links[0].bandwidth: -5 B/s on link a is outside the physical range'],
    ['a rank with no link', { nodes: [node('g0', 'gpu'), node('g1', 'gpu'), node('s', 'switch')], links: [link('a', 'g0', 's', 1e9), link('b', 's', 'g0', 1e9)], ranks: ['g0', 'g1'] }, 'topology is disconnected: rank 0 (g0) cannot reach rank 1 (g1)'],
    ['no links array', { nodes: [node('g0', 'gpu')], ranks: ['g0'] }, 'topology.links: expected an array, got nothing'],
    ['a bandwidth given as text', { nodes: [node('g0', 'gpu'), node('s', 'switch')], links: [{ id: 'a', from: 'g0', to: 's', bandwidthBytesPerSec: '400G', latencyNs: 1 }], ranks: ['g0'] }, 'links[0].bandwidthBytesPerSec: expected a number, got string on link a'],
  ];
  for (const mode of MODES) {
    for (const [what, bad, message] of cases) {
      it(`${what}: one WeftInputError naming it, no worker left (${mode})`, async () => {
        const error = await rejection(() => createCluster({ topology: bad as typeof topology, network: network(), mode }));
        expect(error).toBeInstanceOf(WeftInputError);
        expect(error.message).toContain(message);
        expect(liveWorkerCount()).toBe(0);
      });
    }
  }
});
