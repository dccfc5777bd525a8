// Data-plane benchmark: this machine's single-thread copy and reduction bandwidth (the three
// reduction kernels side by side), then wall-clock busbw of ring all-reduce in worker threads.
//   npx tsc -b packages/runtime/tsconfig.json && node benchmarks/runtime-dataplane.mjs [MiB] [ranks...]
// Results: benchmarks/results/runtime.md.
import os from 'node:os';
import { parseTopologySpec, rankGroups, hasReductionSwitch } from '@weft/fabric';
import { planCollective } from '@weft/collectives';
import { createCluster, loadTfjsBackend, reduceTyped, WasmSimdBackend } from '@weft/runtime';

const mib = Number(process.argv[2] ?? 64);
const rankCounts = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [2, 4, 8];
const bytes = mib * 2 ** 20;
const count = bytes / 4;
const REPEATS = 5;

function best(fn) {
  fn(); // warm up (JIT, page faults)
  let ms = Infinity;
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    fn();
    ms = Math.min(ms, performance.now() - t0);
  }
  return ms;
}
const gbps = (b, ms) => (b / (ms / 1000) / 1e9).toFixed(2);

console.log(`# weft runtime data plane — ${new Date().toISOString()}`);
console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
console.log(`\n## Single-thread kernels on ${mib} MiB float32 (best of ${REPEATS}; GB/s = bytes of dst per second)\n`);
console.log('| kernel | ms | GB/s |');
console.log('|---|---:|---:|');
const memory = new WebAssembly.Memory({ initial: Math.ceil((2 * bytes) / 65536) + 1, maximum: 65535, shared: true });
const dst = new Float32Array(memory.buffer, 0, count);
const src = new Float32Array(memory.buffer, bytes, count);
dst.fill(1);
src.fill(2);
let ms = best(() => dst.set(src));
console.log(`| memcpy (TypedArray.set) | ${ms.toFixed(2)} | ${gbps(bytes, ms)} |`);
ms = best(() => reduceTyped('sum', 'float32', dst, src));
console.log(`| a += b, typed-array loop (backend typed) | ${ms.toFixed(2)} | ${gbps(bytes, ms)} |`);
const wasm = new WasmSimdBackend();
wasm.attach(memory);
ms = best(() => wasm.reduce('sum', 'float32', dst, src));
console.log(`| a += b, wasm f32x4 kernel in the shared arena (backend wasm-simd) | ${ms.toFixed(2)} | ${gbps(bytes, ms)} |`);
const { backend: tfjs } = await loadTfjsBackend();
ms = best(() => tfjs.reduce('sum', 'float32', dst, src));
console.log(`| a += b, TensorFlow.js ${tfjs.name} add (tensor in, dataSync out) | ${ms.toFixed(2)} | ${gbps(bytes, ms)} |`);
const { tf } = tfjs;
const ta = tf.tensor1d(dst), tb = tf.tensor1d(src);
ms = best(() => {
  const sum = tf.add(ta, tb);
  sum.dataSync();
  sum.dispose();
});
console.log(`| a + b, TensorFlow.js ${tfjs.name} add on resident tensors (dataSync out) | ${ms.toFixed(2)} | ${gbps(bytes, ms)} |`);
ta.dispose();
tb.dispose();

console.log(`\n## Ring all-reduce, float32, ${mib} MiB per rank, data mode (default layout: one worker thread per core, wasm-simd)\n`);
console.log('wall-clock busbw = (bytes / wall time) × 2(p−1)/p, as nccl-tests defines busbw. "collective" is the coordinated run that moves and reduces the data (nccl-tests times this); "whole run" adds prepare (input pattern copy, output poison). Check off.\n');
console.log('| ranks | collective ms (best of 5) | busbw GB/s (collective) | whole run ms | busbw GB/s (whole run) | rounds | simulated µs | staging overflows |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const p of rankCounts) {
  const topology = parseTopologySpec(`ring:${p}`);
  const schedule = planCollective('allReduce', 'ring', {
    nranks: p, count, root: 0, elementBytes: 4, channels: 1, chunkElements: 0,
    layout: { groups: rankGroups(topology), hasReductionSwitch: hasReductionSwitch(topology) },
  });
  const cluster = await createCluster({ topology, network: { model: 'maxMin', routing: 'ecmp', qps: 1, seed: 1 }, mode: 'data' });
  try {
    const first = await cluster.runSchedule(schedule, { dtype: 'float32', op: 'sum', check: true });
    if (first.wrong !== 0) throw new Error(`ring all-reduce on ${p} ranks: ${first.wrong} wrong`);
    let bestMs = Infinity;
    let bestSimMs = Infinity;
    let last = first;
    for (let i = 0; i < 5; i++) {
      last = await cluster.runSchedule(schedule, { dtype: 'float32', op: 'sum', check: false });
      bestMs = Math.min(bestMs, last.wallMs);
      bestSimMs = Math.min(bestSimMs, last.phasesMs.simulateMs);
    }
    const busbw = (ms) => ((bytes / (ms / 1000) / 1e9) * ((2 * (p - 1)) / p)).toFixed(2);
    console.log(`| ${p} | ${bestSimMs.toFixed(1)} | ${busbw(bestSimMs)} | ${bestMs.toFixed(1)} | ${busbw(bestMs)} | ${last.rounds} | ${(last.timeNs / 1000).toFixed(1)} | ${last.stagingOverflows} |`);
  } finally {
    await cluster.close();
  }
}
