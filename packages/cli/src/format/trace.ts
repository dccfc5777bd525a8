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
  /** Points whenever the depth moved by 64 KiB (the packet model's sampling step) or emptied. */
  readonly depthTimeline: readonly (readonly [number, number])[];
  /** The exact peak (`--links`' peak queue), which the 64 KiB timeline may round to 0. */
  readonly peakBytes: number;
}

/** A link fault of the run (`--fault`): drawn as an instant marker on the link's track. */
export type TraceFault =
  | { readonly kind: 'failLink'; readonly linkId: string; readonly atNs: number }
  | { readonly kind: 'degradeLink'; readonly linkId: string; readonly factor: number; readonly atNs: number };

export interface TraceRun {
  readonly label: string;
  readonly nranks: number;
  readonly steps: readonly TraceStep[];
  readonly flows: readonly TraceFlow[];
  /** Under `--network packet`: one counter track per port whose queue held bytes. */
  readonly queues?: readonly TraceQueue[];
  /** The run's link faults; those due by the end of the run are marked on their link's track. */
  readonly faults?: readonly TraceFault[];
}

interface TraceEvent {
  name: string;
  ph: 'X' | 'M' | 'b' | 'e' | 'n' | 'C';
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
    // with the link as their name give each link its own track of stacked flows. A path is
    // drawn while it carried the flow: until the transfer was sent, or until it stopped early
    // (a link on it failed and the flow moved to its other paths, or the transfer stranded).
    for (const flow of run.flows) {
      flow.paths.forEach((path, pathIndex) => {
        const endedNs = flow.pathEndNs?.[pathIndex] ?? null;
        const endNs = endedNs ?? flow.sentNs ?? flow.startNs;
        const args = {
          flow: `${flow.srcNode}->${flow.dstNode}`,
          // The whole transfer's: a path of a flow split over several (adaptive routing) carried a
          // share the records do not give, so a per-link sum over split flows would count it twice
          // (named so; `--links` has each link's bytes carried).
          transferBytes: flow.bytes,
          deliveredNs: flow.deliveredNs,
          ...(flow.paths.length > 1 ? { path: `${pathIndex + 1} of ${flow.paths.length}` } : {}),
          ...(endedNs !== null ? { stoppedNs: endedNs } : {}),
        };
        for (const linkId of path) {
          // One id per (run, transfer, path, link): Perfetto's JSON importer keys an async track by
          // (cat, id) alone, so an id shared by a path's links (or by runs, whose transfer ids
          // restart) put every link of the path, and every run, on the first one's track. Tracks
          // of one name in a process are drawn as one group: a link's flows stack under its name.
          const common = { cat: 'link', pid, tid: 0, name: `link ${linkId}`, id: `${pid}.${flow.transferId}.${pathIndex}.${linkId}` };
          events.push({ ...common, ph: 'b', ts: usFromNs(flow.startNs), args });
          events.push({ ...common, ph: 'e', ts: usFromNs(endNs) });
        }
      });
    }
    // Each fault the run reached, as an instant on its link's track.
    const runEndNs = lastTimeNs(run);
    run.faults?.forEach((fault, index) => {
      if (fault.atNs > runEndNs) return;
      const what = fault.kind === 'failLink' ? 'link down' : `degraded ×${fault.factor}`;
      events.push({ cat: 'link', pid, tid: 0, name: `link ${fault.linkId}`, id: `${pid}.fault.${index}`, ph: 'n', ts: usFromNs(fault.atNs), args: { fault: what, atNs: fault.atNs } });
    });
    // Queue depth per port as a counter track (Perfetto draws it as a graph over time).
    for (const queue of run.queues ?? []) {
      for (const [timeNs, bytes] of queue.depthTimeline) {
        events.push({ name: `queue ${queue.linkId}`, cat: 'queue', ph: 'C', pid, tid: 0, ts: usFromNs(timeNs), args: { bytes } });
      }
    }
  });
  return { traceEvents: events, displayTimeUnit: 'ns' };
}

/** The run's last step end or transfer event: faults due later never applied. */
function lastTimeNs(run: TraceRun): number {
  let endNs = 0;
  for (const step of run.steps) endNs = Math.max(endNs, step.endNs);
  for (const flow of run.flows) {
    endNs = Math.max(endNs, flow.deliveredNs ?? flow.sentNs ?? flow.startNs);
    for (const ended of flow.pathEndNs ?? []) if (ended !== null) endNs = Math.max(endNs, ended);
  }
  return endNs;
}
