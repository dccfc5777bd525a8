import { describe, expect, it } from 'vitest';
import { BENCH_FLAGS, benchSchema, readBenchFlags } from '../src/bench/schema.js';

/** Values commander can give (strings, switches, repeated lists, absent) and some only the lab's scenarios could. */
const VALUES: readonly unknown[] = [
  undefined, true, false, '', ' ', 'x', '0', '1', '-1', '2', '8', '64K', '1M', '1.5', '1e3', 'auto', 'AUTO', 'on', 'off', 'local',
  'ring', 'ring,tree', ',', 'all', 'float', 'sum', 'maxMin', 'packet', 'ecmp', 'strict', 'wrr:1,4', 'wrr:x', 'LL', 'weft', 'json',
  'a.svg', 'a.png', 'routing=ecmp,adaptive', 'nope=1', 'ranks=0-3,bytes=1M', 'bad', '99999', '86401', [], ['x'], ['ranks=0-3,bytes=1M', 'bad'], 5, null,
];

/** What a read gives, as comparable data: the value, the issue's message, or what it threw. */
function outcome(run: () => { ok: true; value: unknown } | { ok: false; message: string }): unknown {
  try {
    return run();
  } catch (error) {
    return { threw: (error as Error).message };
  }
}

describe("each bench flag's plain reader reads as the zod schema built from the same field (the lab's)", () => {
  for (const [key, flag] of Object.entries(BENCH_FLAGS)) {
    it(`${key} (${flag.flags})`, () => {
      for (const value of [flag.fallback, ...VALUES]) {
        const plain = outcome(() => {
          const read = flag.field.read(value);
          return read.ok ? { ok: true, value: read.value } : { ok: false, message: read.reason };
        });
        const zod = outcome(() => {
          const parsed = flag.schema.safeParse(value);
          return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: parsed.error.issues[0]!.message };
        });
        expect(plain, `${key} = ${JSON.stringify(value)}`).toEqual(zod);
      }
    });
  }
});

describe('readBenchFlags reports the issue the zod schema reports first', () => {
  const fallbacks = () => Object.fromEntries(Object.entries(BENCH_FLAGS).map(([key, f]) => [key, f.fallback]));
  const noFiles = (flag: string): string => {
    throw new Error(`${flag}: no files in this test`);
  };
  it.each([
    [{}],
    [{ minBytes: 'x', maxBytes: 'y' }], // two flags wrong: the first in the table's order
    [{ collective: 'nope', qps: '0' }],
    [{ minBytes: '1M', maxBytes: '1K' }], // a check across flags
    [{ chunkBytes: '1', maxBytes: '1G' }],
    [{ plot: 'a.png', plotQueues: 'q.svg' }],
    [{ plotQueues: 'q.svg' }],
    [{ topology: 'switch:0' }],
    [{ topology: 'switch:8', ranks: '4' }],
    [{ links: true, explain: true, energy: true, tenant: ['ranks=0-3,bytes=1M'], fault: ['link=gpu0->switch0,down@1us'] }],
  ])('%j', (given) => {
    const input = { collective: 'allreduce', ...fallbacks(), ...given };
    const plain = readBenchFlags(input, noFiles);
    const zod = benchSchema(noFiles).safeParse(input);
    if (zod.success) expect(plain).toEqual({ flags: zod.data });
    else expect(plain).toEqual({ issue: { path: zod.error.issues[0]!.path, message: zod.error.issues[0]!.message } });
  });
});
