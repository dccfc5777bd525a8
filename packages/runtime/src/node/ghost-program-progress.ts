/**
 * What a ghost program's thread (./ghost-program-worker.ts) publishes for the thread that
 * watches it (./ghost-program-thread.ts), in shared memory: state[0] a heartbeat (bumped at
 * every operation and every resume), state[1] the running rank + 1, then per rank its last
 * operation (an index into PROGRAM_OPS) and peer (-1: none); nowNs[0] the virtual time of
 * the last operation.
 */
import type { ClusterOptions, Fault } from '../core/types.js';

/** The context's operations, as the watchdog names them (index 0: none yet). */
export const PROGRAM_OPS = ['none (it had not posted an operation)', 'send', 'recv', 'compute', 'allReduce', 'reduceScatter', 'allGather', 'broadcast', 'reduce', 'allToAll', 'gather', 'scatter', 'barrier', 'join', 'joinAll', 'spawn'] as const;

export interface GhostProgramData {
  readonly options: Omit<ClusterOptions, 'networkFactory'>;
  readonly href: string;
  readonly exportName: string;
  readonly args: unknown;
  readonly faults: readonly Fault[] | undefined;
  readonly progress: { readonly state: SharedArrayBuffer; readonly nowNs: SharedArrayBuffer };
}

export function progressBuffers(nranks: number): GhostProgramData['progress'] {
  return { state: new SharedArrayBuffer(4 * (2 + 2 * nranks)), nowNs: new SharedArrayBuffer(8) };
}

export function progressViews(buffers: GhostProgramData['progress']): { state: Int32Array; nowNs: Float64Array } {
  return { state: new Int32Array(buffers.state), nowNs: new Float64Array(buffers.nowNs) };
}

/** The running rank and its last operation, as RankTimeoutError reports them. */
export function stuckRank(views: { state: Int32Array }): { label: string; lastOp: string } {
  const rank = Atomics.load(views.state, 1) - 1;
  if (rank < 0) return { label: 'a rank (before any started)', lastOp: PROGRAM_OPS[0] };
  const op = Atomics.load(views.state, 2 + rank * 2);
  const peer = Atomics.load(views.state, 3 + rank * 2);
  const name = PROGRAM_OPS[op] ?? PROGRAM_OPS[0];
  const to = op === 1 ? ` to rank ${peer}` : op === 2 ? ` from rank ${peer}` : '';
  return { label: `rank ${rank}`, lastOp: `${name}${peer >= 0 ? to : ''}` };
}
