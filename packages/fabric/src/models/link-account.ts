import type { LinkStats, TopoLink } from '../types.js';
import { bytesMoved } from './timing.js';

/** A link's totals as LinkStats, utilization against its nominal bandwidth over `elapsedNs` (every network model reports through here). */
export function linkStatsOf(
  link: TopoLink,
  totals: { readonly bytesCarried: number; readonly busyNs: number; readonly peakFlows: number },
  elapsedNs: number,
  utilizationTimeline: LinkStats['utilizationTimeline'],
): LinkStats {
  const capacityTimesElapsed = (link.bandwidthBytesPerSec * elapsedNs) / 1e9;
  return {
    linkId: link.id,
    from: link.from,
    to: link.to,
    bandwidthBytesPerSec: link.bandwidthBytesPerSec,
    bytesCarried: totals.bytesCarried,
    busyNs: totals.busyNs,
    utilization: capacityTimesElapsed > 0 ? totals.bytesCarried / capacityTimesElapsed : 0,
    peakConcurrentFlows: totals.peakFlows,
    utilizationTimeline,
  };
}

/**
 * Every link's state and statistics, one record of STRIDE float64 per link in one typed
 * array (a rate change touches one cache line per link, with no object to reach it by).
 * Rates are piecewise constant between changes, so bytes carried and busy time are
 * integrated exactly at each change (`touch`), and the utilization timeline gets one point
 * per change.
 *
 * Utilization fractions are relative to the link's nominal bandwidth (the topology's), so a
 * degraded link shows its lower ceiling; under alphaBeta they may exceed 1.
 */
export class LinkAccounts {
  private readonly fields: Float64Array;
  /** Per link, null when the network records `summary`: totals only, no timeline. */
  private readonly timelines: ([number, number][] | null)[];

  constructor(
    readonly links: readonly TopoLink[],
    keepTimeline = true,
  ) {
    this.fields = new Float64Array(links.length * STRIDE);
    this.timelines = links.map(() => (keepTimeline ? [[0, 0]] : null));
    links.forEach((link, index) => (this.fields[index * STRIDE + CAPACITY] = link.bandwidthBytesPerSec));
  }

  /** Current capacity: nominal × degrade factors, 0 once failed. */
  capacityOf(link: number): number {
    return this.fields[link * STRIDE + CAPACITY]!;
  }

  setCapacity(link: number, capacityBytesPerSec: number): void {
    this.fields[link * STRIDE + CAPACITY] = capacityBytesPerSec;
  }

  isDown(link: number): boolean {
    return this.fields[link * STRIDE + DOWN] !== 0;
  }

  markDown(link: number): void {
    this.fields[link * STRIDE + DOWN] = 1;
  }

  /**
   * Adds `deltaBytesPerSec` to the link's rate in use from `nowNs` on, `times` times over (one
   * addition per identical flow, in turn, as separate calls would: the first touch integrates
   * up to now, the others find nothing elapsed, and several points at one instant collapse
   * into the last, so one touch and one point give the same account).
   */
  changeRate(link: number, nowNs: number, deltaBytesPerSec: number, times = 1): void {
    if (deltaBytesPerSec === 0) return;
    const base = link * STRIDE;
    this.touch(base, nowNs);
    for (let time = 0; time < times; time++) this.fields[base + RATE] += deltaBytesPerSec;
    this.record(link, nowNs);
  }

  /** A flow (not a sub-flow) started crossing the link. */
  flowAdded(link: number, nowNs: number): void {
    const base = link * STRIDE;
    const fields = this.fields;
    this.touch(base, nowNs);
    const flows = ++fields[base + FLOWS]!;
    if (flows > fields[base + PEAK]!) fields[base + PEAK] = flows;
  }

  flowRemoved(link: number, nowNs: number): void {
    const base = link * STRIDE;
    const fields = this.fields;
    this.touch(base, nowNs);
    const flows = --fields[base + FLOWS]!;
    if (flows === 0 && fields[base + RATE] !== 0) {
      // Sums of float deltas can leave a residue; an idle link carries exactly nothing.
      fields[base + RATE] = 0;
      this.record(link, nowNs);
    }
  }

  /** Totals up to `nowNs`; utilization over the first `elapsedNs` of them. */
  stats(link: number, nowNs: number, elapsedNs = nowNs): LinkStats {
    const base = link * STRIDE;
    this.touch(base, nowNs);
    const fields = this.fields;
    const timeline = this.timelines[link]!;
    return linkStatsOf(
      this.links[link]!,
      { bytesCarried: fields[base + BYTES]!, busyNs: fields[base + BUSY]!, peakFlows: fields[base + PEAK]! },
      elapsedNs,
      timeline === null ? [] : timeline.map(([timeNs, fraction]) => [timeNs, fraction] as const),
    );
  }

  private touch(base: number, nowNs: number): void {
    const fields = this.fields;
    const elapsedNs = nowNs - fields[base + LAST_CHANGE]!;
    if (elapsedNs <= 0) return;
    const rate = fields[base + RATE]!;
    if (rate !== 0) fields[base + BYTES] += bytesMoved(rate, elapsedNs);
    if (fields[base + FLOWS]! > 0) fields[base + BUSY] += elapsedNs;
    fields[base + LAST_CHANGE] = nowNs;
  }

  /** One point per change; several changes at one instant collapse into the last. */
  private record(link: number, nowNs: number): void {
    const timeline = this.timelines[link]!;
    if (timeline === null) return;
    const fraction = this.fields[link * STRIDE + RATE]! / this.links[link]!.bandwidthBytesPerSec;
    const last = timeline[timeline.length - 1]!;
    if (last[0] === nowNs) {
      last[1] = fraction;
      const previous = timeline[timeline.length - 2];
      if (previous !== undefined && previous[1] === fraction) timeline.pop();
    } else if (last[1] !== fraction) {
      timeline.push([nowNs, fraction]);
    }
  }
}

/** A link's record in LinkAccounts: STRIDE float64 (one 64-byte cache line), these offsets. */
const RATE = 0;
const LAST_CHANGE = 1;
const BYTES = 2;
const BUSY = 3;
/** Flows (not sub-flows) currently crossing the link, and the most at once. */
const FLOWS = 4;
const PEAK = 5;
const CAPACITY = 6;
/** 1 once failed. */
const DOWN = 7;
const STRIDE = 8;
