/**
 * Weighted round robin between traffic classes, as deficit round robin by bytes
 * (Shreedhar and Varghese, SIGCOMM 1995): a class's turn adds weight x cell bytes /
 * (smallest weight) of credit; it sends while its next packet fits in its credit; a class
 * with nothing to send keeps none. Over a busy period each class gets its weight's share
 * of the bytes. Used by switch egress ports and NICs (ETS) alike.
 */
import { CLASSES } from './classes.js';

export class DeficitRoundRobin {
  private readonly deficitBytes: Float64Array;
  private readonly turn: Uint8Array;
  private readonly quantumBytes: Float64Array;
  /** Scratch for callers: per class, the bytes of the packet it would send next, or -1 if it cannot send. */
  readonly heads = new Float64Array(CLASSES);

  constructor(ports: number, weights: readonly number[], cellBytes: number) {
    this.deficitBytes = new Float64Array(ports * CLASSES);
    this.turn = new Uint8Array(ports);
    const smallest = Math.min(...weights);
    this.quantumBytes = Float64Array.from(weights, (w) => (w / smallest) * cellBytes);
  }

  /**
   * The class `port` serves next given `heads` (filled by the caller), charged for its
   * packet; -1 if none can send. CLASSES + 1 visits reach any class that can: a turn's
   * credit covers a cell.
   */
  pick(port: number): number {
    const heads = this.heads;
    const deficit = this.deficitBytes;
    for (let visit = 0; visit <= CLASSES; visit++) {
      const cls = this.turn[port]!;
      const pc = port * CLASSES + cls;
      const bytes = heads[cls]!;
      if (bytes < 0) deficit[pc] = 0; // an idle class banks no credit
      else if (deficit[pc]! >= bytes) {
        deficit[pc]! -= bytes;
        return cls;
      }
      const next = (cls + 1) % CLASSES;
      this.turn[port] = next;
      if (heads[next]! >= 0) deficit[port * CLASSES + next]! += this.quantumBytes[next]!;
    }
    return -1;
  }
}
