// How far a long ghost run has got: load with `node --import ./benchmarks/progress-probe.mjs
// packages/cli/dist/main.js bench …`. Every PROBE_EVERY_S seconds of wall time (default 30)
// it prints, on stderr, the wall and CPU seconds so far, the simulated time reached, the
// engine steps taken and the network's work counters (transfers, flows, max-min re-solves), by wrapping @weft/sim's Engine.step (the run's results are unchanged:
// the wrapper only reads the clock). PROBE_STOP_CPU_S=N ends the run after N s of CPU
// (with node --cpu-prof, to profile part of a long run). For a run too long to finish here, simulated time
// reached / the predicted time says how far it got. PROBE_FIRST_STEP=1 also prints the CPU,
// wall and RSS at the first engine step (what planning and set-up cost); PROBE_FIRST_STEP=stop
// ends the run there (exit code 3). PROBE_LIVE=1 with node --expose-gc prints the live heap after a
// full collection on every line (a collection per line: for memory questions, not CPU figures);
// PROBE_HEAP=1 the heap in use, its limit and the RSS without a collection.
// The CLI's own copy (node resolves the workspace link to this path): one Engine class.
import { getHeapStatistics } from 'node:v8';
import { Engine } from '../packages/sim/dist/index.js';

const everyMs = Number(process.env.PROBE_EVERY_S ?? 30) * 1000;
// Stop the run (exit code 3) once it has used this much CPU: to profile the start of a long run.
const stopAfterCpuS = Number(process.env.PROBE_STOP_CPU_S ?? Infinity);
const step = Engine.prototype.step;
const startMs = performance.now();
let nextMs = startMs + everyMs;
let steps = 0;
const firstStep = process.env.PROBE_FIRST_STEP;
const liveEveryLine = process.env.PROBE_LIVE === '1';
const heapEveryLine = process.env.PROBE_HEAP === '1';
Engine.prototype.step = function probedStep() {
  steps++;
  if (steps === 1 && firstStep !== undefined) {
    const cpu = process.cpuUsage();
    // With node --expose-gc, also the heap still live after a full collection (RSS keeps garbage).
    let live = '';
    if (typeof globalThis.gc === 'function') {
      globalThis.gc();
      live = `, live heap after GC ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`;
    }
    process.stderr.write(`progress: first engine step at wall ${((performance.now() - startMs) / 1000).toFixed(1)} s, user CPU ${(cpu.user / 1e6).toFixed(1)} s, system CPU ${(cpu.system / 1e6).toFixed(1)} s, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB${live}\n`);
    if (firstStep === 'stop') process.exit(3);
  }
  if ((steps & 0x3f) === 0 && performance.now() >= nextMs) {
    nextMs += everyMs;
    const cpuS = process.cpuUsage().user / 1e6;
    // The network is the engine's model (a private field, read for the report only).
    const work = this.models?.[0]?.workStats?.();
    const solver = work?.solver;
    const network = work
      ? `, transfers ${work.transfersStarted}, flows ${work.flowsStarted}` +
        (solver ? `, solves ${solver.solves}, variables re-solved ${solver.variablesTouched} (${(solver.variablesTouched / Math.max(1, solver.solves)).toFixed(1)} per solve), live ${solver.liveVariables}` +
          (solver.components !== undefined ? `, components ${solver.components}, largest ${solver.largestComponent}, re-walks ${solver.rewalks}` : '') : '')
      : '';
    if (cpuS >= stopAfterCpuS) {
      process.stderr.write(`progress: stopped after ${cpuS.toFixed(1)} s of CPU (PROBE_STOP_CPU_S)\n`);
      process.exit(3); // --cpu-prof still writes its profile
    }
    // With node --expose-gc and PROBE_LIVE=1: the heap still live after a full collection, and the RSS (which keeps garbage).
    let live = '';
    if (liveEveryLine && typeof globalThis.gc === 'function') {
      globalThis.gc();
      live = `, live heap after GC ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`;
    }
    // PROBE_HEAP=1: the heap in use (garbage included, no collection forced: cheap) and its
    // limit, and the RSS — in a worker thread, that thread's heap (runtime node/sized-thread.ts).
    if (heapEveryLine && live === '') {
      const heap = getHeapStatistics();
      live = `, heap ${(heap.used_heap_size / 2 ** 20).toFixed(0)} of ${(heap.heap_size_limit / 2 ** 20).toFixed(0)} MiB, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`;
    }
    process.stderr.write(`progress: wall ${((performance.now() - startMs) / 1000).toFixed(0)} s, user CPU ${cpuS.toFixed(1)} s, simulated ${(this.nowNs / 1000).toFixed(2)} us, engine steps ${steps}${network}${live}\n`);
  }
  return step.call(this);
};
