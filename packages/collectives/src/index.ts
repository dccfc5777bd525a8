export {};
export * from './types.js';
export {
  COLLECTIVES,
  REDUCE_OPS,
  DTYPES,
  elementBytes,
  isReduction,
  isRooted,
  bufferCounts,
  inputValue,
  expectedOutput,
  combine,
  finalizeAvg,
  toDType,
} from './semantics.js';
export { checkSchedule, assertSchedule, ScheduleCheckError } from './checker.js';
export type { CheckResult } from './checker.js';
export * as logical from './logical.js';
export type { Range, Tree, Fold } from './logical.js';
export { listAlgorithms, getAlgorithm, planCollective } from './registry.js';
export { busBwFactor, algBwBytes, bandwidthsGBps } from './busbw.js';
export { chooseAlgorithm } from './auto.js';
export type { AlgorithmChoice, AlgorithmCandidate } from './auto.js';
export { runReference, checkReference } from './reference.js';
export type { TypedBuffer, ReferenceCheck } from './reference.js';
export { algorithms as allReduceAlgorithms } from './all-reduce/index.js';
