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
 * One link's state and statistics. Rates are piecewise constant between changes, so bytes
 * carried and busy time are integrated exactly at each change (`touch`), and the
 * utilization timeline gets one point per change.
 *
 * Utilization fractions are relative to the link's nominal bandwidth (the topology's), so a
 * degraded link shows its lower ceiling; under alphaBeta they may exceed 1.
 */
export class LinkAccount {
  /** Current capacity: nominal × degrade factors, 0 once failed. */
  capacityBytesPerSec: number;
  down = false;
  /** Flows (not sub-flows) currently crossing the link. */
  flowCount = 0;
  private rateBytesPerSec = 0;
  private lastChangeNs = 0;
  private bytesCarried = 0;
  private busyNs = 0;
  private peakFlows = 0;
  /** Null when the network records `summary`: totals only, no timeline. */
  private readonly timeline: [number, number][] | null;

  constructor(
    readonly link: TopoLink,
    keepTimeline = true,
  ) {
    this.timeline = keepTimeline ? [[0, 0]] : null;
    this.capacityBytesPerSec = link.bandwidthBytesPerSec;
  }

  /** Adds `deltaBytesPerSec` to the rate in use from `nowNs` on. */
  changeRate(nowNs: number, deltaBytesPerSec: number): void {
    if (deltaBytesPerSec === 0) return;
    this.touch(nowNs);
    this.rateBytesPerSec += deltaBytesPerSec;
    this.record(nowNs);
  }

  flowAdded(nowNs: number): void {
    this.touch(nowNs);
    this.flowCount++;
    if (this.flowCount > this.peakFlows) this.peakFlows = this.flowCount;
  }

  flowRemoved(nowNs: number): void {
    this.touch(nowNs);
    this.flowCount--;
    if (this.flowCount === 0 && this.rateBytesPerSec !== 0) {
      // Sums of float deltas can leave a residue; an idle link carries exactly nothing.
      this.rateBytesPerSec = 0;
      this.record(nowNs);
    }
  }

  stats(nowNs: number): LinkStats {
    this.touch(nowNs);
    return linkStatsOf(
      this.link,
      { bytesCarried: this.bytesCarried, busyNs: this.busyNs, peakFlows: this.peakFlows },
      nowNs,
      this.timeline === null ? [] : this.timeline.map(([timeNs, fraction]) => [timeNs, fraction] as const),
    );
  }

  private touch(nowNs: number): void {
    const elapsedNs = nowNs - this.lastChangeNs;
    if (elapsedNs <= 0) return;
    if (this.rateBytesPerSec !== 0) this.bytesCarried += bytesMoved(this.rateBytesPerSec, elapsedNs);
    if (this.flowCount > 0) this.busyNs += elapsedNs;
    this.lastChangeNs = nowNs;
  }

  /** One point per change; several changes at one instant collapse into the last. */
  private record(nowNs: number): void {
    const timeline = this.timeline;
    if (timeline === null) return;
    const fraction = this.rateBytesPerSec / this.link.bandwidthBytesPerSec;
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
