#!/usr/bin/env node
/**
 * nvlstree's prediction (no simulation) against simulated times already measured: reads a
 * `weft bench allreduce --algo nvlstree --format json` file and prints sim / pred per row with
 * this tree's predictor, so a predictor change is checked in milliseconds, not a rerun.
 *
 *   node benchmarks/nvlstree-pred-check.mjs dgx-h100:nodes=2 sim.json
 */
import { readFileSync } from 'node:fs';
import { allReduceProbe } from './default-plan-params.mjs';

const [spec, file] = process.argv.slice(2);
const { cost, algorithm, resolve } = allReduceProbe(spec, 'nvlstree', 'Simple');
for (const row of JSON.parse(readFileSync(file, 'utf8')).rows) {
  const predictedUs = algorithm.predictNs(resolve(String(row.bytes)), cost) / 1000;
  console.log(`${String(row.bytes).padStart(12)}  sim ${row.timeUs.toFixed(2).padStart(9)}  pred ${predictedUs.toFixed(2).padStart(9)}  ${(row.timeUs / predictedUs).toFixed(3)}`);
}
