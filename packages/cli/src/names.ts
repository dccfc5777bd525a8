import { WeftInputError } from '@weft/sim';
import type { CollectiveName, DType, ReduceOp } from '@weft/collectives';
import type { ModelName, RoutingName } from '@weft/fabric';

/** Picks `text` from `accepted` (a map from CLI spelling to value) or throws one clear line. */
export function pick<T>(what: string, text: string, accepted: Readonly<Record<string, T>>): T {
  const value = accepted[text.toLowerCase()];
  if (value === undefined) {
    throw new WeftInputError(`unknown ${what} '${text}'; accepted: ${Object.keys(accepted).join(', ')}`);
  }
  return value;
}

/** CLI spellings follow nccl-tests' binary names (all_reduce_perf → allreduce). */
export const COLLECTIVE_NAMES: Readonly<Record<string, CollectiveName>> = {
  allreduce: 'allReduce',
  reducescatter: 'reduceScatter',
  allgather: 'allGather',
  broadcast: 'broadcast',
  reduce: 'reduce',
  alltoall: 'allToAll',
  sendrecv: 'sendRecv',
};

/** nccl-tests' -d spellings plus weft's own. */
export const DTYPE_NAMES: Readonly<Record<string, DType>> = {
  float: 'float32',
  float32: 'float32',
  double: 'float64',
  float64: 'float64',
  int: 'int32',
  int32: 'int32',
};

/** nccl-tests prints its own type names in the table. */
export const DTYPE_TABLE_NAMES: Readonly<Record<DType, string>> = {
  float32: 'float',
  float64: 'double',
  int32: 'int32',
};

export const OP_NAMES: Readonly<Record<string, ReduceOp>> = {
  sum: 'sum',
  prod: 'prod',
  min: 'min',
  max: 'max',
  avg: 'avg',
};

export const MODEL_NAMES: Readonly<Record<string, ModelName>> = { alphabeta: 'alphaBeta', maxmin: 'maxMin' };
export const ROUTING_NAMES: Readonly<Record<string, RoutingName>> = { ecmp: 'ecmp', adaptive: 'adaptive' };
export const MODE_NAMES: Readonly<Record<string, 'data' | 'ghost'>> = { data: 'data', ghost: 'ghost' };
export const FORMAT_NAMES: Readonly<Record<string, 'table' | 'json' | 'csv'>> = { table: 'table', json: 'json', csv: 'csv' };

/** Whole number within [min, max], or one clear line naming the flag. */
export function parseInteger(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `a whole number >= ${min}` : `a whole number from ${min} to ${max}`;
    throw new WeftInputError(`${flag}: '${text}' is not accepted; use ${range}`);
  }
  return value;
}

export function parseNumber(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) {
    throw new WeftInputError(`${flag}: '${text}' is not a number`);
  }
  return value;
}
