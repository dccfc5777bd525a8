/**
 * Arena plumbing that the matrix reaches only at multi-GiB sizes: offsets past 2 GiB (word
 * indices and kernel addresses must stay unsigned), staging reuse after a receiver releases
 * a block, and the overflow path when the region is full. Memory pages are only reserved,
 * not touched, so the 2.1 GiB arena costs a few pages.
 */
import { describe, expect, it } from 'vitest';
import { ArenaSet, StagingPool, WasmSimdBackend, planArenas, STANDALONE } from '@weft/runtime';

const GiB = 2 ** 30;

describe('arenas past 2 GiB', () => {
  const memory = new WebAssembly.Memory({ initial: Math.ceil((2.1 * GiB) / 65536), maximum: 65535, shared: true });
  const arenas = new ArenaSet([memory]);

  it('stages, releases and reuses blocks above 2 GiB', () => {
    const pool = new StagingPool(arenas);
    pool.reset({ arena: 0, byteOffset: 2 * GiB + 4096, bytes: 64 * 1024 });
    const a = pool.stage(new Uint8Array([1, 2, 3, 4]), 3);
    expect(a.arena).toBe(0);
    expect(a.byteOffset).toBeGreaterThan(2 * GiB);
    expect(Array.from(arenas.bytesOf(a))).toEqual([1, 2, 3, 4]);
    expect(pool.blocksInUse()).toBe(1);
    arenas.release(a);
    expect(pool.blocksInUse()).toBe(0);
    const b = pool.stage(new Uint8Array([9, 9, 9, 9]), 3);
    expect(b.byteOffset).toBe(a.byteOffset); // the released block is reused
  });

  it('overflows into a standalone SharedArrayBuffer when the region is full', () => {
    const pool = new StagingPool(arenas);
    pool.reset({ arena: 0, byteOffset: 2 * GiB, bytes: 1024 });
    const big = pool.stage(new Uint8Array(4096).fill(7), 3);
    expect(big.arena).toBe(STANDALONE);
    expect(big.sab!.byteLength).toBeGreaterThanOrEqual(4096);
    expect(pool.overflowMessages).toBe(1);
  });

  it('the SIMD kernel addresses operands above 2 GiB', () => {
    const backend = new WasmSimdBackend();
    backend.attach(memory);
    const dst = new Float32Array(memory.buffer, 2 * GiB + 64, 11);
    const src = new Float32Array(memory.buffer, 2 * GiB + 4096, 11);
    dst.fill(1.5);
    src.fill(2.25);
    backend.reduce('sum', 'float32', dst, src);
    expect(Array.from(dst)).toEqual(new Array(11).fill(3.75));
  });

  it('planArenas packs whole hosts and opens a new arena when one is full', () => {
    const host = (participant: number) => ({ participants: [{ participant, bytes: [1000, 1000, 0] as [number, number, number] }], stagingBytes: 1000 });
    const plan = planArenas([host(0), host(1), host(2)], 7000);
    expect(plan.hosts.map((h) => h.participants[0]!.input.arena)).toEqual([0, 0, 1]);
    expect(plan.arenaBytes).toEqual([2 * 3 * 1024, 3 * 1024]);
    const huge = planArenas([{ participants: [{ participant: 0, bytes: [10_000, 0, 0] }], stagingBytes: 0 }], 7000);
    expect(huge.hosts[0]!.participants[0]!.input.arena).toBe(STANDALONE);
    expect(huge.hosts[0]!.staging.arena).toBe(STANDALONE);
  });

  it('planArenas gives a host whose buffers fit but whose staging reserve does not the rest of an arena as staging', () => {
    const arena = 8 * 2 ** 20;
    const plan = planArenas([{ participants: [{ participant: 0, bytes: [3 * 2 ** 20, 3 * 2 ** 20, 0] }], stagingBytes: 12 * 2 ** 20 }], arena);
    const host = plan.hosts[0]!;
    expect(host.participants[0]!.input.arena).toBe(0);
    expect(host.staging.arena).toBe(0);
    expect(host.staging.bytes).toBe(2 * 2 ** 20);
    expect(plan.arenaBytes).toEqual([arena]);
  });
});
