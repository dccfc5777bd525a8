import { describe, expect, it } from 'vitest';
import { WeftInputError } from '@weft/sim';
import { createRouter } from '../src/routing/index.js';
import { createNetwork } from '../src/network.js';
import { TopologyBuilder } from '../src/topology/builder.js';
import { ecmpHash, fnv1a32 } from '../src/routing/hash.js';
import { parseTopologySpec } from '../src/presets/spec.js';
import { parseTopologyText } from '../src/topology/file.js';
import type { Topology } from '../src/types.js';

const NONE: ReadonlySet<string> = new Set();

describe('shortest paths on leafspine:hosts=8,leaves=2,spines=2', () => {
  const t = parseTopologySpec('leafspine:hosts=8,leaves=2,spines=2');
  const router = createRouter(t);

  it('same leaf: host → leaf → host', () => {
    expect(router.pinnedPath('host0', 'host1', 0, 0, 0, NONE)).toEqual(['host0->leaf0', 'leaf0->host1']);
    expect(router.hops('host0', 'host3')).toBe(2);
  });

  it('across leaves: 4 hops through one spine; both spines enumerated in link order', () => {
    const path = router.pinnedPath('host0', 'host7', 0, 0, 0, NONE)!;
    expect(path).toHaveLength(4);
    expect(path[0]).toBe('host0->leaf0');
    expect(path[3]).toBe('leaf1->host7');
    expect(router.equalCostPaths('host0', 'host7', NONE)).toEqual([
      ['host0->leaf0', 'leaf0->spine0', 'spine0->leaf1', 'leaf1->host7'],
      ['host0->leaf0', 'leaf0->spine1', 'spine1->leaf1', 'leaf1->host7'],
    ]);
    expect(router.equalCostPaths('host0', 'host7', NONE, 1)).toHaveLength(1);
  });

  it('src = dst is the empty path; unknown nodes are input errors', () => {
    expect(router.pinnedPath('host2', 'host2', 0, 0, 0, NONE)).toEqual([]);
    expect(() => router.pinnedPath('host0', 'host99', 0, 0, 0, NONE)).toThrowError(WeftInputError);
  });
});

describe('ECMP', () => {
  it('the hash is MurmurHash3 mixing over FNV-1a ids (values from an independent Python implementation)', () => {
    expect(fnv1a32('leaf0')).toBe(2845529599);
    expect(ecmpHash(1, fnv1a32('host0'), fnv1a32('host2'), 0, 0, fnv1a32('leaf0'))).toBe(506383796);
  });

  it('same seed, flow and qp: same path, every time and from a fresh router', () => {
    const t = parseTopologySpec('leafspine:hosts=8,leaves=2,spines=4');
    const a = createRouter(t).pinnedPath('host0', 'host7', 42, 3, 7, NONE);
    const router = createRouter(t);
    for (let i = 0; i < 5; i++) expect(router.pinnedPath('host0', 'host7', 42, 3, 7, NONE)).toEqual(a);
  });

  it('different flow keys spread over all spines', () => {
    const router = createRouter(parseTopologySpec('leafspine:hosts=8,leaves=2,spines=4'));
    const perSpine = new Map<string, number>();
    for (let flowKey = 0; flowKey < 256; flowKey++) {
      const spineHop = router.pinnedPath('host0', 'host7', flowKey, 0, 1, NONE)![1]!;
      perSpine.set(spineHop, (perSpine.get(spineHop) ?? 0) + 1);
    }
    expect([...perSpine.keys()].sort()).toEqual(['leaf0->spine0', 'leaf0->spine1', 'leaf0->spine2', 'leaf0->spine3']);
    // 256 flows over 4 spines: 64 expected each; a fair hash stays well inside 32..96.
    for (const count of perSpine.values()) {
      expect(count).toBeGreaterThan(32);
      expect(count).toBeLessThan(96);
    }
  });

  it('qp and seed change the path like flowKey does', () => {
    const router = createRouter(parseTopologySpec('leafspine:hosts=8,leaves=2,spines=4'));
    const byQp = new Set(Array.from({ length: 32 }, (_, qp) => router.pinnedPath('host0', 'host7', 5, qp, 1, NONE)![1]));
    const bySeed = new Set(Array.from({ length: 32 }, (_, seed) => router.pinnedPath('host0', 'host7', 5, 0, seed, NONE)![1]));
    expect(byQp.size).toBe(4);
    expect(bySeed.size).toBe(4);
  });

  // Two flows leaf0 → leaf1 on leafspine:hosts=4,leaves=2,spines=2. The only choice is at
  // leaf0, between leaf0->spine0 and leaf0->spine1 (link order), index = hash mod 2 with
  // hash = ecmpHash(seed, fnv(src), fnv(dst), flowKey 0, qp 0, fnv("leaf0")). Evaluated
  // independently (Python): seed 2 → host0→host2: 1, host1→host3: 1 (collision on spine1);
  // seed 0 → 1 and 0 (the flows split).
  it('fixed-seed two-flow case: seed 2 collides on spine1, seed 0 splits', () => {
    const router = createRouter(parseTopologySpec('leafspine:hosts=4,leaves=2,spines=2'));
    const spineOf = (src: string, dst: string, seed: number) => router.pinnedPath(src, dst, 0, 0, seed, NONE)![1];
    expect(spineOf('host0', 'host2', 2)).toBe('leaf0->spine1');
    expect(spineOf('host1', 'host3', 2)).toBe('leaf0->spine1');
    expect(spineOf('host0', 'host2', 0)).toBe('leaf0->spine1');
    expect(spineOf('host1', 'host3', 0)).toBe('leaf0->spine0');
  });

  it('large and fractional flow keys do not alias', () => {
    const router = createRouter(parseTopologySpec('leafspine:hosts=8,leaves=2,spines=8'));
    const spines = new Set([1, 2 ** 32 + 1, -1, 0.5, 2 ** 53].map((k) => router.pinnedPath('host0', 'host7', k, 0, 1, NONE)![1]));
    expect(spines.size).toBeGreaterThan(1);
  });
});

describe('down links', () => {
  const t = parseTopologySpec('leafspine:hosts=8,leaves=2,spines=2');

  it('routes avoid a failed uplink; with both uplinks down there is no path', () => {
    const router = createRouter(t);
    const down = new Set(['leaf0->spine0']);
    for (let key = 0; key < 32; key++) expect(router.pinnedPath('host0', 'host7', key, 0, 1, down)![1]).toBe('leaf0->spine1');
    expect(router.equalCostPaths('host0', 'host7', down)).toEqual([['host0->leaf0', 'leaf0->spine1', 'spine1->leaf1', 'leaf1->host7']]);
    const both = new Set(['leaf0->spine0', 'leaf0->spine1']);
    expect(router.pinnedPath('host0', 'host7', 0, 0, 1, both)).toBeNull();
    expect(router.equalCostPaths('host0', 'host7', both)).toEqual([]);
    expect(router.hops('host0', 'host7', both)).toBe(Infinity);
    // the healthy answer is unchanged afterwards (no stale cache)
    expect(router.equalCostPaths('host0', 'host7', NONE)).toHaveLength(2);
  });

  it('a failure that lengthens the shortest path is routed around', () => {
    // s0 → s1 directly, or s0 → s2 → s1
    const file = {
      nodes: [{ id: 'a', kind: 'host' }, { id: 'b', kind: 'host' }, { id: 's0', kind: 'switch' }, { id: 's1', kind: 'switch' }, { id: 's2', kind: 'switch' }],
      links: [
        { from: 'a', to: 's0', bandwidth: '1GB/s', latency: '1us' },
        { from: 'b', to: 's1', bandwidth: '1GB/s', latency: '1us' },
        { from: 's0', to: 's1', bandwidth: '1GB/s', latency: '1us' },
        { from: 's0', to: 's2', bandwidth: '1GB/s', latency: '1us' },
        { from: 's2', to: 's1', bandwidth: '1GB/s', latency: '1us' },
      ],
    };
    const router = createRouter(parseTopologyText(JSON.stringify(file), 'tri.json'));
    expect(router.pinnedPath('a', 'b', 0, 0, 0, NONE)).toEqual(['a->s0', 's0->s1', 's1->b']);
    expect(router.pinnedPath('a', 'b', 0, 0, 0, new Set(['s0->s1']))).toEqual(['a->s0', 's0->s2', 's2->s1', 's1->b']);
    expect(router.hops('a', 'b', new Set(['s0->s1']))).toBe(4);
  });
});

describe('several down links', () => {
  // s0 reaches s1 directly (1 hop), via s2 (2 hops) or via s3, s4 (3 hops). With s0→s1 and
  // s0→s2 both down, the only route is the 3-hop one: the table rebuilt after the first
  // failure must also leave out the second link, which was never on a shortest path.
  it('a rebuilt route avoids every down link, not only those on the healthy shortest path', () => {
    const link = (from: string, to: string) => ({ from, to, bandwidth: '1GB/s', latency: '1us' });
    const file = {
      nodes: [{ id: 'a', kind: 'host' }, { id: 'b', kind: 'host' }, ...['s0', 's1', 's2', 's3', 's4'].map((id) => ({ id, kind: 'switch' }))],
      links: [link('a', 's0'), link('b', 's1'), link('s0', 's1'), link('s0', 's2'), link('s2', 's1'), link('s0', 's3'), link('s3', 's4'), link('s4', 's1')],
    };
    const router = createRouter(parseTopologyText(JSON.stringify(file), 'detour.json'));
    const down = new Set(['s0->s1', 's0->s2']);
    expect(router.pinnedPath('a', 'b', 0, 0, 0, down)).toEqual(['a->s0', 's0->s3', 's3->s4', 's4->s1', 's1->b']);
    expect(router.equalCostPaths('a', 'b', down)).toEqual([['a->s0', 's0->s3', 's3->s4', 's4->s1', 's1->b']]);
  });
});

describe('distance cache', () => {
  it('a router that may cache almost nothing routes exactly like the default one', () => {
    const t = parseTopologySpec('dgx-h100:nodes=4');
    const roomy = createRouter(t);
    const tiny = createRouter(t, { cacheBytes: 1 }); // every new destination evicts the others
    const down = new Set(['su0.leaf2->spine1']);
    for (let i = 0; i < 300; i++) {
      const [a, b] = [t.ranks[(i * 13) % 32]!, t.ranks[(i * 7 + 3) % 32]!];
      const failed = i % 2 === 0 ? down : NONE;
      expect(tiny.pinnedPath(a, b, i, i % 3, 5, failed)).toEqual(roomy.pinnedPath(a, b, i, i % 3, 5, failed));
    }
  });
});

describe('kept pinned paths', () => {
  it('a healthy path asked again is the same array, equal to a fresh router\'s for every flow key, qp and seed; down links bypass what is kept', () => {
    const t = parseTopologySpec('dgx-h100:nodes=4');
    const kept = createRouter(t);
    const down = new Set(['su0.leaf2->spine1']);
    const keys = [0, -0, 1, 2 ** 32 + 1, 0.5, -7];
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 200; i++) {
        const [a, b] = [t.ranks[(i * 13) % 32]!, t.ranks[(i * 7 + 3) % 32]!];
        const [flowKey, qp, seed] = [keys[i % keys.length]!, i % 3, 5 + (i % 2)];
        const path = kept.pinnedPath(a, b, flowKey, qp, seed, NONE);
        // A fresh router per ask: what every ask walked before paths were kept.
        expect(path).toEqual(createRouter(t).pinnedPath(a, b, flowKey, qp, seed, NONE));
        if (a !== b) expect(kept.pinnedPath(a, b, flowKey, qp, seed, NONE)).toBe(path);
        expect(kept.pinnedPath(a, b, flowKey, qp, seed, down)).toEqual(createRouter(t).pinnedPath(a, b, flowKey, qp, seed, down));
      }
    }
  });
});

describe('endpoints never forward', () => {
  it('fullmesh:3 with gpu0→gpu1 down has no path (not via gpu2)', () => {
    const router = createRouter(parseTopologySpec('fullmesh:3'));
    expect(router.pinnedPath('gpu0', 'gpu1', 0, 0, 0, new Set(['gpu0->gpu1']))).toBeNull();
  });

  it('dgx-h100: cross-rail traffic goes through a spine, never NVLink → another GPU → its NIC (same hop count)', () => {
    const router = createRouter(parseTopologySpec('dgx-h100:nodes=2'));
    const paths = router.equalCostPaths('node0.gpu0', 'node1.gpu1', NONE);
    expect(paths).toEqual([
      ['node0.gpu0->node0.nic0', 'node0.nic0->su0.leaf0', 'su0.leaf0->spine0', 'spine0->su0.leaf1', 'su0.leaf1->node1.nic1', 'node1.nic1->node1.gpu1'],
      ['node0.gpu0->node0.nic0', 'node0.nic0->su0.leaf0', 'su0.leaf0->spine1', 'spine1->su0.leaf1', 'su0.leaf1->node1.nic1', 'node1.nic1->node1.gpu1'],
    ]);
    expect(router.pinnedPath('node0.gpu0', 'node0.gpu5', 9, 0, 0, NONE)).toEqual(['node0.gpu0->node0.nvswitch', 'node0.nvswitch->node0.gpu5']);
  });
});

describe('scale: dgx-h100:nodes=512 (4096 GPUs)', () => {
  it('routes 2000 pairs with the hop counts the structure implies', () => {
    const t = parseTopologySpec('dgx-h100:nodes=512');
    const router = createRouter(t);
    for (let i = 0; i < 2000; i++) {
      const a = (i * 7919) % 4096;
      const b = (i * 104729 + 13) % 4096;
      const path = router.pinnedPath(t.ranks[a]!, t.ranks[b]!, i, 0, 1, NONE)!;
      const [na, ga] = [Math.floor(a / 8), a % 8];
      const [nb, gb] = [Math.floor(b / 8), b % 8];
      // same GPU: 0; same server: NVLink (2); same rail and SU: via the rail leaf (4); else via a spine (6)
      const expected = a === b ? 0 : na === nb ? 2 : ga === gb && Math.floor(na / 32) === Math.floor(nb / 32) ? 4 : 6;
      expect(path.length).toBe(expected);
    }
  });
});

describe('adaptive routing spreads over every equal-cost next hop (regression: the first 64 paths only)', () => {
  /** Two GPUs, each with 18 parallel 25 GB/s NVLinks to one switch: 18 × 18 = 324 equal-cost paths. */
  function nvlink18(): ReturnType<TopologyBuilder['build']> {
    const b = new TopologyBuilder();
    b.addNode('gpu0', 'gpu');
    b.addNode('gpu1', 'gpu');
    b.addNode('sw', 'nvswitch');
    for (let i = 0; i < 18; i++) {
      b.addDuplex('gpu0', 'sw', 25e9, 300);
      b.addDuplex('gpu1', 'sw', 25e9, 300);
    }
    return b.build('nvlink18', ['gpu0', 'gpu1']);
  }

  it('18 parallel links, then 18 more: 18 paths, every link on exactly one (the old DFS put 64 paths on 4 first-hop links)', () => {
    const paths = createRouter(nvlink18()).equalCostPaths('gpu0', 'gpu1', NONE);
    expect(paths).toHaveLength(18);
    const uses = new Map<string, number>();
    for (const path of paths) for (const id of path) uses.set(id, (uses.get(id) ?? 0) + 1);
    expect(uses.size).toBe(36);
    expect([...uses.values()].every((n) => n === 1)).toBe(true);
  });

  it('one adaptive flow over 18 parallel NVLinks gets all 18 × 25 = 450 GB/s (it reached about 100)', () => {
    const topology = nvlink18();
    const net = createNetwork(topology, { model: 'maxMin', routing: 'adaptive', qps: 1, seed: 0 }, createRouter(topology));
    const bytes = 450e6; // 1 ms at 450 GB/s
    net.startTransfer({ srcNode: 'gpu0', dstNode: 'gpu1', bytes, flowKey: 0 }, 0);
    let sentNs = NaN;
    for (let t = net.nextEventTimeNs(); t !== Infinity; t = net.nextEventTimeNs()) {
      net.advanceTo(t);
      for (const event of net.takeEvents()) if (event.kind === 'sent') sentNs = event.timeNs;
    }
    expect(sentNs).toBeCloseTo(1e6, 3);
  });

  it('uneven fan-out splits evenly per hop: 2 spines, one with 3 parallel downlinks → 6 paths, half via each spine', () => {
    const b = new TopologyBuilder();
    for (const id of ['h0', 'h1']) b.addNode(id, 'host');
    for (const id of ['leaf', 'spineA', 'spineB', 'down']) b.addNode(id, 'switch');
    b.addDuplex('h0', 'leaf', 1e9, 1);
    b.addDuplex('leaf', 'spineA', 1e9, 1);
    b.addDuplex('leaf', 'spineB', 1e9, 1);
    b.addDuplex('spineA', 'down', 1e9, 1);
    for (let i = 0; i < 3; i++) b.addDuplex('spineB', 'down', 1e9, 1);
    b.addDuplex('down', 'h1', 1e9, 1);
    const paths = createRouter(b.build('uneven', ['h0', 'h1'])).equalCostPaths('h0', 'h1', NONE);
    expect(paths).toHaveLength(6);
    expect(paths.filter((p) => p[1] === 'leaf->spineA')).toHaveLength(3);
    expect(new Set(paths.filter((p) => p[1] === 'leaf->spineB').map((p) => p[2]))).toEqual(new Set(['spineB->down', 'spineB->down#2', 'spineB->down#3']));
    // Deterministic: the same paths in the same order from a fresh router.
    expect(createRouter(b.build('uneven', ['h0', 'h1'])).equalCostPaths('h0', 'h1', NONE)).toEqual(paths);
  });
});

/** Hops from every node to `dst` by a plain reverse BFS over the topology (endpoints do not forward). */
function referenceHops(t: Topology, dst: string): Map<string, number> {
  const endpoint = new Set(t.nodes.filter((n) => n.kind === 'gpu' || n.kind === 'host').map((n) => n.id));
  const into = new Map<string, string[]>();
  for (const link of t.links) {
    if (!into.has(link.to)) into.set(link.to, []);
    into.get(link.to)!.push(link.from);
  }
  const dist = new Map([[dst, 0]]);
  const queue = [dst];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const from of into.get(node) ?? []) {
      if (dist.has(from)) continue;
      dist.set(from, dist.get(node)! + 1);
      if (!endpoint.has(from)) queue.push(from);
    }
  }
  return dist;
}

describe('hub walks outlive the distance cache', () => {
  it('dgx-h100:nodes=40,tiers=3 with a cache of 1 byte: routes to every GPU walk each switch at most once, and equal the default router’s', () => {
    const t = parseTopologySpec('dgx-h100:nodes=40,tiers=3');
    const roomy = createRouter(t);
    const tiny = createRouter(t, { cacheBytes: 1 }); // every new destination evicts the others
    const n = t.ranks.length;
    for (let i = 0; i < n; i++) {
      const [a, b] = [t.ranks[(i * 37 + 11) % n]!, t.ranks[i]!];
      expect(tiny.pinnedPath(a, b, i, 0, 3, NONE)).toEqual(roomy.pinnedPath(a, b, i, 0, 3, NONE));
    }
    const switches = t.nodes.filter((node) => node.kind !== 'gpu' && node.kind !== 'nic').length;
    expect(tiny.walks).toBeGreaterThan(0);
    expect(tiny.walks).toBeLessThanOrEqual(switches);
    // A second pass over the same destinations walks nothing more.
    const walked = tiny.walks;
    for (let i = 0; i < n; i++) tiny.pinnedPath(t.ranks[(i * 5 + 1) % n]!, t.ranks[i]!, i, 0, 3, NONE);
    expect(tiny.walks).toBe(walked);
  });
});

describe("a GPU's distances derived from its switches' (healthyDistances)", () => {
  it.each(['dgx-h100:nodes=4', 'dgx-h100:nodes=40,tiers=3', 'hgx-a100:nodes=2', 'nvl72:racks=2', 'gb200-nvl4:nodes=4', 'leafspine:hosts=8,leaves=2,spines=2', 'ring:6', 'fullmesh:4', 'switch:4'])(
    '%s: every node to every rank equals a plain BFS, and routes under a down link too',
    (spec) => {
      const t = parseTopologySpec(spec);
      const router = createRouter(t);
      for (const dst of t.ranks.filter((_, r) => r % Math.ceil(t.ranks.length / 12) === 0)) {
        const want = referenceHops(t, dst);
        for (const node of t.nodes) expect([node.id, router.hops(node.id, dst)]).toEqual([node.id, want.get(node.id) ?? Infinity]);
      }
      // A route to a GPU is a shortest path, link after link.
      const [a, b] = [t.ranks[0]!, t.ranks[t.ranks.length - 1]!];
      const path = router.pinnedPath(a, b, 7, 0, 0, NONE)!;
      expect(path).toHaveLength(router.hops(a, b));
      const down = new Set([path[0]!]);
      const detour = router.pinnedPath(a, b, 7, 0, 0, down);
      if (detour !== null) expect(detour).not.toContain(path[0]);
    },
  );
});
