/**
 * NCCL's environment variables, read as NCCL reads them, so a command line ported from a real
 * cluster (`NCCL_ALGO=Tree NCCL_PROTO=Simple all_reduce_perf …`) measures what it measured
 * there instead of silently running auto.
 *
 * NCCL_ALGO and NCCL_PROTO follow NCCL ≥ 2.24's parseList (src/graph/tuning.cc): entries split
 * by ';', each an optional function prefix (`allreduce:`; only the first entry may omit it, and
 * then applies to every function) and a comma list of names, case-insensitive; a leading '^'
 * disables the names listed and enables the rest, else the names listed are enabled and the rest
 * disabled. An unknown name or prefix is an error (as there since 2.24). NCCL_NVLS_ENABLE=0 and
 * NCCL_PAT_ENABLE=0 disable NVLS/NVLSTree and PAT. Flags win: `--algo` or `--proto` given on
 * the command line overrides the variable, and the header says so. Other NCCL_* variables that
 * change what NCCL runs are listed as not modelled; the debug ones change nothing and are not.
 */
import { WeftInputError } from '@weft/sim';
import type { NcclEnables } from './auto.js';
import type { NcclAlgorithmRow, ProtocolName } from './protocols.js';
import type { CollectiveName } from './types.js';

/** NCCL's ncclFuncStr, the prefixes NCCL_ALGO/NCCL_PROTO take, by weft's collective. */
const NCCL_FUNCTIONS: readonly (readonly [string, CollectiveName])[] = [
  ['Broadcast', 'broadcast'],
  ['Reduce', 'reduce'],
  ['AllGather', 'allGather'],
  ['ReduceScatter', 'reduceScatter'],
  ['AllReduce', 'allReduce'],
];

/** NCCL's ncclAlgoStr (CollNet is NCCL's too, though auto here weighs no CollNet row). */
const NCCL_ALGORITHMS = ['Tree', 'Ring', 'CollNetDirect', 'CollNetChain', 'NVLS', 'NVLSTree', 'PAT'] as const;
/** NCCL's ncclProtoStr. */
const NCCL_PROTOCOLS = ['LL', 'LL128', 'Simple'] as const;

/** Variables that only steer NCCL's logging: they change no result, so they are not listed as ignored. */
const NO_EFFECT = new Set(['NCCL_DEBUG', 'NCCL_DEBUG_SUBSYS', 'NCCL_DEBUG_FILE', 'NCCL_DEBUG_TIMESTAMP_FORMAT', 'NCCL_DEBUG_TIMESTAMP_LEVELS', 'NCCL_SET_THREAD_NAME', 'NCCL_SET_STACK_SIZE']);
const READ = new Set(['NCCL_ALGO', 'NCCL_PROTO', 'NCCL_NVLS_ENABLE', 'NCCL_PAT_ENABLE']);

/** What the environment did to one run: shown in the header and the JSON's `environment`. */
export interface NcclEnvironment {
  /** The variables applied, as `NAME=value`. */
  readonly applied: readonly string[];
  /** Set but not applied, as `NAME=value: why` (a flag given beside it wins; a point-to-point collective). */
  readonly ignored: readonly string[];
  /** Set, and would change what NCCL runs, but weft does not model them (names only). */
  readonly notModelled: readonly string[];
  /** What auto and the named NCCL algorithms may choose from, for this collective. */
  readonly enables: NcclEnables;
}

/**
 * For each NCCL function, the names `value` enables (NCCL's parseList). `names` is the table
 * of accepted names (canonical spelling); the result holds canonical spellings.
 */
export function parseNcclList<T extends string>(variable: string, value: string, names: readonly T[]): ReadonlyMap<CollectiveName, ReadonlySet<T>> {
  const enabled = new Map<CollectiveName, Set<T>>(NCCL_FUNCTIONS.map(([, c]) => [c, new Set(names)]));
  const fail = (why: string): never => {
    throw new WeftInputError(`${variable}=${value}: ${why}`);
  };
  const entries = value.split(';').filter((entry) => entry !== '');
  entries.forEach((entry, index) => {
    const parts = entry.split(':').filter((part) => part !== '');
    let prefix: string | undefined;
    let list: string;
    if (parts.length >= 2) [prefix, list] = [parts[0]!, parts[1]!];
    else {
      if (index > 0) fail(`every entry but the first needs a function prefix (${NCCL_FUNCTIONS.map(([f]) => f.toLowerCase()).join(':, ')}:), as NCCL requires`);
      list = parts[0] ?? '';
    }
    const exclude = list.startsWith('^');
    const listed = new Set<T>();
    for (const token of (exclude ? list.slice(1) : list).split(',').filter((t) => t !== '')) {
      const name = names.find((n) => n.toLowerCase() === token.toLowerCase());
      if (name === undefined) fail(`unknown name '${token}'; NCCL's: ${names.join(', ')}`);
      listed.add(name!);
    }
    const functions = prefix === undefined ? NCCL_FUNCTIONS : NCCL_FUNCTIONS.filter(([f]) => f.toLowerCase() === prefix!.toLowerCase());
    if (functions.length === 0) fail(`unknown function '${prefix}'; NCCL's: ${NCCL_FUNCTIONS.map(([f]) => f).join(', ')}`);
    for (const [, collective] of functions) enabled.set(collective, new Set(names.filter((n) => listed.has(n) !== exclude)));
  });
  return enabled;
}

/** NCCL_NVLS_ENABLE / NCCL_PAT_ENABLE: 0 disables; 1 and 2 (NCCL's default: when supported) leave it to the topology. */
function switchOff(variable: string, value: string): boolean {
  if (!/^[0-2]$/.test(value.trim())) throw new WeftInputError(`${variable}=${value}: accepted 0 (off), 1 or 2 (on where the topology supports it, NCCL's default)`);
  return value.trim() === '0';
}

/**
 * The NCCL_* variables of `env` as they apply to a run of `collective`. `given`: whether
 * `--algo` and `--proto` were typed (they win). Throws WeftInputError for a value NCCL refuses.
 */
export function readNcclEnvironment(env: Readonly<Record<string, string | undefined>>, collective: CollectiveName, given: { readonly algo: boolean; readonly proto: boolean }): NcclEnvironment {
  const applied: string[] = [];
  const ignored: string[] = [];
  const set = (name: string): string | undefined => (env[name] !== undefined && env[name] !== '' ? env[name] : undefined);
  const notModelled = Object.keys(env)
    .filter((name) => name.startsWith('NCCL_') && !READ.has(name) && !NO_EFFECT.has(name) && set(name) !== undefined)
    .sort();
  const nccl = NCCL_FUNCTIONS.some(([, c]) => c === collective);

  let algorithms: Set<NcclAlgorithmRow> | undefined;
  const algo = set('NCCL_ALGO');
  const nvlsOff = set('NCCL_NVLS_ENABLE');
  const patOff = set('NCCL_PAT_ENABLE');
  // Parsed even where a flag overrides it: a typo fails as it would in NCCL.
  const fromAlgo = algo === undefined ? undefined : parseNcclList('NCCL_ALGO', algo, NCCL_ALGORITHMS).get(collective);
  const off = new Set<string>([...(nvlsOff !== undefined && switchOff('NCCL_NVLS_ENABLE', nvlsOff) ? ['NVLS', 'NVLSTree'] : []), ...(patOff !== undefined && switchOff('NCCL_PAT_ENABLE', patOff) ? ['PAT'] : [])]);
  const algoVariables = [...(algo !== undefined ? [`NCCL_ALGO=${algo}`] : []), ...(nvlsOff !== undefined ? [`NCCL_NVLS_ENABLE=${nvlsOff}`] : []), ...(patOff !== undefined ? [`NCCL_PAT_ENABLE=${patOff}`] : [])];
  if (given.algo) ignored.push(...algoVariables.map((v) => `${v}: --algo given`));
  else if (nccl && algoVariables.length > 0) {
    algorithms = new Set([...(fromAlgo ?? NCCL_ALGORITHMS)].filter((row) => !off.has(row)) as NcclAlgorithmRow[]);
    applied.push(...algoVariables);
  }

  let protocols: Set<ProtocolName> | undefined;
  const proto = set('NCCL_PROTO');
  const fromProto = proto === undefined ? undefined : parseNcclList('NCCL_PROTO', proto, NCCL_PROTOCOLS).get(collective);
  if (proto !== undefined && given.proto) ignored.push(`NCCL_PROTO=${proto}: --proto given`);
  else if (proto !== undefined && nccl) {
    protocols = new Set(fromProto) as Set<ProtocolName>;
    applied.push(`NCCL_PROTO=${proto}`);
  }
  // A collective NCCL runs point to point (all-to-all, gather, scatter, send/receive) has no algorithm to choose.
  if (!nccl) {
    const variables = [...(given.algo ? [] : algoVariables), ...(proto !== undefined && !given.proto ? [`NCCL_PROTO=${proto}`] : [])];
    ignored.push(...variables.map((v) => `${v}: NCCL runs this collective point to point, with no algorithm or protocol to choose`));
  }
  return { applied, ignored, notModelled, enables: { ...(algorithms ? { algorithms } : {}), ...(protocols ? { protocols } : {}) } };
}

/** The header's line, or none when no NCCL_* variable that matters is set. */
export function environmentLine(environment: Pick<NcclEnvironment, 'applied' | 'ignored' | 'notModelled'> | undefined, prefix = '#  '): string | undefined {
  if (environment === undefined) return undefined;
  const parts = [
    ...(environment.applied.length > 0 ? [`${environment.applied.join(' ')} (applied, as NCCL does)`] : []),
    ...environment.ignored.map((v) => `ignored ${v}`),
    ...(environment.notModelled.length > 0 ? [`${environment.notModelled.join(', ')} not modelled`] : []),
  ];
  return parts.length > 0 ? `${prefix}environment: ${parts.join('; ')}` : undefined;
}
