import { describe, expect, it } from 'vitest';
import { COL, tableRows, weft } from './run-weft.js';

/**
 * The count column as nccl-tests prints it: the NCCL count argument (its paramcount), which for
 * all-gather, reduce-scatter, all-to-all, gather and scatter is one rank's block, not the whole
 * buffer (nccl-tests src/*.cu GetCollByteCount: paramcount = count / nranks). Before, weft printed
 * the buffer's elements there: 4× nccl-tests' figure on four ranks.
 */
describe("nccl-tests' count column", () => {
  it.each([
    ['allreduce', 262144],
    ['broadcast', 262144],
    ['reduce', 262144],
    ['allgather', 65536],
    ['reducescatter', 65536],
    ['alltoall', 65536],
    ['gather', 65536],
    ['scatter', 65536],
  ])('%s on 4 ranks at 1 MiB of float: %i, in the table and the JSON', (collective, count) => {
    const args = ['bench', collective, '--ranks', '4', '--mode', 'ghost', '-b', '1M', '-e', '1M'];
    const table = weft(args);
    expect(table.code).toBe(0);
    expect(tableRows(table.stdout)[0]![COL.count]).toBe(String(count));
    const json = weft([...args, '--format', 'json']);
    expect((JSON.parse(json.stdout) as { rows: { count: number; bytes: number }[] }).rows[0]).toMatchObject({ count, bytes: 1048576 });
  });
});
