/** Browser-safe runtime: coordinator, executor, ghost mode, program contexts. */
export { Coordinator, MAX_CHANNEL } from './coordinator.js';
export type { CoordinatorSetup, CoordinatorOutcome } from './coordinator.js';
export { ScheduleExecutor } from './execute-schedule.js';
export type { ExecuteSpec, ExecuteData, ParticipantBuffers, RequestPoster, Continuation } from './execute-schedule.js';
export { ParticipantHost } from './host.js';
export { createGhostCluster } from './ghost-cluster.js';
export { DeadlockError, RankError, TransferStrandedError, ProtocolError } from './errors.js';
export type { PendingOps } from './errors.js';
export { Task, COLLECTIVE_CHANNEL_BASE, startProgram } from './program.js';
export type { RankContext, RankProgram, CollectiveCallOptions, PointToPointOptions, ProgramEnv } from './program.js';
export { participantNodes, layoutOf, defaultNetworkFactory } from './run.js';
export { planArenas, ArenaSet, StagingPool, ARENA_MAX_BYTES } from './arena.js';
export { DataPlane } from './data-plane.js';
export * from './protocol.js';
export type * from './types.js';
export * from '../backends/index.js';
