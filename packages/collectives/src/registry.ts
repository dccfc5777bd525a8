/**
 * Every algorithm, by collective and name (SimGrid's smpi_coll.cpp idea: one line per
 * algorithm, each with a one-sentence description). Each collective's folder exports its
 * `algorithms` array; this file only lists them.
 */
import { WeftInputError } from '@weft/sim';
import { algorithms as allGather } from './all-gather/index.js';
import { algorithms as allReduce } from './all-reduce/index.js';
import { algorithms as allToAll } from './all-to-all/index.js';
import { algorithms as barrier } from './barrier/index.js';
import { algorithms as broadcast } from './broadcast/index.js';
import { algorithms as reduce } from './reduce/index.js';
import { algorithms as reduceScatter } from './reduce-scatter/index.js';
import { algorithms as sendRecv } from './send-recv/index.js';
import { COLLECTIVES } from './semantics.js';
import type { Algorithm, CollectiveName, PlanParams, Schedule } from './types.js';

const BY_COLLECTIVE: Readonly<Record<CollectiveName, readonly Algorithm[]>> = {
  allReduce,
  reduceScatter,
  allGather,
  broadcast,
  reduce,
  allToAll,
  sendRecv,
  barrier,
};

/** All algorithms (of one collective when given), in registry order (collective order, then each folder's order). */
export function listAlgorithms(collective?: CollectiveName): readonly Algorithm[] {
  if (collective !== undefined) return algorithmsOf(collective);
  return COLLECTIVES.flatMap((c) => BY_COLLECTIVE[c]);
}

function algorithmsOf(collective: CollectiveName): readonly Algorithm[] {
  const list = BY_COLLECTIVE[collective];
  if (list === undefined) {
    throw new WeftInputError(`unknown collective '${String(collective)}'; accepted: ${COLLECTIVES.join(', ')}`);
  }
  return list;
}

/** The algorithm `name` of `collective`; an unknown name is a WeftInputError listing the accepted names. */
export function getAlgorithm(collective: CollectiveName, name: string): Algorithm {
  const list = algorithmsOf(collective);
  const found = list.find((a) => a.name === name);
  if (found === undefined) {
    const accepted = list.length > 0 ? list.map((a) => a.name).join(', ') : '(none registered)';
    throw new WeftInputError(`unknown ${collective} algorithm '${name}'; accepted: ${accepted}`);
  }
  return found;
}

/**
 * Plans `collective` with algorithm `algorithmName`. Throws WeftInputError for an unknown
 * name, or when the algorithm cannot run with these params (naming the reason).
 */
export function planCollective(collective: CollectiveName, algorithmName: string, params: PlanParams): Schedule {
  const algorithm = getAlgorithm(collective, algorithmName);
  const reason = algorithm.unsupported(params);
  if (reason !== null) {
    throw new WeftInputError(
      `algorithm '${algorithm.name}' cannot run ${collective} on ${params.nranks} ranks with count ${params.count}: ${reason}`,
    );
  }
  return algorithm.plan(params);
}
