import { describe, expect, it } from 'vitest';
import {
  binaryTree,
  binomialTree,
  chunksOf,
  clampChannels,
  doubleBinaryTree,
  fold,
  parts,
  ringNeighbours,
  ringNext,
  ringPrev,
  spanOf,
  type Tree,
} from '../src/logical.js';

/** Every rank reaches the root by following parents, and children mirror parents. */
function expectTree(tree: Tree, n: number): void {
  expect(tree.parent.filter((p) => p === -1)).toEqual([-1]);
  for (let r = 0; r < n; r++) {
    let x = r;
    for (let hops = 0; x !== tree.root; hops++) {
      expect(hops).toBeLessThan(n);
      x = tree.parent[x]!;
    }
    for (const c of tree.children[r]!) expect(tree.parent[c]).toBe(r);
  }
}

describe('logical topologies', () => {
  it('splits n elements into k near-equal parts, larger ones first', () => {
    expect(parts(10, 3)).toEqual([
      { offset: 0, count: 4 },
      { offset: 4, count: 3 },
      { offset: 7, count: 3 },
    ]);
    expect(parts(2, 4, 5).map((p) => p.count)).toEqual([1, 1, 0, 0]);
    expect(spanOf(parts(10, 3), 1, 3)).toEqual({ offset: 4, count: 6 });
    expect(chunksOf({ offset: 3, count: 10 }, 4)).toEqual([
      { offset: 3, count: 4 },
      { offset: 7, count: 4 },
      { offset: 11, count: 2 },
    ]);
    expect(chunksOf({ offset: 3, count: 10 }, 0)).toEqual([{ offset: 3, count: 10 }]);
    expect(clampChannels(4, 2)).toBe(2);
    expect(clampChannels(4, 0)).toBe(1);
  });

  it('gives ring neighbours', () => {
    expect([ringPrev(0, 5), ringNext(4, 5)]).toEqual([4, 0]);
    expect(ringNeighbours([3, 1, 2], 0)).toEqual({ prev: 2, next: 1 });
  });

  it('builds NCCL binary trees: 12 ranks as drawn in src/graph/trees.cc', () => {
    const t = binaryTree(12);
    expect(t.root).toBe(0);
    expect(t.children[0]).toEqual([8]);
    expect(t.children[8]).toEqual([4, 10]);
    expect(t.children[4]).toEqual([2, 6]);
    expect(t.children[10]).toEqual([9, 11]);
    expect(t.children[2]).toEqual([1, 3]);
    for (let r = 1; r < 12; r += 2) expect(t.children[r]).toEqual([]);
    // Mirror tree (even n): root 11, its child 3, whose children are 1 and 7.
    const [, mirror] = doubleBinaryTree(12);
    expect(mirror.root).toBe(11);
    expect(mirror.children[11]).toEqual([3]);
    expect([...mirror.children[3]!].sort((a, b) => a - b)).toEqual([1, 7]);
  });

  it('makes the two trees complementary: for even n every rank is a leaf in exactly one', () => {
    for (let n = 1; n <= 40; n++) {
      const [a, b] = doubleBinaryTree(n);
      expectTree(a, n);
      expectTree(b, n);
      for (let r = 0; r < n; r++) {
        expect(a.children[r]!.length).toBeLessThanOrEqual(2);
        expect(b.children[r]!.length).toBeLessThanOrEqual(2);
      }
      expect(a.height[a.root]).toBeLessThanOrEqual(Math.ceil(Math.log2(Math.max(2, n))));
      if (n % 2 === 0 && n > 2) {
        for (let r = 0; r < n; r++) {
          const leaves = Number(a.children[r]!.length === 0) + Number(b.children[r]!.length === 0);
          expect(leaves).toBe(1);
        }
      }
    }
  });

  it('builds binomial trees with root rotation', () => {
    const t = binomialTree(6, 2);
    expectTree(t, 6);
    expect(t.root).toBe(2);
    // Virtual ranks: v = r - 2; v 0 has children 4, 2, 1 (largest subtree first) -> ranks 0, 4, 3.
    expect(t.children[2]).toEqual([0, 4, 3]);
    expect(t.height[2]).toBe(2);
  });

  it('folds non-powers of two for recursive doubling', () => {
    const f = fold(12);
    expect([f.pof2, f.rem]).toEqual([8, 4]);
    expect(Array.from({ length: 12 }, (_, r) => f.virtualOf(r))).toEqual([-1, 0, -1, 1, -1, 2, -1, 3, 4, 5, 6, 7]);
    expect(Array.from({ length: 8 }, (_, v) => f.realOf(v))).toEqual([1, 3, 5, 7, 8, 9, 10, 11]);
    expect([f.foldPartner(0), f.foldPartner(1), f.foldPartner(8)]).toEqual([1, 0, -1]);
    expect(fold(8).rem).toBe(0);
  });
});
