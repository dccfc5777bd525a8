/**
 * A small helper the preset builders and the file parser share: it names links
 * consistently ("from->to", with "#2", "#3" … for parallel cables between the same pair)
 * and turns full-duplex cables into two directed links, one each way.
 */
import type { NodeKind, TopoLink, TopoNode, Topology } from '../types.js';

export class TopologyBuilder {
  private readonly nodeList: TopoNode[] = [];
  private readonly linkList: TopoLink[] = [];
  /** Links so far per (from, to) pair, nested so lookups hash short ids (65,536-GPU fabrics add 557k links). */
  private readonly pairCount = new Map<string, Map<string, number>>();

  addNode(id: string, kind: NodeKind, options: { group?: string; reduction?: boolean; reductionEfficiency?: number } = {}): string {
    const node: { id: string; kind: NodeKind; group?: string; reduction?: boolean; reductionEfficiency?: number } = { id, kind };
    if (options.group !== undefined) node.group = options.group;
    if (options.reduction) node.reduction = true;
    if (options.reduction && options.reductionEfficiency !== undefined) node.reductionEfficiency = options.reductionEfficiency;
    this.nodeList.push(node);
    return id;
  }

  /** One directed link. */
  addLink(from: string, to: string, bandwidthBytesPerSec: number, latencyNs: number, options: { bufferBytes?: number } = {}): TopoLink {
    let fromCounts = this.pairCount.get(from);
    if (!fromCounts) this.pairCount.set(from, (fromCounts = new Map()));
    const count = (fromCounts.get(to) ?? 0) + 1;
    fromCounts.set(to, count);
    const pair = `${from}->${to}`;
    const link: { -readonly [K in keyof TopoLink]: TopoLink[K] } = { id: count === 1 ? pair : `${pair}#${count}`, from, to, bandwidthBytesPerSec, latencyNs };
    if (options.bufferBytes !== undefined) link.bufferBytes = options.bufferBytes;
    this.linkList.push(link);
    return link;
  }

  /** A full-duplex cable: the same bandwidth and latency in each direction. */
  addDuplex(a: string, b: string, bandwidthBytesPerSec: number, latencyNs: number, options: { bufferBytes?: number } = {}): void {
    this.addLink(a, b, bandwidthBytesPerSec, latencyNs, options);
    this.addLink(b, a, bandwidthBytesPerSec, latencyNs, options);
  }

  get nodes(): readonly TopoNode[] {
    return this.nodeList;
  }

  build(name: string, ranks: readonly string[], sources?: readonly string[]): Topology {
    const topology: { name: string; nodes: TopoNode[]; links: TopoLink[]; ranks: string[]; sources?: string[] } = {
      name,
      nodes: this.nodeList,
      links: this.linkList,
      ranks: [...ranks],
    };
    if (sources && sources.length > 0) topology.sources = [...sources];
    return topology;
  }
}
