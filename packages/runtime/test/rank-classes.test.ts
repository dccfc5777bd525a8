/**
 * Rank classes (schedule/rank-classes.ts): a ghost run simulates one representative per class
 * of ranks its symmetries prove alike, and reports what the whole run would — time, events,
 * rounds and every link's statistics — to float rounding; runs without such symmetry, or
 * with agents, run every rank.
 */
import { describe, expect, it } from 'vitest';
import { parseTopologySpec, parseTopologyText, type NetworkOptions } from '@weft/fabric';
import { createCluster, findRankClasses, layoutOf, routerOf, SequenceHash, type RunResult } from '@weft/runtime';
import type { Schedule } from '@weft/collectives';
import { network, plan } from './helpers.js';

const NET = { ...network('maxMin'), record: 'summary' as const };
const ADAPTIVE: NetworkOptions = { ...NET, routing: 'adaptive' };

/**
 * S servers of G GPUs on one NVSwitch each, every server's one uplink to a core switch: a NIC
 * its GPUs share, which the rotation inside servers does not move (a link class of S links
 * under a group of G·S shifts).
 */
function sharedNicServers(S: number, G: number): Topology {
  const nodes: object[] = [{ id: 'core', kind: 'switch' }];
  const links: object[] = [];
  for (let s = 0; s < S; s++) {
    nodes.push({ id: `nvs${s}`, kind: 'switch' });
    for (let j = 0; j < G; j++) {
      nodes.push({ id: `s${s}g${j}`, kind: 'gpu', group: `server${s}` });
      links.push({ from: `s${s}g${j}`, to: `nvs${s}`, bandwidth: '400GB/s', latency: '1us' });
    }
    links.push({ from: `nvs${s}`, to: 'core', bandwidth: '50GB/s', latency: '2us' });
  }
  return parseTopologyText(JSON.stringify({ name: 'shared-nic', nodes, links }), 'shared-nic.json');
}

type Topology = ReturnType<typeof parseTopologySpec>;

async function bothWays(spec: string | Topology, schedule: (topology: Topology) => Schedule, iters = 1, net: NetworkOptions = NET) {
  const topology = typeof spec === 'string' ? parseTopologySpec(spec) : spec;
  const cluster = await createCluster({ topology, network: net, mode: 'ghost' });
  try {
    const planned = schedule(topology);
    const run = (rankClasses: boolean): Promise<RunResult> => cluster.runSchedule(planned, { dtype: 'float32', op: 'sum', check: false, iters, rankClasses });
    return { whole: await run(false), classes: await run(true), topology, planned };
  } finally {
    await cluster.close();
  }
}

function expectSameRun(classes: RunResult, whole: RunResult): void {
  expect(Math.abs(classes.timeNs - whole.timeNs)).toBeLessThanOrEqual(1e-12 * whole.timeNs);
  expect(classes.events).toBe(whole.events);
  expect(classes.rounds).toBe(whole.rounds);
  expect(classes.linkStats.length).toBe(whole.linkStats.length);
  whole.linkStats.forEach((link, l) => {
    const got = classes.linkStats[l]!;
    expect(got.linkId).toBe(link.linkId);
    expect(Math.abs(got.bytesCarried - link.bytesCarried)).toBeLessThanOrEqual(1e-9 * link.bytesCarried);
    expect(Math.abs(got.busyNs - link.busyNs)).toBeLessThanOrEqual(1e-9 * link.busyNs + 1e-9);
    expect(got.peakConcurrentFlows).toBe(link.peakConcurrentFlows);
    expect(got.bandwidthBytesPerSec).toBe(link.bandwidthBytesPerSec);
    expect(Math.abs(got.utilization - link.utilization)).toBeLessThanOrEqual(1e-9 * link.utilization);
  });
}

describe('rank classes', () => {
  it('hierarchical on 64 DGX H100 servers: 32 classes of 16 (a server\'s 8 rails, a server and its twin one scalable unit on), the whole run\'s time, events, rounds and link statistics', async () => {
    const { whole, classes } = await bothWays('dgx-h100:nodes=64', (t) => plan('allReduce', 'hierarchical', t, 1 << 24));
    expect(whole.simulatedRanks).toBeUndefined();
    expect(classes.simulatedRanks).toBe(32);
    expectSameRun(classes, whole);
    expect(classes.linkStats.filter((l) => l.bytesCarried > 0).length).toBeGreaterThan(1000);
  }, 120_000);

  it('a 4-channel ring on 32 servers, three iterations: the whole run to rounding', async () => {
    const { whole, classes } = await bothWays('dgx-h100:nodes=32', (t) => plan('allReduce', 'ring', t, 1 << 22, { channels: 4, layout: layoutOf(t) }), 3);
    expect(classes.simulatedRanks).toBeLessThanOrEqual(32);
    expectSameRun(classes, whole);
  }, 120_000);

  it('NCCL\'s 16 rail-aligned rings on 32 servers are each other\'s rotations: a rotation that turns the channels too, 2 of 256 ranks simulated, the whole run to rounding', async () => {
    const { whole, classes } = await bothWays('dgx-h100:nodes=32', (t) => plan('allReduce', 'ring', t, 1 << 22, { channels: 16, layout: layoutOf(t) }));
    // Channel c's ring is channel 0's turned by c GPUs; servers two apart alike: 2 classes of 128. A
    // representative's NVLink port also carries other classes' members on other channels: the
    // representatives' network has one link per link class (speed.md §41).
    expect(classes.simulatedRanks).toBe(2);
    expectSameRun(classes, whole);
  }, 120_000);

  it('all-gather ring on 32 servers: the whole run to rounding', async () => {
    const { whole, classes } = await bothWays('dgx-h100:nodes=32', (t) => plan('allGather', 'ring', t, 1 << 20, { channels: 2, layout: layoutOf(t) }));
    expect(classes.simulatedRanks).toBeDefined();
    expectSameRun(classes, whole);
  }, 120_000);

  it('adaptive routing: hierarchical on 64 DGX H100 servers and a ring on a leaf-spine, every path of the even split mapped, the whole run to rounding', async () => {
    const hierarchical = await bothWays('dgx-h100:nodes=64', (t) => plan('allReduce', 'hierarchical', t, 1 << 24), 1, ADAPTIVE);
    expect(hierarchical.classes.simulatedRanks).toBe(32);
    expectSameRun(hierarchical.classes, hierarchical.whole);
    // 256 hosts on 16 leaves, 4 spines: every cross-leaf step spreads over the 4 spines.
    const ring = await bothWays('leafspine:hosts=256,leaves=16,spines=4', (t) => plan('allReduce', 'ring', t, 1 << 22, { channels: 1, layout: layoutOf(t) }), 1, ADAPTIVE);
    expect(ring.classes.simulatedRanks).toBe(16);
    expectSameRun(ring.classes, ring.whole);
    expect(ring.whole.linkStats.filter((l) => l.to.startsWith('spine') && l.bytesCarried > 0)).toHaveLength(64);
  }, 120_000);

  it('a link the symmetries fix (a NIC eight GPUs share) runs at m/g of its capacity in the representatives\' network: the whole run to rounding, ECMP and adaptive', async () => {
    const topology = sharedNicServers(32, 8);
    const schedule = plan('allReduce', 'hierarchical', topology, 1 << 24);
    const found = findRankClasses({ schedule, topology, groups: layoutOf(topology).groups, network: NET, router: routerOf(topology) });
    if ('reason' in found) throw new Error(found.reason);
    // One class of 256 (every GPU of every server alike); the uplinks (32 each way) are two link classes of 32.
    expect(found.reps).toEqual([0]);
    expect([...found.linkScales.values()]).toEqual([1 / 8, 1 / 8]);
    for (const net of [NET, ADAPTIVE]) {
      const { whole, classes } = await bothWays(topology, () => schedule, 1, { ...net, record: 'full' });
      expect(classes.simulatedRanks).toBe(1);
      expectSameRun(classes, whole);
      const uplink = whole.linkStats.find((l) => l.from === 'nvs5' && l.to === 'core')!;
      expect(uplink.peakConcurrentFlows).toBe(8);
      expect(uplink.utilizationTimeline.length).toBeGreaterThan(2);
      expect(classes.linkStats.find((l) => l.linkId === uplink.linkId)!.utilizationTimeline).toEqual(uplink.utilizationTimeline.map(([t, f]) => [expect.closeTo(t, 3), expect.closeTo(f, 9)]));
    }
  }, 120_000);

  it('finds no classes where no shift maps the run to itself, or where in-network agents run', () => {
    const topology = parseTopologySpec('dgx-h100:nodes=32');
    const inputs = (schedule: Schedule) => ({ schedule, topology, groups: layoutOf(topology).groups, network: NET, router: routerOf(topology) });
    // A tree's ranks sit at different depths: no shift of servers keeps it.
    const tree = findRankClasses(inputs(plan('allReduce', 'tree', topology, 1 << 20, { channels: 2 })));
    expect('reason' in tree && tree.reason).toBe('no shift maps the run to itself (turning GPUs inside servers: ranks run different steps; shifting servers: ranks run different steps)');
    // One scalable unit (32 servers): every server and every rail alike, one class.
    const hierarchical = findRankClasses(inputs(plan('allReduce', 'hierarchical', topology, 1 << 20)));
    expect('reps' in hierarchical && hierarchical.reps.length).toBe(1);
    // A rank whose tape differs (a root) breaks the shifts that would move it.
    const broadcast = findRankClasses(inputs(plan('broadcast', 'chain', topology, 1 << 20)));
    expect('reason' in broadcast).toBe(true);
  }, 60_000);

  it('a representative\'s message to another class arrives in that class\'s frame: senderInFrame inverts the member\'s shift', () => {
    const topology = parseTopologySpec('dgx-h100:nodes=64');
    const found = findRankClasses({ schedule: plan('allReduce', 'hierarchical', topology, 1 << 20), topology, groups: layoutOf(topology).groups, network: NET, router: routerOf(topology) });
    if ('reason' in found) throw new Error(found.reason);
    // Rank 0 (server 0, GPU 0) sends to rank 1 (its class, shifted one GPU on): rank 1's representative (0) hears it from GPU 7.
    expect(found.repOf[1]).toBe(0);
    expect(found.senderInFrame(0, 1)).toBe(7);
    // Rank 0 → rank 8 (server 1's GPU 0, a representative itself): no shift.
    expect(found.repOf[8]).toBe(8);
    expect(found.senderInFrame(0, 8)).toBe(0);
    // Server 32 is server 0's twin one scalable unit on.
    expect(found.repOf[32 * 8 + 3]).toBe(0);
    expect(found.classSize[0]).toBe(16);
  });

  it('a tape\'s hash is of its step sequence: a run hashed from one repetition equals the repetitions fed one by one, however the steps were split', () => {
    const values = (k: number) => Array.from({ length: k }, (_, i) => ((i * 7919) % 1013) - 3);
    for (const [length, times] of [[1, 1], [3, 2], [5, 3], [2, 1000], [7, 65_537], [4, 0]] as const) {
      const segment = new SequenceHash();
      segment.reset();
      values(length).forEach(segment.mix);
      const folded = new SequenceHash();
      folded.reset();
      folded.mix(42);
      folded.append(segment, times);
      folded.mix(-1);
      const flat = new SequenceHash();
      flat.reset();
      flat.mix(42);
      for (let t = 0; t < times; t++) values(length).forEach(flat.mix);
      flat.mix(-1);
      expect(Array.from(folded.h)).toEqual(Array.from(flat.h));
      expect(folded.length).toBe(flat.length);
    }
    // Different sequences differ.
    const a = new SequenceHash();
    a.reset();
    [1, 2, 3].forEach(a.mix);
    const b = new SequenceHash();
    b.reset();
    [1, 3, 2].forEach(b.mix);
    expect(Array.from(a.h)).not.toEqual(Array.from(b.h));
  });
});
