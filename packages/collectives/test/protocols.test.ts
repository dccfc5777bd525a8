import { describe, expect, it } from 'vitest';
import { lineWireBytes, protocolEfficiency, scheduleProtocol, stepDataBytes } from '../src/protocols.js';
import { treeChunkBytes } from '../src/all-reduce/tree.js';
import type { PlanParams, RankLayout } from '../src/types.js';

const servers = (count: number, perServer: number): RankLayout => ({
  groups: Array.from({ length: count }, (_, s) => Array.from({ length: perServer }, (_, g) => s * perServer + g)),
  hasReductionSwitch: false,
});

describe("protocol efficiency (NCCL tuning.cc's model refinements)", () => {
  it('gives each (row, protocol) its share of Simple bandwidth', () => {
    expect(protocolEfficiency('Ring', 'LL', servers(2, 8), 'allGather')).toBe(1 / 4);
    expect(protocolEfficiency('Ring', 'LL', servers(1, 8), 'allGather')).toBe(1 / 3);
    expect(protocolEfficiency('Ring', 'LL', servers(1, 8), 'allReduce')).toBe(1 / 4);
    expect(protocolEfficiency('Ring', 'LL128', servers(2, 8))).toBe(0.92);
    expect(protocolEfficiency('Ring', 'LL128', servers(4, 1))).toBe(0.7);
    expect(protocolEfficiency('Tree', 'LL', servers(2, 8))).toBe(1 / 3.8);
    expect(protocolEfficiency('Tree', 'LL128', servers(1, 8))).toBe(7 / 9);
    expect(protocolEfficiency('Tree', 'LL128', servers(2, 8))).toBe(120 / 128);
    for (const row of ['Ring', 'Tree', 'NVLS', 'NVLSTree'] as const) expect(protocolEfficiency(row, 'Simple', servers(2, 8))).toBe(1);
  });

  it('charges what the line format does not already give as wire bytes', () => {
    // Ring/LL: lines carry half their bytes; NCCL's 1/4 doubles that again.
    expect(lineWireBytes(scheduleProtocol('Ring', 'LL', servers(2, 8), 'allReduce'), 8000)).toBe(32000);
    // Ring/LL128 at 0.92: 120/128 of the line is data, so 0.9375 / 0.92 more on the wire.
    expect(lineWireBytes(scheduleProtocol('Ring', 'LL128', servers(2, 8)), 1200)).toBeCloseTo(1280 * (120 / 128 / 0.92), 9);
    // Tree/LL128 across servers is its line format exactly: no stretch.
    expect(scheduleProtocol('Tree', 'LL128', servers(2, 8)).stretch).toBeUndefined();
    expect(lineWireBytes(scheduleProtocol('Ring', 'Simple', servers(2, 8)), 1000)).toBe(1000);
  });

  it("steps carry the buffer's payload: Simple 512 KiB, LL 32 KiB, LL128 576,000 B", () => {
    expect(stepDataBytes('Simple')).toBe(512 * 1024);
    expect(stepDataBytes('LL')).toBe(32 * 1024);
    expect(stepDataBytes('LL128')).toBe(576000);
  });
});

describe("Tree's chunk per protocol (NCCL enqueue.cc: one buffer step per chunk; LL128 halved for small messages)", () => {
  const tree = (layout: RankLayout, bytes: number, protocol: 'LL' | 'LL128' | 'Simple', channels: number): PlanParams => ({
    nranks: layout.groups.flat().length,
    count: bytes / 4,
    root: 0,
    elementBytes: 4,
    channels,
    chunkElements: 0,
    layout,
    protocol,
  });

  it('moves one Simple step (512 KiB) or one LL step (32 KiB of data) per chunk, whatever the size', () => {
    for (const bytes of [1 << 20, 1 << 30]) {
      expect(treeChunkBytes(tree(servers(16, 8), bytes, 'Simple', 16))).toBe(512 * 1024);
      expect(treeChunkBytes(tree(servers(16, 8), bytes, 'LL', 16))).toBe(32 * 1024);
    }
  });

  it('halves LL128 chunks until each channel has nstepsLL128·64/ppn, then ·16/ppn of them', () => {
    // 16 servers of 8: nstepsLL128 = 1 + 4 + 0.8 = 5.8, thresholds 46.4 and 11.6 chunks.
    // 8 MiB on 16 channels = 512 KiB each: 576000 → 288000 → 144000 → 72000 (first loop stops
    // at ≤ 131072), 7 chunks < 11.6 → 36000, 14 chunks: done.
    expect(treeChunkBytes(tree(servers(16, 8), 8 << 20, 'LL128', 16))).toBe(36000);
    // 1 GiB: 64 MiB per channel = 116 chunks of 576000 ≥ 46.4: a whole step.
    expect(treeChunkBytes(tree(servers(16, 8), 1 << 30, 'LL128', 16))).toBe(576000);
    // 64 KiB: down to the floor, 576000 / 32 = 18000.
    expect(treeChunkBytes(tree(servers(2, 8), 64 << 10, 'LL128', 4))).toBe(18000);
  });
});
