/**
 * Algorithm and protocol selection as NCCL's tuner does it (src/graph/tuning.cc,
 * src/enqueue.cc topoGetAlgoInfo): predict every (algorithm, protocol) candidate's time
 * with the cost model and take the argmin.
 *
 * The candidates are NCCL's own: the algorithms that declare `protocols`, each under every
 * protocol it declares (or the one asked for, like NCCL_PROTO). A collective with no such
 * algorithm falls back to all its algorithms, with hardware timing only.
 *
 * Two rules pick among them (`tuner`): 'nccl' takes the candidate NCCL's own cost model picks
 * (nccl-tuner.ts), so auto runs what NCCL would, and each candidate carries that model's time;
 * 'weft' takes the smallest of weft's own predictions (Algorithm.predictNs). 'auto' (the
 * default) is 'nccl' where the topology names its GPU generation — NCCL's tables are per
 * generation — and 'weft' elsewhere (a `switch:N` of anonymous ranks). NCCL's rule is the
 * default because a real cluster runs what NCCL's tuner picks, right or wrong: weft's own
 * picks simulate faster where the two differ (benchmarks/results/auto-choices.md), and so
 * are further from what nccl-tests measures (nccl-vs-weft.md: every anchor 26.4 → 25.3 %).
 */
import { WeftInputError } from '@weft/sim';
import { listAlgorithms, resolveShape } from './registry.js';
import { ncclChoose, ncclTuneBytes, ncclTuneInputs } from './nccl-tuner.js';
import type { NcclAlgorithmRow, ProtocolName } from './protocols.js';
import type { Algorithm, CollectiveName, CostParams, PlanParams } from './types.js';

/** Which rule picks auto's candidate: NCCL's tuning model, weft's predictors, or 'auto' (NCCL's where the topology names a GPU). */
export type TunerName = 'auto' | 'nccl' | 'weft';
export const TUNER_NAMES: readonly TunerName[] = ['auto', 'nccl', 'weft'];

/**
 * The NCCL algorithm row each of weft's NCCL algorithms runs as (their withProtocols row), by
 * collective and name; algorithms not listed are not NCCL's (NCCL's tuner does not weigh them).
 */
const NCCL_ROWS: Readonly<Partial<Record<CollectiveName, Readonly<Record<string, NcclAlgorithmRow>>>>> = {
  allReduce: { ring: 'Ring', tree: 'Tree', nvls: 'NVLS', nvlstree: 'NVLSTree' },
  allGather: { ring: 'Ring', nvls: 'NVLS', pat: 'PAT' },
  reduceScatter: { ring: 'Ring', nvls: 'NVLS', pat: 'PAT' },
  broadcast: { chain: 'Ring' },
  reduce: { chain: 'Ring' },
};

/** The NCCL row weft's `name` runs as for `collective`, undefined when it is not one of NCCL's. */
export function ncclRowOf(collective: CollectiveName, name: string): NcclAlgorithmRow | undefined {
  return NCCL_ROWS[collective]?.[name];
}

export interface AlgorithmCandidate {
  readonly name: string;
  /** The protocol it was predicted under; absent for algorithms without protocols. */
  readonly protocol?: ProtocolName;
  /** NaN when unsupported. Worked out when first read (see lazyCandidate). */
  readonly predictedNs: number;
  /** Why the algorithm cannot run with these params; absent when it can. */
  readonly unsupported?: string;
  /** The params it was predicted with (channels and protocol resolved); absent when unsupported. Resolved when first read (see lazyCandidate). */
  readonly params?: PlanParams;
  /** NCCL's own model's time for it (nccl-tuner.ts), ns; absent when NCCL does not weigh it or the topology names no GPU. */
  readonly ncclPredictedNs?: number;
  /** The candidate NCCL's tuner would run. */
  readonly ncclChoice?: true;
}

export interface AlgorithmChoice {
  readonly algorithm: Algorithm;
  /** The params it was predicted with (channels resolved: `resolveDefaults`; protocol set when it has one). */
  readonly params: PlanParams;
  readonly predictedNs: number;
  /** Every candidate considered, in registry order, protocols in NCCL's order (LL, LL128, Simple). */
  readonly candidates: readonly AlgorithmCandidate[];
}

/**
 * What NCCL_ALGO and NCCL_PROTO leave NCCL's tuner to choose from (tuning.cc: a disabled
 * algorithm or protocol gets bandwidth 0, so the tuner never picks it). Absent: all enabled.
 */
export interface NcclEnables {
  readonly algorithms?: ReadonlySet<NcclAlgorithmRow>;
  readonly protocols?: ReadonlySet<ProtocolName>;
}

/**
 * The protocols `algorithm` is tried under: `only` when given (and declared), else those it
 * declares that `allowed` keeps (NCCL_PROTO); [undefined] without protocols.
 */
function protocolsToTry(algorithm: Algorithm, only: ProtocolName | undefined, allowed: ReadonlySet<ProtocolName> | undefined): readonly (ProtocolName | undefined)[] {
  if (algorithm.protocols === undefined) return [undefined];
  if (only !== undefined) return [only];
  return allowed === undefined ? algorithm.protocols : algorithm.protocols.filter((p) => allowed.has(p));
}

/**
 * Every candidate's prediction for one algorithm: under each of its protocols (or `only`, or
 * those `allowed` keeps). `only` that the algorithm does not declare is reported as
 * unsupported, and so is an algorithm `allowed` leaves no protocol of.
 */
export function candidatesOf(algorithm: Algorithm, params: PlanParams, cost: CostParams, only?: ProtocolName, allowed?: ReadonlySet<ProtocolName>): AlgorithmCandidate[] {
  const protocols = protocolsToTry(algorithm, only, allowed);
  if (protocols.length === 0) {
    return [{ name: algorithm.name, predictedNs: Number.NaN, unsupported: `NCCL_PROTO enables none of the protocols it runs (${algorithm.protocols!.join(', ')})` }];
  }
  return protocols.map((protocol) => {
    const shape = resolveShape(algorithm, protocol === undefined ? params : { ...params, protocol }, cost);
    const reason = algorithm.unsupported(shape);
    const named = protocol === undefined ? {} : { protocol };
    if (reason !== null) return { name: algorithm.name, ...named, predictedNs: Number.NaN, unsupported: reason };
    let own: PlanParams | undefined;
    const resolved = (): PlanParams => (own ??= algorithm.resolveParams?.(shape, cost) ?? shape);
    return lazyCandidate({ name: algorithm.name, ...named }, resolved, () => algorithm.predictNs(resolved(), cost));
  });
}

/**
 * A runnable candidate whose `params` (resolveParams' protocol cap: two predictions for LL) and
 * `predictedNs` are computed when first read, then kept: NCCL's rule reads only the chosen one's
 * (`--explain` and the weft rule read every one's), and at thousands of GPUs a prediction costs
 * up to seconds (16,384 GPUs, 1 GiB: the choice took 4.7 s, now 0.02; speed.md §46).
 */
function lazyCandidate(fields: Omit<AlgorithmCandidate, 'predictedNs' | 'params'>, params: () => PlanParams, predict: () => number): AlgorithmCandidate {
  let predicted: number | undefined;
  return Object.defineProperties({ ...fields }, {
    params: { enumerable: true, get: params },
    predictedNs: { enumerable: true, get: () => (predicted ??= predict()) },
  }) as AlgorithmCandidate;
}

/** The rule `tuner` resolves to: 'auto' is NCCL's where the topology names its GPUs' generation. */
function ruleOf(tuner: TunerName, cost: CostParams): 'nccl' | 'weft' {
  return tuner === 'auto' ? (cost.computeCapability !== undefined ? 'nccl' : 'weft') : tuner;
}

/** Whether `candidate` can run (its params are resolved on first read: this does not read them). */
const canRun = (candidate: { readonly unsupported?: string }): boolean => candidate.unsupported === undefined;

/** `candidate` with `extra` fields, its prediction still computed on first read (a spread would compute it now). */
function withFields(candidate: AlgorithmCandidate, extra: Partial<AlgorithmCandidate>): AlgorithmCandidate {
  return Object.defineProperties({}, { ...Object.getOwnPropertyDescriptors(candidate), ...Object.getOwnPropertyDescriptors(extra) }) as AlgorithmCandidate;
}

/** The candidate with the smallest finite prediction; ties (1e-9 relative) go to the earlier one. */
export function fastest<C extends { readonly predictedNs: number; readonly params?: PlanParams; readonly unsupported?: string }>(candidates: readonly C[]): C | null {
  let best: C | null = null;
  for (const c of candidates) {
    if (!canRun(c) || !Number.isFinite(c.predictedNs)) continue;
    if (best === null || c.predictedNs < best.predictedNs * (1 - 1e-9)) best = c;
  }
  return best;
}

/**
 * How a named algorithm runs at one size, as NCCL runs under NCCL_ALGO: under `only` (as
 * NCCL_PROTO pins it) or under the protocol the tuner rule picks — NCCL's model's pick among
 * the algorithm's protocols for NCCL's own algorithms under the 'nccl' rule (NCCL under
 * NCCL_ALGO=Ring chooses Ring's protocol by its model; weft's fastest ran LL at 1 MiB on two
 * DGX H100 where NCCL's model runs LL128), else the one predicted fastest. `weft bench --algo` and `weft
 * train --algo` both read it; a refusal names the flag at fault and why, and each command says
 * where (its own wording of the run), so the two cannot drift apart on what is accepted.
 */
export type NamedRun =
  | { readonly refused?: undefined; readonly params: PlanParams; readonly predictedNs: number; readonly candidates: readonly AlgorithmCandidate[] }
  | { readonly refused: '--proto'; readonly message: string }
  | { readonly refused: '--algo'; readonly reason: string };

export function runNamed(
  collective: CollectiveName,
  algorithm: Algorithm,
  params: PlanParams,
  cost: CostParams,
  only?: ProtocolName,
  allowed?: ReadonlySet<ProtocolName>,
  tuner: TunerName = 'auto',
): NamedRun {
  if (only !== undefined && algorithm.protocols === undefined) {
    const withProtocols = listAlgorithms(collective).filter((a) => a.protocols !== undefined).map((a) => a.name);
    const applies = withProtocols.length > 0 ? `--proto applies to NCCL's algorithms (${withProtocols.join(', ')}), or use --proto auto` : 'use --proto auto';
    return { refused: '--proto', message: `--proto ${only}: '${algorithm.name}' is a textbook algorithm without NCCL protocols; ${applies}` };
  }
  const own = candidatesOf(algorithm, params, cost, only, allowed);
  const nccl = ruleOf(tuner, cost) === 'nccl' && ncclRowOf(collective, algorithm.name) !== undefined;
  const candidates = nccl ? withNcclTimes(collective, params, cost, own, tuner === 'nccl') : own;
  const best = candidates.find((c) => c.ncclChoice === true) ?? fastest(candidates);
  // One reason per distinct cause: every protocol of an algorithm usually fails for the same one.
  if (best === null) return { refused: '--algo', reason: [...new Set(candidates.map((c) => c.unsupported ?? 'no finite prediction'))].join('; ') };
  return { params: best.params!, predictedNs: best.predictedNs, candidates };
}

/**
 * `candidates` with NCCL's model's time for each (ncclPredictedNs) and NCCL's pick marked
 * (ncclChoice: its argmin among those weft can run). `strict`: a topology without a GPU
 * throws (the rule was asked for); else such a topology leaves the candidates as they are.
 */
function withNcclTimes(collective: CollectiveName, params: PlanParams, cost: CostParams, candidates: readonly AlgorithmCandidate[], strict: boolean): AlgorithmCandidate[] {
  if (params.nranks <= 1 || params.count === 0 || NCCL_ROWS[collective] === undefined) return [...candidates];
  if (!strict && cost.computeCapability === undefined) return [...candidates];
  const inputs = ncclTuneInputs(params.layout, params.nranks, cost);
  const key = (row: NcclAlgorithmRow | undefined, protocol: ProtocolName | undefined): string => `${row}/${protocol}`;
  const runnable = new Set(candidates.filter(canRun).map((c) => key(ncclRowOf(collective, c.name), c.protocol)));
  const { candidates: nccl, best } = ncclChoose(collective, ncclTuneBytes(collective, params.count, params.elementBytes, params.nranks), inputs, (row, protocol) => runnable.has(key(row, protocol)));
  const timeUs = new Map(nccl.map((n) => [key(n.row, n.protocol), n.timeUs]));
  return candidates.map((c) => {
    const k = key(ncclRowOf(collective, c.name), c.protocol);
    const us = timeUs.get(k);
    if (us === undefined || !Number.isFinite(us)) return c;
    const chosen = best !== null && key(best.row, best.protocol) === k && canRun(c);
    return withFields(c, { ncclPredictedNs: us * 1000, ...(chosen ? { ncclChoice: true as const } : {}) });
  });
}

/**
 * `algorithms` that `enabled` (NCCL_ALGO's rows) keeps, by the NCCL row each runs as; all of
 * them when nothing is restricted or the collective is not one NCCL's tuner weighs. None left
 * is an error naming what NCCL_ALGO could have enabled here (NCCL ≥ 2.24 fails such a call).
 */
function enabledAlgorithms(collective: CollectiveName, algorithms: readonly Algorithm[], enabled: ReadonlySet<NcclAlgorithmRow> | undefined): readonly Algorithm[] {
  const rows = NCCL_ROWS[collective];
  if (enabled === undefined || rows === undefined) return algorithms;
  const kept = algorithms.filter((a) => {
    const row = rows[a.name];
    return row !== undefined && enabled.has(row);
  });
  if (kept.length > 0) return kept;
  const weighed = [...new Set(Object.values(rows))].join(', ');
  throw new WeftInputError(`NCCL_ALGO enables none of the algorithms NCCL weighs for ${collective} (${weighed}); enabled: ${[...enabled].join(', ') || 'none'}`);
}

/**
 * The (algorithm, protocol) auto runs among NCCL's candidates (see the header): under the
 * 'weft' rule the smallest predicted time, under 'nccl' NCCL's model's pick (weft's fastest
 * when NCCL's model weighs none of the runnable ones). `protocol` restricts the protocols as
 * NCCL_PROTO does; `enables` keeps the algorithms and protocols NCCL_ALGO and NCCL_PROTO leave
 * (for the collectives NCCL's tuner weighs). Ties go to the earlier candidate, so the choice
 * is deterministic. Throws WeftInputError when no candidate can run.
 */
export function chooseAlgorithm(
  collective: CollectiveName,
  params: PlanParams,
  cost: CostParams,
  protocol?: ProtocolName,
  tuner: TunerName = 'auto',
  enables: NcclEnables = {},
): AlgorithmChoice {
  const rule = ruleOf(tuner, cost);
  const all = listAlgorithms(collective);
  const nccl = all.filter((a) => a.protocols !== undefined);
  const algorithms = enabledAlgorithms(collective, nccl.length > 0 ? nccl : all, enables.algorithms);
  const perAlgorithm = algorithms.map((algorithm) => ({ algorithm, candidates: candidatesOf(algorithm, params, cost, protocol, enables.protocols) }));
  const weftCandidates = perAlgorithm.flatMap((a) => a.candidates);
  const candidates = withNcclTimes(collective, params, cost, weftCandidates, tuner === 'nccl');
  const ncclBest = rule === 'nccl' ? candidates.find((c) => c.ncclChoice === true) : undefined;
  // NCCL_ALGO left NCCL's model nothing it runs here (PAT with several GPUs a server: ncclPatEnable
  // is 0): NCCL fails the call; weft's fastest of what NCCL would not run is no stand-in for it.
  if (ncclBest === undefined && rule === 'nccl' && enables.algorithms !== undefined && NCCL_ROWS[collective] !== undefined && params.nranks > 1 && params.count > 0) {
    throw new WeftInputError(`NCCL_ALGO enables ${[...enables.algorithms].join(', ') || 'nothing'} for ${collective}, none of which NCCL's tuning model runs on this topology (tuning.cc: e.g. PAT needs one GPU a server); NCCL fails such a call`);
  }
  const best = ncclBest ?? fastest(candidates);
  if (best === null) {
    const reasons = candidates.map((c) => `${c.name}${c.protocol ? `/${c.protocol}` : ''}: ${c.unsupported ?? 'no finite prediction'}`).join('; ');
    const restricted = enables.algorithms !== undefined || enables.protocols !== undefined ? ' that NCCL_ALGO and NCCL_PROTO enable' : '';
    throw new WeftInputError(
      `no ${collective} algorithm${restricted} can run on ${params.nranks} ranks with count ${params.count}${reasons ? ` (${reasons})` : ''}`,
    );
  }
  const index = candidates.indexOf(best);
  const algorithm = perAlgorithm.find((a) => a.candidates.includes(weftCandidates[index]!))!.algorithm;
  return { algorithm, params: best.params!, predictedNs: best.predictedNs, candidates };
}
