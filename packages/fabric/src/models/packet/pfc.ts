/**
 * PFC per port and priority (traffic class): the bytes a switch holds per ingress port
 * class, its XOFF/XON thresholds, which upstream senders are paused, and the pause counters.
 * It decides when a pause or a resume must be sent; the network carries the frame.
 */
import { CLASSES, linkOfPortClass } from './classes.js';
import type { ResolvedPacketOptions } from './options.js';

export class PfcPorts {
  /** Per port class: bytes held at the link's far switch that came in over the link. */
  private readonly ingressBytes: Float64Array;
  /** Per link: its ingress buffer (the link's own bufferBytes, else portBufferBytes). */
  private readonly bufferBytes: Float64Array;
  private readonly xoffBytes: Float64Array;
  private readonly xonBytes: Float64Array;
  /** Per link: pauses may be sent (PFC on, or 'local' and the buffer holds the headroom). */
  private readonly pausing: Uint8Array;
  /** Per port class: the switch has sent a pause not yet lifted. */
  private readonly pauseSent: Uint8Array;
  /** Per port class: the link's sender is paused (the pause has reached it). */
  private readonly paused: Uint8Array;
  private readonly pausedSinceNs: Float64Array;
  /** Per link: pauses received and time spent paused (all classes). */
  readonly pauseCount: Float64Array;
  private readonly pausedNs: Float64Array;

  constructor(
    private readonly packet: ResolvedPacketOptions,
    bandwidth: Float64Array,
    linkLatencyNs: Float64Array,
    linkBufferBytes: readonly (number | undefined)[],
  ) {
    const L = bandwidth.length;
    this.bufferBytes = Float64Array.from(linkBufferBytes, (bytes) => bytes ?? packet.portBufferBytes);
    this.ingressBytes = new Float64Array(L * CLASSES);
    this.xoffBytes = new Float64Array(L);
    this.xonBytes = new Float64Array(L);
    const { mtuBytes, cellBytes } = packet;
    this.pausing = new Uint8Array(L);
    for (let l = 0; l < L; l++) {
      // Headroom: a link-latency's worth of bytes keeps coming while the pause travels,
      // plus the packet in serialization at each end (parameters.json pfcHeadroom).
      const headroom = 2 * ((bandwidth[l]! * linkLatencyNs[l]!) / 1e9) + 2 * cellBytes;
      this.xoffBytes[l] = Math.max(cellBytes, this.bufferBytes[l]! - headroom);
      this.xonBytes[l] = Math.max(0, this.xoffBytes[l]! - Math.max(mtuBytes, cellBytes));
      this.pausing[l] = packet.pfc === true || (packet.pfc === 'local' && headroom + cellBytes <= this.bufferBytes[l]!) ? 1 : 0;
    }
    this.pauseSent = new Uint8Array(L * CLASSES);
    this.paused = new Uint8Array(L * CLASSES);
    this.pausedSinceNs = new Float64Array(L * CLASSES);
    this.pauseCount = new Float64Array(L);
    this.pausedNs = new Float64Array(L);
  }

  /** Would `bytes` more overflow the ingress buffer of port class `pc` (a drop)? */
  overflows(pc: number, bytes: number): boolean {
    return this.ingressBytes[pc]! + bytes > this.bufferBytes[linkOfPortClass(pc)]!;
  }

  /** The switch takes `bytes` in over port class `pc`; true when a pause must go upstream now. */
  hold(pc: number, bytes: number): boolean {
    this.ingressBytes[pc]! += bytes;
    const link = linkOfPortClass(pc);
    if (this.pausing[link] && !this.pauseSent[pc] && this.ingressBytes[pc]! >= this.xoffBytes[link]!) {
      this.pauseSent[pc] = 1;
      return true;
    }
    return false;
  }

  /** `bytes` of port class `pc` left the switch; true when the pause must be lifted now (below XON). */
  release(pc: number, bytes: number): boolean {
    this.ingressBytes[pc]! -= bytes;
    if (this.ingressBytes[pc]! < 1e-6) this.ingressBytes[pc] = 0;
    if (this.pauseSent[pc] && this.ingressBytes[pc]! <= this.xonBytes[linkOfPortClass(pc)]!) {
      this.pauseSent[pc] = 0;
      return true;
    }
    return false;
  }

  isPaused(pc: number): boolean {
    return this.paused[pc] === 1;
  }

  /** A pause or resume reached the sender of port class `pc`; true if that changed its state. */
  setPaused(pc: number, pause: boolean, nowNs: number): boolean {
    if (pause === (this.paused[pc] === 1)) return false;
    const link = linkOfPortClass(pc);
    this.paused[pc] = pause ? 1 : 0;
    if (pause) {
      this.pauseCount[link]!++;
      this.pausedSinceNs[pc] = nowNs;
    } else {
      this.pausedNs[link]! += nowNs - this.pausedSinceNs[pc]!;
    }
    return true;
  }

  /** Time the link's sender has spent paused up to `nowNs` (classes paused at once count each). */
  pausedNsOf(link: number, nowNs: number): number {
    let pausedNs = this.pausedNs[link]!;
    for (let c = 0; c < CLASSES; c++) if (this.paused[link * CLASSES + c]) pausedNs += nowNs - this.pausedSinceNs[link * CLASSES + c]!;
    return pausedNs;
  }
}
