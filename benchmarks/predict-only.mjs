#!/usr/bin/env node
/**
 * Predicted time only (no simulation) of one all-reduce algorithm under each protocol, per
 * size, with weft's defaults (channels and chunk auto): what `--explain`'s "predicted" column
 * prints, in milliseconds of CPU instead of a run. For checking a predictor change against
 * simulated times already measured.
 *
 *   node benchmarks/predict-only.mjs dgx-h100:nodes=4 tree Simple 16M,64M,256M [CHANNELS CHUNK]
 *
 * CHANNELS and CHUNK (bytes) replace the defaults when given.
 */
import { allReduceProbe } from './default-plan-params.mjs';

const [spec, name, protocol, sizes, channels, chunk] = process.argv.slice(2);
const { cost, algorithm, resolve } = allReduceProbe(spec, name, protocol);
for (const size of sizes.split(',')) {
  console.log(`${size}\t${name}/${protocol}\t${(algorithm.predictNs(resolve(size, channels, chunk), cost) / 1000).toFixed(2)} µs`);
}
