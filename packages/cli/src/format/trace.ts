import type { FlowRecord } from '@weft/fabric';
import type { StepRecord } from '@weft/runtime';

/**
 * Chrome trace-event JSON (the format Perfetto and chrome://tracing open), in simulated
 * time: one process per benchmark run, a thread per rank channel (its steps) and an async
 * track per link that carried traffic (its flows). Timestamps are microseconds, as the format
 * requires; simulated nanoseconds are divided by 1000.
 */
/** Steps come from the runtime's trace, flows from the fabric's flow records. */
export type TraceStep = StepRecord;
export type TraceFlow = FlowRecord;

/** A port's egress queue depth over time, [timeNs, bytes] (packet model only). */
export interface TraceQueue {
  readonly linkId: string;
  readonly depthTimeline: readonly (readonly [number, number])[];
}

export interface TraceRun {
  readonly label: string;
  readonly nranks: number;
  readonly steps: readonly TraceStep[];
  readonly flows: readonly TraceFlow[];
  /** Under `--network packet`: one counter track per port whose queue held bytes. */
  readonly queues?: readonly TraceQueue[];
}

interface TraceEvent {
  name: string;
  ph: 'X' | 'M' | 'b' | 'e' | 'C';
  id?: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  args?: Record<string, unknown>;
}

const usFromNs = (ns: number): number => ns / 1000;

export function buildTrace(runs: readonly TraceRun[]): { traceEvents: TraceEvent[]; displayTimeUnit: 'ns' } {
  const events: TraceEvent[] = [];
  runs.forEach((run, runIndex) => {
    const pid = runIndex + 1;
    events.push({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: run.label } });
    events.push({ name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: pid } });
    const channelThreads = new Map<string, number>();
    const threadFor = (participant: number, channel: number): number => {
      const key = `${participant}/${channel}`;
      let tid = channelThreads.get(key);
      if (tid === undefined) {
        tid = channelThreads.size + 1;
        channelThreads.set(key, tid);
        const who = participant < run.nranks ? `rank ${participant}` : `switch ${participant - run.nranks}`;
        events.push({ name: 'thread_name', ph: 'M', pid, tid, args: { name: `${who} ch${channel}` } });
        events.push({ name: 'thread_sort_index', ph: 'M', pid, tid, args: { sort_index: participant * 1000 + channel } });
      }
      return tid;
    };
    const sortedSteps = [...run.steps].sort(
      (a, b) => a.participant - b.participant || a.channel - b.channel || a.startNs - b.startNs,
    );
    for (const step of sortedSteps) {
      events.push({
        name: step.peer === undefined ? step.op : `${step.op} ${step.peer}`,
        cat: 'step',
        ph: 'X',
        pid,
        tid: threadFor(step.participant, step.channel),
        ts: usFromNs(step.startNs),
        dur: usFromNs(step.endNs - step.startNs),
        args: { bytes: step.bytes ?? 0, startNs: step.startNs, endNs: step.endNs, ...(step.sendPeers ? { sendPeers: step.sendPeers } : {}) },
      });
    }
    // Flows overlap on a link, which nested 'X' slices cannot show: async begin/end pairs
    // with the link as their name give each link its own track of stacked flows.
    for (const flow of run.flows) {
      const endNs = flow.sentNs ?? flow.startNs;
      flow.paths.forEach((path, pathIndex) => {
        for (const linkId of path) {
          const common = { cat: 'link', pid, tid: 0, name: `link ${linkId}`, id: `${flow.transferId}.${pathIndex}` };
          events.push({
            ...common,
            ph: 'b',
            ts: usFromNs(flow.startNs),
            args: { flow: `${flow.srcNode}->${flow.dstNode}`, bytes: flow.bytes, deliveredNs: flow.deliveredNs },
          });
          events.push({ ...common, ph: 'e', ts: usFromNs(endNs) });
        }
      });
    }
    // Queue depth per port as a counter track (Perfetto draws it as a graph over time).
    for (const queue of run.queues ?? []) {
      for (const [timeNs, bytes] of queue.depthTimeline) {
        events.push({ name: `queue ${queue.linkId}`, cat: 'queue', ph: 'C', pid, tid: 0, ts: usFromNs(timeNs), args: { bytes } });
      }
    }
  });
  return { traceEvents: events, displayTimeUnit: 'ns' };
}
