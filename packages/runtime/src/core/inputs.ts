/**
 * The names a caller picks from a list (reduction op, dtype, backend), checked where they
 * enter the runtime, so a wrong one is one WeftInputError naming it and what is accepted —
 * not a TypeError deep in a worker, wrong data, or a run that goes on regardless.
 */
import { DTYPE_NAMES, REDUCE_OPS, dtypeNamed, type DType, type ReduceOp } from '@weft/collectives';
import { WeftInputError } from '@weft/sim';
import { BACKEND_CHOICES, type BackendChoice } from '../backends/types.js';

/** `value` when it is one of `accepted`; otherwise a WeftInputError: "`what` 'value' is not accepted; use one of …". */
export function oneOf<T extends string>(what: string, value: unknown, accepted: readonly T[]): T {
  if ((accepted as readonly unknown[]).includes(value)) return value as T;
  throw new WeftInputError(`${what} '${String(value)}' is not accepted; use one of ${accepted.join(', ')}`);
}

/** A reduction op: every op the kernels run (sum, prod, min, max; avg is a sum divided at the end). `where` prefixes the message (`rank 3: allReduce `). */
export function checkOp(op: unknown, where = ''): ReduceOp {
  return oneOf(`${where}op`, op, REDUCE_OPS);
}

/**
 * An element type: weft's name or nccl-tests' (half, bfloat16, float, double, int8, char, int,
 * …, case-insensitive), returned as weft's DType.
 */
export function checkDtype(dtype: unknown, where = ''): DType {
  const named = typeof dtype === 'string' ? dtypeNamed(dtype) : undefined;
  if (named !== undefined) return named;
  throw new WeftInputError(`${where}dtype '${String(dtype)}' is not accepted; use one of ${DTYPE_NAMES.join(', ')}`);
}

export function checkBackend(backend: unknown): BackendChoice {
  return oneOf('backend', backend, BACKEND_CHOICES);
}
