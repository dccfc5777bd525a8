/**
 * The sending NICs: per host, the flows with packets to send, and which one sends next on
 * a host link. Flows take turns (round robin); a flow paced below line rate by its
 * congestion control waits for its next send time; a flow whose class is paused by PFC
 * waits for the resume. Between classes the NIC serves class 1 first (strict priority) or
 * by weight (wrr: ETS at the NIC, charged a cell per packet).
 */
import type { GraphIndex } from '../../topology/graph.js';
import { portClass } from './classes.js';
import type { FlowState } from './flow-state.js';
import type { NextHops } from './next-hops.js';
import type { ResolvedPacketOptions } from './options.js';
import type { PfcPorts } from './pfc.js';
import { DeficitRoundRobin } from './wrr.js';

export class HostNics {
  /** Flows with packets to send, per source node, served round robin. */
  private readonly hostFlows: FlowState[][];
  private readonly hostTurn: Int32Array;
  /** wrr: the NICs' class scheduler (per host link). */
  private readonly nicWrr: DeficitRoundRobin | null;
  /** After pick(): the packet index and bytes chosen, or (nothing chosen) when a paced flow may send next. */
  pickedSeq = 0;
  pickedBytes = 0;
  wakeNs = Infinity;

  constructor(
    private readonly graph: GraphIndex,
    private readonly hops: NextHops,
    private readonly pfc: PfcPorts,
    private readonly packet: ResolvedPacketOptions,
  ) {
    const N = graph.nodeIndex.size;
    this.hostFlows = Array.from({ length: N }, () => []);
    this.hostTurn = new Int32Array(N);
    this.nicWrr = packet.classScheduler === 'wrr' ? new DeficitRoundRobin(graph.linkFrom.length, packet.classWeights, packet.cellBytes) : null;
  }

  /** Puts `flow` on its host's list; false if it already was (or is done). */
  add(flow: FlowState): boolean {
    if (flow.queuedAtHost || flow.done) return false;
    flow.queuedAtHost = true;
    this.hostFlows[flow.src]!.push(flow);
    return true;
  }

  /** Whether `node` has flows listed (some may have nothing left to send: pick drops them). */
  hasFlows(node: number): boolean {
    return this.hostFlows[node]!.length > 0;
  }

  /** The links a flow may leave its source on. */
  sourceLinks(flow: FlowState): Int32Array {
    if (flow.route !== null) return flow.route.subarray(0, 1);
    const { start, links } = this.hops.table(flow.dst);
    return links.subarray(start[flow.src]!, start[flow.src + 1]!);
  }

  /**
   * The flow that sends next on host link `link` (its packet in pickedSeq, pickedBytes,
   * its pacing advanced), or null, with wakeNs set when a paced flow may send later.
   */
  pick(link: number, nowNs: number): FlowState | null {
    const node = this.graph.linkFrom[link]!;
    const flows = this.hostFlows[node]!;
    this.dropSentFlows(node, flows);
    const only = this.nicClass(link, flows, nowNs);
    let wakeNs = Infinity;
    for (let tried = 0; tried < flows.length; tried++) {
      const index = (this.hostTurn[node]! + tried) % flows.length;
      const flow = flows[index]!;
      if (!this.canUse(flow, link) || this.pfc.isPaused(portClass(link, flow.trafficClass))) continue;
      if (only >= 0 && flow.trafficClass !== only) continue;
      const rate = flow.rate.rateAt(nowNs);
      if (flow.nextSendNs > nowNs) {
        wakeNs = Math.min(wakeNs, flow.nextSendNs);
        continue;
      }
      this.hostTurn[node] = index + 1;
      const seq = flow.resend.length > 0 ? flow.resend.pop()! : flow.nextSeq++;
      const bytes = seq === flow.packets - 1 ? flow.lastPacketBytes : this.packet.cellBytes;
      if (rate < flow.rate.lineBytesPerSec) flow.nextSendNs = nowNs + (bytes * 1e9) / rate;
      this.pickedSeq = seq;
      this.pickedBytes = bytes;
      return flow;
    }
    this.wakeNs = wakeNs;
    return null;
  }

  private canUse(flow: FlowState, link: number): boolean {
    if (flow.route !== null) return flow.route[0] === link;
    const { start, links } = this.hops.table(flow.dst);
    for (let k = start[flow.src]!; k < start[flow.src + 1]!; k++) if (links[k] === link) return true;
    return false;
  }

  /**
   * Takes the flows with nothing left to send off the host's list, keeping the turn on the
   * same flow, so the round robin that follows sees every other flow once. (Removing them
   * during the scan shifted the list under it and could skip a flow; with a NIC port per
   * plane the skipped flow's port then idled with data to send.)
   */
  private dropSentFlows(node: number, flows: FlowState[]): void {
    let kept = 0;
    let turn = this.hostTurn[node]!;
    for (let i = 0; i < flows.length; i++) {
      const flow = flows[i]!;
      if (flow.done || (flow.nextSeq >= flow.packets && flow.resend.length === 0)) {
        flow.queuedAtHost = false;
        if (i < turn) turn--;
        continue;
      }
      flows[kept++] = flow;
    }
    flows.length = kept;
    this.hostTurn[node] = turn;
  }

  /**
   * The class the NIC serves on `link` now, or -1 for any: under strict priority the
   * highest class above 0 with a flow ready to send; under wrr the class whose weighted
   * turn it is among those ready.
   */
  private nicClass(link: number, flows: readonly FlowState[], nowNs: number): number {
    if (this.nicWrr === null) {
      let top = 0;
      for (const flow of flows) if (flow.trafficClass > top && !flow.done && this.readyToSend(flow, link, nowNs)) top = flow.trafficClass;
      return top > 0 ? top : -1;
    }
    const heads = this.nicWrr.heads.fill(-1);
    for (const flow of flows) if (heads[flow.trafficClass]! < 0 && !flow.done && this.readyToSend(flow, link, nowNs)) heads[flow.trafficClass] = this.packet.cellBytes;
    return this.nicWrr.pick(link);
  }

  /** Has a packet to send on `link` now: data left, link usable, class not paused, pacing allows. */
  private readyToSend(flow: FlowState, link: number, nowNs: number): boolean {
    if (flow.nextSeq >= flow.packets && flow.resend.length === 0) return false;
    if (!this.canUse(flow, link) || this.pfc.isPaused(portClass(link, flow.trafficClass))) return false;
    return flow.nextSendNs <= nowNs;
  }
}
