/**
 * What a ghost run of a schedule will hold, estimated before it starts: the schedule's tapes
 * (already planned) and the coordinator's connections, one per (sender, receiver, channel)
 * a send uses, each with its FIFO matching tables. Transfers in flight are bounded by the
 * participants' channels and do not grow with the steps. A run over the schedule memory
 * budget (@weft/collectives scheduleMemoryBudget: half the JS heap under Node) is refused
 * in one line, instead of a V8 out-of-memory abort midway.
 */
import { channelTapes, formatBudgetBytes, scheduleMemoryBudget, type Schedule } from '@weft/collectives';
import { WeftInputError } from '@weft/sim';
import { MAX_CHANNEL } from '../coordinator/coordinator.js';

/** Heap bytes per coordinator connection (object, two maps, its entry): ~680 B measured on Node 20. */
export const CONNECTION_BYTES = 700;

export interface GhostFootprint {
  readonly scheduleBytes: number;
  readonly connections: number;
}

export function ghostFootprint(schedule: Schedule): GhostFootprint {
  let scheduleBytes = 0;
  let connections = 0;
  const targets = new Set<number>();
  for (const part of schedule.participants) {
    targets.clear();
    channelTapes(part).forEach((tape, c) => {
      scheduleBytes += tape.footprintBytes;
      tape.forEachSendTemplate((peer, sendChannel) => targets.add(peer * MAX_CHANNEL + (sendChannel >= 0 ? sendChannel : c)));
    });
    connections += targets.size;
  }
  return { scheduleBytes, connections };
}

/** Refuses (WeftInputError) a ghost run whose estimated footprint exceeds the budget. */
export function checkGhostFootprint(schedule: Schedule): void {
  const budget = scheduleMemoryBudget();
  if (budget === Infinity) return;
  const { scheduleBytes, connections } = ghostFootprint(schedule);
  const total = scheduleBytes + connections * CONNECTION_BYTES;
  if (total > budget) {
    throw new WeftInputError(
      `ghost run too big for this machine: about ${formatBudgetBytes(total)} (${formatBudgetBytes(scheduleBytes)} of schedule, ${connections} connections × ${CONNECTION_BYTES} B), over the limit of ${formatBudgetBytes(budget)} (half the JS heap); use fewer ranks or fewer channels`,
    );
  }
}
