/** Browser-safe runtime: the cluster pipeline, coordinator, executor, ghost mode, program contexts. */
export { Cluster } from './cluster/cluster.js';
export type { Hosts, ScheduleRun } from './cluster/cluster.js';
export { InProcessHosts, createGhostCluster } from './cluster/in-process-hosts.js';
export { Coordinator, MAX_CHANNEL, DEFAULT_ROUND_TIMEOUT_MS } from './coordinator/coordinator.js';
export type { CoordinatorSetup, CoordinatorOutcome } from './coordinator/coordinator.js';
export { ScheduleExecutor, localStepsNs } from './schedule/executor.js';
export type { ExecuteSpec, ExecuteData, ParticipantBuffers, RequestPoster, Continuation } from './schedule/executor.js';
export { ParticipantHost } from './host/participant-host.js';
export { DeadlockError, RankError, RankCrashedError, RankTimeoutError, UserCodeTimeoutError, TransferStrandedError, ProtocolError, encodeError, reviveError } from './errors.js';
export type { PendingOps, EncodedError } from './errors.js';
export { Task, COLLECTIVE_CHANNEL_BASE, startProgram } from './program/context.js';
export { ghostBuffer, isGhostBuffer } from './program/ghost-buffer.js';
export type { GhostBuffer, CollectiveData } from './program/ghost-buffer.js';
export { planCollectiveCached, clearPlanCache, planCacheSize, PLAN_CACHE_ENTRIES } from './schedule/plan-cache.js';
export type { RankContext, RankProgram, CollectiveCallOptions, PointToPointOptions, ProgramEnv } from './program/context.js';
export { participantNodes, layoutOf, defaultNetworkFactory, wireFactors } from './coordinator/simulation.js';
export { planArenas, ArenaSet, StagingPool, ARENA_MAX_BYTES, PAGE_BYTES } from './data/arena.js';
export { countWrong, fillInput, type BytesEqual, type CheckSpec } from './data/test-pattern.js';
// A data host outside worker threads: the lab runs data mode with every rank in one browser worker.
export { DataHost, countsOf, schedulePlanBase } from './host/data-host.js';
export type { HostSchedulePlan } from './host/data-host.js';
export { DataPlane, ctorOf, dtypeCode } from './data/data-plane.js';
export * from './protocol.js';
export type * from './types.js';
export * from '../backends/index.js';
export { formatGiB, scheduleBufferBytes } from './data/buffer-bytes.js';
export { steadyCut, shortenedSchedule, runFastForward, fastForwardApplies, scheduleTransfers, FAST_FORWARD_AUTO_TRANSFERS, KEEP_REPS, KEEP_REPS_LADDER } from './schedule/fast-forward.js';
export type { CutMode, FastForwardMode, FastForwardInfo, SteadyCut } from './schedule/fast-forward.js';
