// Runs a CLI entry in a thread sized for large ghost runs (runtime node/sized-thread.ts), as the
// CLI now does itself for ghost runs of 4,096+ ranks (speed.md §35, §39):
//   node benchmarks/sized-thread-run.mjs packages/cli/dist/bundle/main.js bench allreduce …
// For comparisons below that threshold, or with a build from before §39 (a newer main.js run
// here hands a 4,096+-rank ghost run to a thread of its own, inside this one).
// YOUNG_MB / OLD_MB override sizedThreadHeapLimits() (e.g. OLD_MB=3952: V8's default old generation).
import { pathToFileURL } from 'node:url';
import { runInSizedThread, sizedThreadHeapLimits } from '../packages/runtime/dist/node/sized-thread.js';

const [entry, ...argv] = process.argv.slice(2);
if (entry === undefined) {
  process.stderr.write('usage: node benchmarks/sized-thread-run.mjs <entry.js> [args…]\n');
  process.exit(2);
}
const limits = sizedThreadHeapLimits();
if (process.env.YOUNG_MB) limits.youngGenerationMb = Number(process.env.YOUNG_MB);
if (process.env.OLD_MB) limits.oldGenerationMb = Number(process.env.OLD_MB);
const exit = await runInSizedThread(pathToFileURL(entry), argv, limits);
if (exit.outOfMemory) process.stderr.write(`weft: run too big for this thread's heap (${limits.oldGenerationMb} MiB old generation)\n`);
process.exitCode = exit.outOfMemory ? 2 : exit.code;
