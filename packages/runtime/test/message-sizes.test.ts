/**
 * A message whose size is not its receiving slice's fails ghost mode as it fails data mode:
 * the same RankError, whose cause is the same ProtocolError (`message of N bytes received
 * into a slice of M bytes`), for schedules and for programs whose ranks disagree on a
 * collective's length. Ghost mode compares the payload's byte count the completion carries.
 */
import { describe, expect, it } from 'vitest';
import { StepBuilder, slice, type Schedule } from '@weft/collectives';
import { parseTopologySpec } from '@weft/fabric';
import { createCluster, ProtocolError, RankError } from '@weft/runtime';
import { network, planParams, plan } from './helpers.js';

const fixtures = new URL('./fixtures/programs.mjs', import.meta.url).href;
const topology = parseTopologySpec('switch:4');
const MODES = ['data', 'ghost'] as const;

/** Rank 0 sends 64 elements; rank 1 receives them into a slice of 32. */
function mismatchedSizes(): Schedule {
  const b = new StepBuilder(4, 1);
  b.send(0, 0, 1, slice('input', 0, 64));
  b.recv(1, 0, 0, slice('output', 0, 32));
  return b.build('allReduce', 'mismatched', planParams(topology, 64), { input: 64, output: 64, scratch: 0 });
}

describe('a message whose size is not its receive\'s fails both modes alike', () => {
  for (const mode of MODES) {
    it(`a schedule: rank 1 receives rank 0's 64 elements into 32 (${mode})`, async () => {
      const cluster = await createCluster({ topology, network: network(), mode });
      const error = (await cluster.runSchedule(mismatchedSizes(), { dtype: 'float32', op: 'sum', check: false }).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(RankError);
      expect(error.message).toBe('rank 1 failed: message of 256 bytes received into a slice of 128 bytes');
      expect(error.cause).toBeInstanceOf(ProtocolError);
      await cluster.close();
    });

    it(`a program: rank 1 all-reduces 32 elements, the others 64 (${mode})`, async () => {
      const cluster = await createCluster({ topology, network: network(), mode });
      const error = (await cluster.runProgram(fixtures, 'allReduceOfLength', { lengths: [64, 32, 64, 64] }, { inProcess: mode === 'ghost' }).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(RankError);
      expect(error.message).toMatch(/^rank \d failed: message of \d+ bytes received into a slice of \d+ bytes$/);
      expect(error.cause).toBeInstanceOf(ProtocolError);
      await cluster.close();
    });
  }

  it('sizes that agree run as before in ghost mode, with the time data mode gives', async () => {
    const times: number[] = [];
    for (const mode of MODES) {
      const cluster = await createCluster({ topology, network: network(), mode });
      const result = await cluster.runSchedule(plan('allReduce', 'ring', topology, 1000, { protocol: 'LL' }), { dtype: 'float32', op: 'sum' });
      if (mode === 'data') expect(result.wrong).toBe(0);
      times.push(result.timeNs);
      const program = await cluster.runProgram<number>(fixtures, 'allReduceOfLength', { lengths: [64, 64, 64, 64] }, { inProcess: mode === 'ghost' });
      expect(program.results).toEqual([64, 64, 64, 64]);
      await cluster.close();
    }
    expect(times[0]).toBe(times[1]);
  });
});
