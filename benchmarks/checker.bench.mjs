#!/usr/bin/env node
// How long the symbolic schedule checker takes on a 32-rank, 2-channel ring all-reduce of
// 2^20 + 3 elements (the size its test checks for correctness; speed is measured here, not
// asserted in a timed test). Usage, after building:
//   node benchmarks/checker.bench.mjs [--quick]
import { loadavg } from 'node:os';
import { checkSchedule, getAlgorithm } from '@weft/collectives';
import { machineLine, runBenny } from './benny-suite.mjs';

const quick = process.argv.includes('--quick');
const NRANKS = 32;
const layout = { groups: [Array.from({ length: NRANKS }, (_, rank) => rank)], hasReductionSwitch: false };
const schedule = getAlgorithm('allReduce', 'ring').plan({ nranks: NRANKS, count: 2 ** 20 + 3, root: 0, elementBytes: 4, channels: 2, chunkElements: 0, layout });
if (!checkSchedule(schedule).ok) throw new Error('the ring schedule does not pass the checker');

console.log(machineLine(loadavg()[0].toFixed(2)));
await runBenny('checkSchedule', [{ name: `ring allReduce, ${NRANKS} ranks, 2 channels, 2^20+3 elements`, run: () => checkSchedule(schedule) }], quick);
