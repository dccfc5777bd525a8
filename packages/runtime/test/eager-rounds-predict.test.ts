/**
 * direct, rd and rhd send each round's chunks back to back (eager sends) before its receives,
 * so a round pays one α — its last chunk's — however many chunks it has. Their predictors say
 * so (one α per phase, round or step): on switch:N with N a power of two (no fold) predicted =
 * simulated at every size, one chunk (1 KiB) or many (64 MiB in 2 MiB chunks). With an α per
 * chunk they were 0.94 at 64 MiB and, for direct (an α per peer and chunk), 0.07–0.34 at 1 KiB.
 * sendrecv's shift now sends every chunk before its receives, as NCCL's p2p streams a send
 * without waiting on the rank's own receive (its simulation was 1.06× its one-α prediction).
 * binomial broadcast's prediction is its schedule's recurrence per chunk (was ⌈log2 n⌉ hops of
 * α — 0.67 at 1 KiB on 5 ranks — and one β for NVLink and NIC: 0.35 across DGX servers).
 * hierarchical's rings across servers pay each hop's own α (the rail's: one leaf), not the
 * worst pair's (0.83–0.99 on 4–16 DGX H100 servers before) — the spine's between scalable units.
 */
import { describe, expect, it } from 'vitest';
import type { CollectiveName } from '@weft/collectives';
import { predictionMisses } from './prediction-misses.js';

const misses = (spec: string, collective: CollectiveName, names: readonly string[], sizes: readonly number[]) => predictionMisses({ spec, collective, names, sizes, tolerance: 1e-6 });

describe('predictors that follow their eager rounds: predicted = simulated within 1e-6', () => {
  it('direct, rd, rhd on switch:4, 8, 16, 1 KiB – 64 MiB', async () => {
    const failures: string[] = [];
    for (const n of [4, 8, 16]) failures.push(...(await misses(`switch:${n}`, 'allReduce', ['direct', 'rd', 'rhd'], [1 << 10, 64 << 10, 4 << 20, 64 << 20])));
    expect(failures).toEqual([]);
  }, 120_000);

  it('sendrecv shift on switch:2, 4, 8, 1 KiB – 64 MiB', async () => {
    const failures: string[] = [];
    for (const n of [2, 4, 8]) failures.push(...(await misses(`switch:${n}`, 'sendRecv', ['shift'], [1 << 10, 4 << 20, 64 << 20])));
    expect(failures).toEqual([]);
  }, 120_000);

  it('binomial broadcast on switch:3, 5, 12 and 2 DGX H100 servers, 1 KiB – 64 MiB', async () => {
    const failures: string[] = [];
    for (const spec of ['switch:3', 'switch:5', 'switch:12', 'dgx-h100:nodes=2']) failures.push(...(await misses(spec, 'broadcast', ['binomial'], [1 << 10, 256 << 10, 64 << 20])));
    expect(failures).toEqual([]);
  }, 120_000);

  it('hierarchical on 4 DGX H100 and 2 HGX A100 servers: its rings across servers pay each rail hop its own α, 64 KiB – 256 MiB', async () => {
    const failures: string[] = [];
    for (const spec of ['dgx-h100:nodes=4', 'hgx-a100:nodes=2']) failures.push(...(await misses(spec, 'allReduce', ['hierarchical'], [64 << 10, 16 << 20, 256 << 20])));
    expect(failures).toEqual([]);
  }, 120_000);

  it('across two scalable units (8 DGX H100 servers, 4 per leaf): a rail hop within a leaf pays the leaf’s α, between leaves the spine’s — hierarchical and binomial broadcast within 1e-3 (0.89 and 0.93 with every rail hop at the spine’s)', async () => {
    const spec = 'dgx-h100:nodes=8,serversPerSu=4';
    const failures = [
      ...(await predictionMisses({ spec, collective: 'allReduce', names: ['hierarchical'], sizes: [64 << 10, 16 << 20, 256 << 20], tolerance: 1e-3 })),
      ...(await predictionMisses({ spec, collective: 'broadcast', names: ['binomial'], sizes: [64 << 10, 16 << 20, 256 << 20], tolerance: 1e-3 })),
    ];
    expect(failures).toEqual([]);
  }, 120_000);

  it('across two DGX H100 servers, routed as Spectrum-X routes (adaptive): sendrecv shift and the rank-order ring within 1e-6, pairwise all-to-all (its rounds on NVLink or the NIC, each at its own link) within 2.5 % — ECMP collides their cross-rail flows on the spines (1.3–1.96× their predictions)', async () => {
    const spec = 'dgx-h100:nodes=2';
    const sizes = [64 << 10, 4 << 20, 32 << 20];
    const failures = [
      ...(await predictionMisses({ spec, collective: 'sendRecv', names: ['shift'], sizes, tolerance: 1e-6 })),
      ...(await predictionMisses({ spec, collective: 'allReduce', names: ['ring-rankorder'], sizes, tolerance: 1e-6 })),
      ...(await predictionMisses({ spec, collective: 'allToAll', names: ['pairwise'], sizes, tolerance: 0.025 })),
    ];
    expect(failures).toEqual([]);
  }, 120_000);

  it('direct all-gather posts its block to every peer at once, gather and scatter at each link class: within 1e-6 on switch:5 and 8, across DGX H100 and HGX A100 servers and on a leaf-spine — all-gather was 1.9–2.7× across servers when it posted one peer after another, gather and scatter 0.53–0.96 with one β', async () => {
    const failures: string[] = [];
    for (const spec of ['switch:5', 'switch:8', 'dgx-h100:nodes=2', 'hgx-a100:nodes=2', 'dgx-h100:nodes=3', 'leafspine:leaves=4,spines=2,hosts=16']) {
      if (spec !== 'dgx-h100:nodes=3') failures.push(...(await misses(spec, 'allGather', ['direct'], [1 << 10, 256 << 10, 4 << 20, 64 << 20])));
      failures.push(...(await misses(spec, 'gather', ['direct'], [1 << 10, 256 << 10, 64 << 20])));
      failures.push(...(await misses(spec, 'scatter', ['direct'], [1 << 10, 256 << 10, 64 << 20])));
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('direct all-to-all puts every peer in flight (one channel per peer distance): within 1e-6 on switch:5, 8 and 40 and across DGX H100 and HGX A100 servers — 2.5× across DGX servers when a channel posted its peers one after another', async () => {
    const failures: string[] = [];
    for (const spec of ['switch:5', 'switch:8', 'switch:40', 'dgx-h100:nodes=2', 'hgx-a100:nodes=2']) failures.push(...(await misses(spec, 'allToAll', ['direct'], [1 << 10, 64 << 10, 4 << 20])));
    expect(failures).toEqual([]);
  }, 120_000);

  it("Bruck's all-gather rounds replayed rank by rank: within 1e-6 on switch:3, 8, 12 (1 KiB – 64 MiB) and, latency-bound (1 – 16 KiB), across DGX H100, HGX A100 and NVL72 racks — was 0.47–0.67 there with every round charged its worst hop and one β", async () => {
    const failures: string[] = [];
    for (const n of [3, 8, 12]) failures.push(...(await misses(`switch:${n}`, 'allGather', ['bruck'], [1 << 10, 256 << 10, 64 << 20])));
    for (const spec of ['dgx-h100:nodes=2', 'hgx-a100:nodes=2', 'dgx-h100:nodes=4', 'nvl72:variant=gb200,racks=2']) {
      failures.push(...(await misses(spec, 'allGather', ['bruck'], [1 << 10, 16 << 10])));
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('rd and rhd all-reduce, rd all-gather and halving reduce-scatter across 2 and 4 DGX H100 and 2 HGX A100 servers, 1 KiB – 64 MiB: each hypercube round at its own link (NVLink or the NIC) and hop (a rail hop at its leaf) — was 0.33–0.88 with every round at the NIC and the worst pair', async () => {
    const failures: string[] = [];
    for (const spec of ['dgx-h100:nodes=2', 'hgx-a100:nodes=2', 'dgx-h100:nodes=4']) {
      failures.push(...(await misses(spec, 'allReduce', ['rd', 'rhd'], [1 << 10, 256 << 10, 64 << 20])));
      failures.push(...(await misses(spec, 'allGather', ['rd'], [1 << 10, 256 << 10, 64 << 20])));
      failures.push(...(await misses(spec, 'reduceScatter', ['halving'], [1 << 10, 256 << 10, 64 << 20])));
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('binomial reduce as a recurrence over its chunks (children before parents, each link in carrying its partials in turn): within 1e-6 in one chunk (1 – 256 KiB) on switch:8 and 12 and across 2, 3, 4 DGX H100 and 2 HGX A100 servers, within 10 % pipelined (4 – 64 MiB) — was 0.26–0.87 across servers', async () => {
    const failures: string[] = [];
    for (const spec of ['switch:8', 'switch:12', 'dgx-h100:nodes=2', 'dgx-h100:nodes=3', 'dgx-h100:nodes=4', 'hgx-a100:nodes=2']) {
      failures.push(...(await misses(spec, 'reduce', ['binomial'], [1 << 10, 256 << 10])));
      failures.push(...(await predictionMisses({ spec, collective: 'reduce', names: ['binomial'], sizes: [4 << 20, 64 << 20], tolerance: 0.1 })));
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('dissemination barrier replayed rank by rank: within 1e-6 on switch:5 and 13 and across 2, 3, 4 DGX H100 and 2 HGX A100 servers — was 0.54–0.60 there with every round at its worst hop', async () => {
    const failures: string[] = [];
    for (const spec of ['switch:5', 'switch:13', 'dgx-h100:nodes=2', 'dgx-h100:nodes=3', 'dgx-h100:nodes=4', 'hgx-a100:nodes=2']) {
      failures.push(...(await misses(spec, 'barrier', ['dissemination'], [0])));
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it("NCCL's chain broadcast and reduce (Simple) on one server's 24 channels: the first chunk is a whole 512 KiB of every channel's part, the remainder last — within 1e-3 at 1, 16, 256 MiB (16 MiB was 1.32× with the average chunk first)", async () => {
    const failures: string[] = [];
    for (const spec of ['dgx-h100:nodes=1', 'hgx-a100:nodes=1']) {
      for (const collective of ['broadcast', 'reduce'] as const) {
        failures.push(...(await predictionMisses({ spec, collective, names: ['chain'], protocols: ['Simple'], sizes: [1 << 20, 16 << 20, 256 << 20], tolerance: 1e-3 })));
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
