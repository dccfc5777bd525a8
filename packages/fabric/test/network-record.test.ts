/**
 * `record: 'summary'`: the same simulation as `full` (event log, link totals), without
 * per-flow records or utilization timelines.
 */
import { describe, expect, it } from 'vitest';
import { WeftInputError } from '@weft/sim';
import { createNetwork, createRouter, parseTopologySpec } from '../src/index.js';
import type { LinkStats, ModelName, NetworkOptions, RecordMode, RoutingName, Topology, TransferEvent } from '../src/index.js';

const topology: Topology = parseTopologySpec('leafspine:hosts=8,leaves=2,spines=2');

/** `reuse`: every transfer is started with one request object, refilled (Network.startTransfer keeps none). */
function run(model: ModelName, routing: RoutingName, record: RecordMode | undefined, reuse = false) {
  const options: NetworkOptions = { model, routing, qps: 2, seed: 7, ...(record === undefined ? {} : { record }) };
  const net = createNetwork(topology, options, createRouter(topology));
  const ranks = topology.ranks;
  const log: TransferEvent[] = [];
  const scratch = { srcNode: '', dstNode: '', bytes: 0, flowKey: 0 };
  const start = (srcNode: string, dstNode: string, bytes: number, flowKey: number, atNs: number): void => {
    if (!reuse) {
      net.startTransfer({ srcNode, dstNode, bytes, flowKey }, atNs);
      return;
    }
    Object.assign(scratch, { srcNode, dstNode, bytes, flowKey });
    net.startTransfer(scratch, atNs);
    Object.assign(scratch, { srcNode: 'gone', dstNode: 'gone', bytes: -1, flowKey: -1 });
  };
  const drainTo = (limitNs: number): void => {
    for (let t = net.nextEventTimeNs(); t <= limitNs; t = net.nextEventTimeNs()) {
      net.advanceTo(t);
      log.push(...net.takeEvents());
    }
    net.advanceTo(limitNs);
    log.push(...net.takeEvents());
  };
  // Everyone sends across the spines at once (contended), three rounds with a degrade and a failure between.
  for (let round = 0; round < 3; round++) {
    const startNs = round * 20_000;
    drainTo(startNs);
    for (let r = 0; r < ranks.length; r++) {
      start(ranks[r]!, ranks[(r + 2) % ranks.length]!, 1_000_000 + 1000 * r, r % 3, startNs);
      start(ranks[r]!, ranks[(r + 1) % ranks.length]!, 250_000, 1, startNs);
    }
    start(ranks[0]!, ranks[0]!, 10, 0, startNs);
    start(ranks[1]!, ranks[3]!, 0, 0, startNs);
    if (round === 0) net.degradeLink(spineLink(), 0.5, 5_000);
    if (round === 1) net.failLink(spineLink(), startNs + 3_000);
  }
  drainTo(1e12);
  return { log, links: net.linkStats(), flows: net.flows(), work: net.workStats() };
}

function spineLink(): string {
  const link = topology.links.find((l) => topology.nodes.find((n) => n.id === l.to)?.kind === 'spine');
  return link!.id;
}

const totals = (links: readonly LinkStats[]) => links.map(({ utilizationTimeline: _timeline, ...rest }) => rest);

describe("record: 'summary'", () => {
  for (const model of ['alphaBeta', 'maxMin'] as const) {
    for (const routing of ['ecmp', 'adaptive'] as const) {
      it(`${model}/${routing}: same events and link totals as 'full', no flows or timelines`, () => {
        const full = run(model, routing, 'full');
        const summary = run(model, routing, 'summary');
        expect(full.log.length).toBeGreaterThan(0);
        expect(full.log.some((e) => e.kind === 'stranded') || routing === 'adaptive').toBe(true);
        expect(summary.log).toEqual(full.log);
        expect(totals(summary.links)).toEqual(totals(full.links));
        expect(full.links.some((l) => l.peakConcurrentFlows > 1)).toBe(true);
        expect(full.flows.length).toBe(full.work.transfersStarted);
        expect(summary.flows).toEqual([]);
        for (const link of summary.links) expect(link.utilizationTimeline).toEqual([]);
        expect(summary.work).toEqual(full.work);
        expect(summary.work.activeFlows).toBe(0);
      });
    }
  }

  for (const model of ['alphaBeta', 'maxMin', 'packet'] as const) {
    for (const record of ['full', 'summary'] as const) {
      it(`${model}/${record}: one request object refilled for every transfer gives the same run (the network keeps none)`, () => {
        const fresh = run(model, 'ecmp', record);
        const reused = run(model, 'ecmp', record, true);
        expect(reused.log).toEqual(fresh.log);
        expect(reused.links).toEqual(fresh.links);
        expect(reused.flows).toEqual(fresh.flows);
        expect(reused.work).toEqual(fresh.work);
      });
    }
  }

  it("defaults to 'full'", () => {
    const implicit = run('maxMin', 'ecmp', undefined);
    const full = run('maxMin', 'ecmp', 'full');
    expect(implicit.flows).toEqual(full.flows);
    expect(implicit.links).toEqual(full.links);
  });

  it('rejects an unknown record mode', () => {
    const options = { model: 'maxMin', routing: 'ecmp', qps: 1, seed: 0, record: 'none' } as unknown as NetworkOptions;
    expect(() => createNetwork(topology, options, createRouter(topology))).toThrow(WeftInputError);
    expect(() => createNetwork(topology, options, createRouter(topology))).toThrow(/record mode "none"; accepted: full, summary/);
  });
});
