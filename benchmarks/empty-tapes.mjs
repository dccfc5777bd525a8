#!/usr/bin/env node
/**
 * What an empty step tape costs: a plan has one per participant and schedule channel, most of
 * them never written at scale (nvlstree at 65,536 GPUs: 73,728 participants × 80 channels).
 * Makes N tapes, keeps them live, and reports the time to make them and the heap each holds
 * after a full collection (benchmarks/results/speed.md §45).
 *
 *   node --expose-gc benchmarks/empty-tapes.mjs [N = 2000000]
 */
import { StepTape } from '@weft/collectives';

const n = Number(process.argv[2] ?? 2_000_000);
globalThis.gc?.();
const before = process.memoryUsage().heapUsed;
const start = performance.now();
const tapes = new Array(n);
for (let i = 0; i < n; i++) tapes[i] = new StepTape();
const ms = performance.now() - start;
globalThis.gc?.();
const bytes = process.memoryUsage().heapUsed - before;
console.log(`${n} empty tapes: ${ms.toFixed(0)} ms (${((ms * 1e3) / n).toFixed(2)} µs each), ${(bytes / n).toFixed(0)} B each${globalThis.gc ? '' : ' (run with --expose-gc for the heap after a collection)'}; ${tapes.length} kept`);
