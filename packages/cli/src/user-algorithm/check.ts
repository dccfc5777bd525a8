/**
 * The symbolic check a user algorithm passes before it runs: plan it over a small matrix
 * of parameters (rank counts 1–9 and 16; counts 0, 1, 7, 1000; 1 and 2 channels; no
 * chunking and a 3-element chunk; root 0 and the last rank for rooted collectives) and
 * prove every schedule with the checker, smallest rank count first, so the first failure
 * is the smallest case that shows the bug.
 */
import { checkSchedule, collectiveOf, type Algorithm, type PlanParams } from '@weft/collectives';

export const CHECK_MATRIX = {
  rankCounts: [1, 2, 3, 4, 5, 6, 7, 8, 9, 16],
  counts: [0, 1, 7, 1000],
  channels: [1, 2],
  chunkElements: [0, 3],
} as const;

/** Every case of the matrix for `algorithm`'s collective, smallest rank count first. */
function* cases(algorithm: Algorithm): Generator<PlanParams> {
  const rooted = collectiveOf(algorithm.collective).rooted;
  for (const nranks of CHECK_MATRIX.rankCounts) {
    const roots = rooted && nranks > 1 ? [0, nranks - 1] : [0];
    for (const count of CHECK_MATRIX.counts) {
      for (const channels of CHECK_MATRIX.channels) {
        for (const chunkElements of CHECK_MATRIX.chunkElements) {
          for (const root of roots) {
            const layout = { groups: [Array.from({ length: nranks }, (_, r) => r)], hasReductionSwitch: false };
            yield { nranks, count, root, elementBytes: 4, channels, chunkElements, layout };
          }
        }
      }
    }
  }
}

/** Cost inputs for the predictNs sanity check: 1 µs, 100 GB/s everywhere. */
const SAMPLE_COST = {
  alphaNs: 1000,
  bandwidthBytesPerSec: 100e9,
  intra: { alphaNs: 1000, bandwidthBytesPerSec: 100e9 },
  inter: { alphaNs: 1000, bandwidthBytesPerSec: 100e9 },
};

export type UserCheck =
  | { readonly ok: true; readonly cases: number; readonly unsupported: number; /** The rank counts of the cases proved (those `unsupported()` accepted), ascending. */ readonly ranks: readonly number[] }
  | { readonly ok: false; readonly error: string };

function describe(params: PlanParams, rooted: boolean): string {
  const root = rooted ? `, root ${params.root}` : '';
  return `${params.nranks} rank${params.nranks === 1 ? '' : 's'} (count ${params.count}, channels ${params.channels}, chunk ${params.chunkElements}${root})`;
}

/**
 * Whether `error` ends the run instead of being the algorithm's answer: the watchdog's timeout,
 * or a module's thread out of memory (CLI: ../sandbox.ts, `endsTheRun`).
 */
function endsTheRun(error: unknown): boolean {
  return error instanceof Error && (error.name === 'UserCodeTimeoutError' || (error as { endsTheRun?: unknown }).endsTheRun === true);
}

/** A thrown error's first line, unless it ends the run. */
function message(error: unknown): string {
  if (endsTheRun(error)) throw error;
  // A call into a module in its own thread (CLI: ../sandbox.ts) carries the module's message as `thrown`.
  if (error instanceof Error && typeof (error as { thrown?: unknown }).thrown === 'string') return (error as unknown as { thrown: string }).thrown.split('\n')[0]!;
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

/**
 * Largest rank count a run's own check covers (checkUserAlgorithmAt). The checker's cost grows
 * about as the cube of the rank count for a ring (2(n−1) steps per rank, each element's
 * contributions a vector of n): the doc's ring at 64 ranks takes ≈ 0.1 s on this machine,
 * 256 ranks ≈ 2.5 s and 4,096 ranks more than 4 GB.
 */
export const RUN_CHECK_MAX_RANKS = 64;

/**
 * The cases of a run's own rank count (`nranks`, on the run's `layout`): counts of one and two
 * blocks and a bit per rank (every block holds elements, the last split uneven), one and two
 * channels, no chunking, root 0 and the last rank for rooted collectives. Empty when the
 * matrix already covers `nranks`, or it is beyond RUN_CHECK_MAX_RANKS.
 */
function* runCases(algorithm: Algorithm, nranks: number, layout: PlanParams['layout']): Generator<PlanParams> {
  if ((CHECK_MATRIX.rankCounts as readonly number[]).includes(nranks) || nranks > RUN_CHECK_MAX_RANKS) return;
  const roots = collectiveOf(algorithm.collective).rooted ? [0, nranks - 1] : [0];
  for (const count of [nranks, 2 * nranks + 1]) {
    for (const channels of CHECK_MATRIX.channels) {
      for (const root of roots) yield { nranks, count, root, elementBytes: 4, channels, chunkElements: 0, layout };
    }
  }
}

/**
 * Checks `algorithm` at a run's own rank count and layout, beyond the matrix (a schedule right
 * up to 16 ranks may be wrong at 32; ghost mode moves no bytes to find it).
 */
export function checkUserAlgorithmAt(algorithm: Algorithm, nranks: number, layout: PlanParams['layout']): UserCheck {
  return checkCases(algorithm, runCases(algorithm, nranks, layout), true);
}

/**
 * Plans and proves the schedule a ghost run will simulate, at its own size (`params`). A module
 * proved at the run-size check's small counts may still, at a count it never planned, receive
 * into a slice shorter than the message or reach past a buffer's end; ghost mode moves no bytes
 * that would show it (data mode fails on it) and would time the broken schedule. The checker's
 * cost follows the steps and runs, not the count.
 */
export function checkPlanned(algorithm: Algorithm, params: PlanParams): UserCheck {
  return checkCases(algorithm, [params], true);
}

/** Checks `algorithm` over CHECK_MATRIX; the first failure (smallest rank count) as one line. */
export function checkUserAlgorithm(algorithm: Algorithm): UserCheck {
  return checkCases(algorithm, cases(algorithm), false);
}

/** Proves each of `params`; `mayBeEmpty`: no case (or none supported) is a pass, not a refusal. */
function checkCases(algorithm: Algorithm, all: Iterable<PlanParams>, mayBeEmpty: boolean): UserCheck {
  const rooted = collectiveOf(algorithm.collective).rooted;
  let checked = 0;
  let unsupported = 0;
  const ranks = new Set<number>();
  for (const params of all) {
    const wrong = (what: string) => ({ ok: false as const, error: `wrong on ${describe(params, rooted)}: ${what}` });
    let reason: unknown;
    try {
      reason = algorithm.unsupported(params);
    } catch (error) {
      return wrong(`unsupported() threw: ${message(error)}`);
    }
    if (reason !== null) {
      unsupported += 1;
      continue;
    }
    let schedule;
    try {
      schedule = algorithm.plan(params);
    } catch (error) {
      return wrong(`plan() threw: ${message(error)}`);
    }
    if (schedule?.collective !== algorithm.collective) {
      return wrong(`plan() returned a schedule of '${String(schedule?.collective)}', not ${algorithm.collective}`);
    }
    let result;
    try {
      result = checkSchedule(schedule);
    } catch (error) {
      return wrong(`the schedule is malformed: ${message(error)}`);
    }
    if (!result.ok) return wrong(result.error);
    let predictedNs: unknown;
    try {
      predictedNs = algorithm.predictNs(params, SAMPLE_COST);
    } catch (error) {
      return wrong(`predictNs() threw: ${message(error)}`);
    }
    if (typeof predictedNs !== 'number' || !(predictedNs >= 0) || !Number.isFinite(predictedNs)) {
      return wrong(`predictNs() returned ${String(predictedNs)}, not a finite number of ns >= 0`);
    }
    checked += 1;
    ranks.add(params.nranks);
  }
  if (checked === 0 && !mayBeEmpty) return { ok: false, error: 'unsupported() refuses every case of the check matrix (ranks 1-9 and 16, counts 0, 1, 7, 1000)' };
  return { ok: true, cases: checked, unsupported, ranks: [...ranks].sort((a, b) => a - b) };
}
