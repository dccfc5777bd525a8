#!/usr/bin/env node
/**
 * auto's choice alone (no plan, no simulation): the user CPU of one `chooseAlgorithm` for an
 * all-reduce of SIZE bytes on a topology with weft's defaults (the tuner the preset implies),
 * and what it picked (benchmarks/results/speed.md §46).
 *
 *   node benchmarks/choose-only.mjs dgx-h100:nodes=2048 1073741824
 */
import { chooseAlgorithm } from '@weft/collectives';
import { alphaBetaCost, parseTopologySpec, rankLayout } from '@weft/fabric';
import { defaultParams } from './default-plan-params.mjs';

const [spec, size] = process.argv.slice(2);
const topology = parseTopologySpec(spec);
const cost = alphaBetaCost(topology);
const layout = rankLayout(topology);
const start = process.cpuUsage();
const choice = chooseAlgorithm('allReduce', defaultParams(topology, layout, size), cost);
const used = process.cpuUsage(start);
console.log(`${spec} ${size} B: ${choice.algorithm.name}/${choice.params.protocol}, ${((used.user + used.system) / 1e6).toFixed(2)} s CPU`);
