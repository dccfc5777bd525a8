/**
 * Runs the rank program on every rank of a fresh emulated cluster, forwarding the ranks'
 * live progress and turning a rank's user error into one line.
 */
import { BroadcastChannel } from 'node:worker_threads';
import type { Topology } from '@weft/fabric';
import { createCluster, type ProgramResult } from '@weft/runtime';
import { networkOptions, type TrainConfig } from './config.js';
import type { LiveProgress } from './live-progress.js';
import { asUserError } from './rank-errors.js';
import type { ProgressMessage, TrainRankArgs, TrainRankResult } from './rank-program.js';

let channelCounter = 0;

export async function runRanks(
  config: TrainConfig,
  topology: Topology,
  args: Omit<TrainRankArgs, 'progressChannel'>,
  live: LiveProgress,
): Promise<ProgramResult<TrainRankResult>> {
  const progressChannel = `weft-train-${process.pid}-${++channelCounter}`;
  const listener = new BroadcastChannel(progressChannel);
  listener.onmessage = (event) => live.receive((event as { data: ProgressMessage }).data);
  const cluster = await createCluster({
    topology,
    // Training reads step times, not per-flow records: keep link totals only, so memory
    // does not grow with every transfer of every step (it did, to 12 GB at 256 GPUs).
    network: { ...networkOptions(config, topology), record: 'summary' },
    mode: config.mode === 'data' ? 'data' : 'ghost',
    // One rank per thread unless asked: each rank trains its own model replica, and TensorFlow.js
    // keeps one backend per thread (ranks sharing a thread race to initialise it: wasm fails).
    ranksPerWorker: config.ranksPerWorker ?? 1,
    roundTimeoutMs: config.timeoutS * 1000,
  });
  try {
    const rankArgs: TrainRankArgs = { ...args, progressChannel };
    // weft's own program: ghost mode keeps it in this thread (no thread start-up per run).
    return await cluster.runProgram<TrainRankResult>(new URL('./rank-program.js', import.meta.url), 'trainRankProgram', rankArgs, { faults: config.faults, inProcess: true });
  } catch (error) {
    throw asUserError(error) ?? error;
  } finally {
    listener.close();
    await cluster.close();
  }
}
