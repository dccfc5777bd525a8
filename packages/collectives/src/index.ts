export {};
export * from './types.js';
export {
  REDUCE_OPS,
  DTYPES,
  elementBytes,
  inputValue,
  inputPeriod,
  reducedValue,
  expectedOutput,
  fillExpectedOutput,
  outputIsReduced,
  outputsAgree,
  combine,
  finalizeAvg,
  combineIn,
  toDType,
} from './semantics.js';
export {
  NCCL_DTYPE_NAMES,
  DTYPE_ALIASES,
  DTYPE_NAMES,
  dtypeNamed,
  isIntegerDType,
  isUnsignedDType,
  isBigIntDType,
  isHalfDType,
  halfBits,
  fromHalfBits,
  bfloat16Bits,
  fromBfloat16Bits,
  floatPrecision,
  dtypeInfo,
  type DTypeInfo,
  type Element,
  type DTypeName,
} from './dtypes.js';
export type { Collective, CollectiveShape, OutputBlock } from './collective.js';
export { PRIMITIVES, decodeStep, decodeSteps, accessesOf, stepCount } from './steps.js';
export type { Primitive, Combine, StepActions } from './steps.js';
export { StepTape, TapeCursor, channelTapes, tapedParticipant, STEP_OPS, STEP_OP_CODE, BUFFER_NAMES, setScheduleMemoryBudget, scheduleMemoryBudget, formatBudgetBytes, setHeapUsageProbe, heapPressure, heapLimitBytes, HEAP_REFUSE_SHARE, setPlanProgressCheck, type HeapUsage, type PlanProgress } from './step-tape.js';
export { checkSchedule, assertSchedule, ScheduleCheckError } from './checker.js';
export type { CheckResult } from './checker.js';
export * as logical from './logical.js';
export type { Range, Tree, Fold } from './logical.js';
export { COLLECTIVE_TABLE, COLLECTIVES, collectiveOf, listAlgorithms, getAlgorithm, planCollective, resolveDefaults } from './registry.js';
export { busBwFactor, algBwBytes, bandwidthsGBps, countForBytes } from './busbw.js';
export { chooseAlgorithm, candidatesOf, fastest, ncclRowOf, runNamed, TUNER_NAMES } from './auto.js';
export type { AlgorithmChoice, AlgorithmCandidate, NcclEnables, TunerName } from './auto.js';
export { environmentLine, parseNcclList, readNcclEnvironment, type NcclEnvironment } from './nccl-env.js';
export { ncclAlgoTimeUs, ncclChoose, ncclTuneBytes, ncclTuneInputs, ncclTuneModel, NCCL_ROW_ORDER } from './nccl-tuner.js';
export type { NcclCandidate, NcclTableEntry, NcclTuneInputs } from './nccl-tuner.js';
export { runReference, checkReference } from './reference.js';
export type { TypedBuffer, ReferenceCheck } from './reference.js';
export { algorithms as allReduceAlgorithms } from './all-reduce/index.js';
// The kit the built-in algorithms are written with, for user-written algorithms
// (docs/writing-an-algorithm.md): the step builder, slices, parameter checks and the
// alpha-beta terms `predictNs` closed forms are built from, per-hop latency included.
export * from './kit.js';
export { channelRings, channelTrees, searchChannelCount, searchGraph, formatChannels } from './channels/search.js';
export { formatGraphs, searchGraphs, type NcclGraphs, type PatternGraph } from './channels/pattern-graphs.js';
// A ring all-reduce over orders and slice rules of your own (NCCL's `ring` is one with
// ncclRingOrders, ncclRingSlices and ncclRingFillSlices).
export { ringAlgorithm } from './all-reduce/ring.js';
export { ncclRingOrders, ncclRingSlices, ncclRingFillSlices } from './nccl-ring.js';
export {
  PROTOCOLS,
  PROTOCOL_NAMES,
  NCCL_LATENCY_US,
  wireBytes,
  lineWireBytes,
  protocolEfficiency,
  protocolCode,
  protocolFromCode,
  scheduleProtocol,
  protocolCost,
  protocolOf,
  DEFAULT_CHUNK_BYTES,
  ringSlicesPerChunk,
  channelsForBytes,
  withProtocols,
} from './protocols.js';
export type { ProtocolName, ProtocolSpec, NcclAlgorithmRow } from './protocols.js';
