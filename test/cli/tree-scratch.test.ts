/**
 * NCCL tree's inner ranks sum their children's chunks in one scratch slot per channel, reused
 * by every chunk (packages/collectives/src/all-reduce/tree.ts): in data mode, with real
 * bytes lent in place between worker threads, every element comes out right, and the simulated
 * times are those of ghost mode.
 */
import { describe, expect, it } from 'vitest';
import { COL, tableRows, weft } from './run-weft.js';

// 3 servers of 3: a tree between servers whose inner server's head has two children, chains of
// 3 inside; 4 KiB chunks make 1 MiB rows hundreds of chunks a channel, so slots are reused.
const ARGS = ['bench', 'allreduce', '--topology', 'dgx-h100:nodes=3,gpusPerNode=3', '--algo', 'tree', '--chunk', '4K', '-b', '4', '-e', '1M', '-f', '7'];

describe('tree with scratch slots, data mode', () => {
  it('#wrong 0 at odd sizes, the same simulated times as ghost mode', () => {
    const data = weft([...ARGS, '--mode', 'data']);
    const ghost = weft([...ARGS, '--mode', 'ghost']);
    expect(data.code, data.stderr).toBe(0);
    expect(ghost.code, ghost.stderr).toBe(0);
    const rows = tableRows(data.stdout);
    expect(rows.length).toBe(7);
    expect(rows.map((r) => r[COL.wrong])).toEqual(rows.map(() => '0'));
    expect(rows.map((r) => r[COL.time])).toEqual(tableRows(ghost.stdout).map((r) => r[COL.time]));
  });
});
