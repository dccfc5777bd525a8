import { DCQCN, TELEMETRY, type CongestionControl } from './options.js';

/**
 * A sender's rate under its congestion control (the reaction point). `rateBytesPerSec` is
 * what the NIC paces the flow's packets at; at line rate there is no pacing.
 *
 * - none: always line rate; queues are bounded by PFC alone.
 * - dcqcn: Zhu et al. 2015. A CNP cuts the rate by alpha/2 and remembers the target; a
 *   55 us timer raises it again (F fast-recovery steps halfway to the target, then
 *   additive, then hyper increase) and decays alpha when no CNP came. The timers are
 *   evaluated lazily, when the sender next asks for its rate, by counting the periods
 *   that elapsed — the same arithmetic as firing them, without an event each. The byte
 *   counter trigger is not modelled (the timer alone drives recovery).
 * - telemetry: a model, not NVIDIA's algorithm (unpublished): each acknowledgement carries
 *   the deepest queue the packet met; the rate follows rate_ref x eta / U with
 *   U = 1 + queue delay / base RTT (HPCC's form), the reference updated once per RTT,
 *   and rises by a fixed step when no queue was seen.
 */
export class SenderRate {
  rateBytesPerSec: number;
  private targetBytesPerSec: number;
  private alpha = 1;
  private alphaClockNs: number;
  private increaseClockNs: number;
  private increaseSteps = 0;
  private referenceBytesPerSec: number;
  private referenceSetNs: number;
  private readonly minBytesPerSec: number;

  constructor(
    private readonly cc: CongestionControl,
    readonly lineBytesPerSec: number,
    private readonly baseRttNs: number,
    nowNs: number,
  ) {
    this.rateBytesPerSec = lineBytesPerSec;
    this.targetBytesPerSec = lineBytesPerSec;
    this.referenceBytesPerSec = lineBytesPerSec;
    this.referenceSetNs = nowNs;
    this.alphaClockNs = nowNs;
    this.increaseClockNs = nowNs;
    this.minBytesPerSec = lineBytesPerSec * DCQCN.minRateFraction;
  }

  /** The rate at `nowNs`, after any DCQCN timer periods that elapsed. */
  rateAt(nowNs: number): number {
    if (this.cc === 'dcqcn' && this.rateBytesPerSec < this.lineBytesPerSec) this.runTimers(nowNs);
    return this.rateBytesPerSec;
  }

  /** A congestion notification packet reached the sender (DCQCN). */
  onCnp(nowNs: number): void {
    if (this.cc !== 'dcqcn') return;
    this.runTimers(nowNs);
    this.targetBytesPerSec = this.rateBytesPerSec;
    this.rateBytesPerSec = Math.max(this.minBytesPerSec, this.rateBytesPerSec * (1 - this.alpha / 2));
    this.alpha = (1 - DCQCN.g) * this.alpha + DCQCN.g;
    this.alphaClockNs = nowNs;
    this.increaseClockNs = nowNs;
    this.increaseSteps = 0;
  }

  /** An acknowledgement with the deepest queue delay its packet met (telemetry CC). */
  onTelemetry(queueDelayNs: number, nowNs: number): void {
    if (this.cc !== 'telemetry') return;
    if (nowNs - this.referenceSetNs >= this.baseRttNs) {
      this.referenceBytesPerSec = this.rateBytesPerSec;
      this.referenceSetNs = nowNs;
    }
    const utilization = 1 + queueDelayNs / this.baseRttNs;
    const next =
      queueDelayNs > 0
        ? (this.referenceBytesPerSec * TELEMETRY.targetUtilization) / utilization
        : this.referenceBytesPerSec + TELEMETRY.additiveFraction * this.lineBytesPerSec;
    this.rateBytesPerSec = Math.min(this.lineBytesPerSec, Math.max(this.minBytesPerSec, next));
  }

  private runTimers(nowNs: number): void {
    const periodNs = DCQCN.timerNs;
    const alphaPeriods = Math.floor((nowNs - this.alphaClockNs) / periodNs);
    if (alphaPeriods > 0) {
      this.alpha *= (1 - DCQCN.g) ** alphaPeriods;
      this.alphaClockNs += alphaPeriods * periodNs;
    }
    while (nowNs - this.increaseClockNs >= periodNs && this.rateBytesPerSec < this.lineBytesPerSec) {
      this.increaseClockNs += periodNs;
      this.increaseSteps++;
      const F = DCQCN.fastRecoverySteps;
      if (this.increaseSteps > 2 * F) {
        this.targetBytesPerSec += ((this.increaseSteps - 2 * F) * DCQCN.hyperBitsPerSec) / 8;
      } else if (this.increaseSteps > F) {
        this.targetBytesPerSec += DCQCN.additiveBitsPerSec / 8;
      }
      this.targetBytesPerSec = Math.min(this.targetBytesPerSec, this.lineBytesPerSec);
      this.rateBytesPerSec = Math.min(this.lineBytesPerSec, (this.targetBytesPerSec + this.rateBytesPerSec) / 2);
    }
    if (this.rateBytesPerSec >= this.lineBytesPerSec) this.increaseClockNs = nowNs;
  }
}
