/**
 * Predicted against simulated time for every registered algorithm of every collective on an
 * uncontended fabric: one non-blocking, reduction-capable switch (switch:N,reduction=true),
 * maxMin network, ghost mode, the CLI's defaults (channels auto, 2 MiB chunks). `auto`
 * picks the argmin of predictNs, so a prediction far from the simulation picks wrong.
 *
 * Each algorithm's simulated / predicted ratio must lie within 1 ± TOLERANCE, unless it is
 * listed in EXCEPTIONS with the band it is held to and the reason. The table of ratios:
 * `node benchmarks/predictor-error.mjs` (benchmarks/results/predictor-error.md).
 */
import { describe, expect, it } from 'vitest';
import { COLLECTIVES, countForBytes, listAlgorithms, collectiveOf, resolveDefaults, type CollectiveName, type PlanParams } from '@weft/collectives';
import { alphaBetaCost, parseTopologySpec, rankLayout } from '@weft/fabric';
import { createCluster } from '@weft/runtime';
import { network } from './helpers.js';

/** simulated / predicted must lie in [1 - TOLERANCE, 1 + TOLERANCE]. */
const TOLERANCE = 0.1;
const RANKS = [4, 5, 8];
/** 1 KiB: latency-bound (α terms dominate); 64 MiB: bandwidth-bound (β terms dominate). */
const SIZES = { small: 1024, large: 64 << 20 } as const;
type SizeName = keyof typeof SIZES;

interface Exception {
  readonly collective: CollectiveName;
  readonly algorithm: string;
  readonly ranks?: readonly number[];
  readonly size?: SizeName;
  /** The band simulated / predicted is held to instead. */
  readonly band: readonly [number, number];
  readonly reason: string;
}

const EXCEPTIONS: readonly Exception[] = [
  // The non-power-of-two folds of rd, rhd, halving and rd all-gather (5 = 4 + 1) were held to
  // [0.7, 1.4] here (0.75 at 1 KiB, 1.2-1.37 at 64 MiB); their predictors replay the schedule's
  // messages now (collectives message-replay.ts) and meet the common tolerance.
  // binomial broadcast follows its schedule's recurrence now (eager-rounds-predict.test.ts); reduce's
  // children still share their parent's in-link, which the closed form does not see.
  ...(['reduce'] as const).map(
    (collective): Exception => ({
      collective,
      algorithm: 'binomial',
      ranks: [5],
      size: 'small',
      band: [0.6, 1 + TOLERANCE],
      reason:
        'upper bound: predictNs counts ceil(log2 n) = 3 rounds of α, but the root\'s sends are eager, so on 5 ranks ' +
        'the longest dependency chain is 2 hops (measured 0.67).',
    }),
  ),
];

function exceptionFor(collective: CollectiveName, algorithm: string, n: number, size: SizeName): Exception | undefined {
  return EXCEPTIONS.find(
    (e) => e.collective === collective && e.algorithm === algorithm && (e.ranks?.includes(n) ?? true) && (e.size ?? size) === size,
  );
}

describe(`simulated time is within ${TOLERANCE * 100}% of predictNs on switch:N (maxMin, ghost)`, () => {
  for (const n of RANKS) {
    for (const collective of COLLECTIVES) {
      it(`${collective} on ${n} ranks: every algorithm, 1 KiB and 64 MiB`, async () => {
        const topology = parseTopologySpec(`switch:${n},reduction=true`);
        const cost = alphaBetaCost(topology);
        const layout = rankLayout(topology);
        const sizes = (Object.keys(SIZES) as SizeName[]).filter((s, i) => i === 0 || collectiveOf(collective).sizeCounts(n) !== 0);
        const cluster = await createCluster({ topology, network: network('maxMin'), mode: 'ghost' });
        const failures: string[] = [];
        try {
          for (const algorithm of listAlgorithms(collective)) {
            for (const size of sizes) {
              const base: PlanParams = {
                nranks: n,
                count: countForBytes(collective, SIZES[size], 'float32', n),
                root: 0,
                elementBytes: 4,
                channels: 0,
                chunkElements: (2 << 20) / 4,
                layout,
              };
              const params = resolveDefaults(algorithm, base, cost);
              if (algorithm.unsupported(params) !== null) continue;
              const predictedNs = algorithm.predictNs(params, cost);
              const result = await cluster.runSchedule(algorithm.plan(params), { dtype: 'float32', op: 'sum' });
              const ratio = result.timeNs / predictedNs;
              const exception = exceptionFor(collective, algorithm.name, n, size);
              const [lo, hi] = exception?.band ?? [1 - TOLERANCE, 1 + TOLERANCE];
              if (!(ratio >= lo && ratio <= hi)) {
                failures.push(
                  `${algorithm.name} ${size}: simulated ${(result.timeNs / 1000).toFixed(2)} us / predicted ${(predictedNs / 1000).toFixed(2)} us = ${ratio.toFixed(3)}, outside [${lo}, ${hi}]`,
                );
              }
            }
          }
        } finally {
          await cluster.close();
        }
        expect(failures).toEqual([]);
      });
    }
  }
});
