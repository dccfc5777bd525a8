/**
 * The text of the WebAssembly SIMD reduction kernels, generated from one template per
 * (dtype, op) so the 12 loops cannot drift apart. `build-kernels.mjs` compiles it with
 * wabt into src/backends/wasm-kernels-bytes.ts; a test recompiles and compares.
 *
 * Every kernel is `name(dstByteOffset, srcByteOffset, count)`: dst[i] = dst[i] (op) src[i]
 * over one shared memory (the arena both slices live in); its three-operand twin `name3(dst,
 * a, src, count)` writes dst[i] = a[i] (op) src[i] (a reduce into a slice whose values are
 * still elsewhere — data/deferred-copies.ts — written once). A 4-lane (2 for f64) vector
 * loop runs first, then a scalar tail. Offsets are unsigned, so arenas up to 4 GiB work.
 */
const TYPES = {
  f32: { bytes: 4, vec: 'f32x4', lanes: 4, ops: { add: 'add', mul: 'mul', min: 'min', max: 'max' } },
  f64: { bytes: 8, vec: 'f64x2', lanes: 2, ops: { add: 'add', mul: 'mul', min: 'min', max: 'max' } },
  i32: { bytes: 4, vec: 'i32x4', lanes: 4, ops: { add: 'add', mul: 'mul', min: 'min_s', max: 'max_s' } },
};

function scalarOp(t, op) {
  if (t === 'i32' && (op === 'min' || op === 'max')) {
    const cmp = op === 'min' ? 'i32.lt_s' : 'i32.gt_s';
    // select(a, b, a < b): the scalar twin of i32x4.min_s / max_s.
    return `(select (local.get $a) (local.get $b) (${cmp} (local.get $a) (local.get $b)))`;
  }
  return `(${t}.${op} (local.get $a) (local.get $b))`;
}

/**
 * The two-operand kernel reads its first operand at $d, the three-operand one at $x (advanced
 * with $d). The vector body moves 64 bytes (4 vectors) per turn, then one vector per turn,
 * then a scalar tail: each element is computed alone as before (no reassociation), with a
 * quarter of the loop overhead — a slice a local send has just fed is read from cache
 * (free-run-host.ts), where the loop, not memory, set the pace.
 */
function kernel(t, op, three) {
  const { bytes, vec, lanes, ops } = TYPES[t];
  const shift = Math.log2(bytes);
  const first = three ? '$x' : '$d';
  const params = three ? '(param $d i32) (param $x i32) (param $s i32) (param $n i32)' : '(param $d i32) (param $s i32) (param $n i32)';
  const advanceFirst = (step) => (three ? `\n    (local.set $x (i32.add (local.get $x) (i32.const ${step})))` : '');
  const vector = (offset) => `
    (v128.store offset=${offset} (local.get $d) (${vec}.${ops[op]} (v128.load offset=${offset} (local.get ${first})) (v128.load offset=${offset} (local.get $s))))`;
  return `
 (func (export "${op}${three ? '3' : ''}_${t}") ${params}
  (local $end i32) (local $vend i32) (local $uend i32) (local $a ${t}) (local $b ${t})
  (local.set $end (i32.add (local.get $d) (i32.shl (local.get $n) (i32.const ${shift}))))
  (local.set $vend (i32.add (local.get $d) (i32.shl (i32.and (local.get $n) (i32.const ${-lanes})) (i32.const ${shift}))))
  (local.set $uend (i32.add (local.get $d) (i32.shl (i32.and (local.get $n) (i32.const ${-4 * lanes})) (i32.const ${shift}))))
  (block $udone (loop $uloop
    (br_if $udone (i32.ge_u (local.get $d) (local.get $uend)))${vector(0)}${vector(16)}${vector(32)}${vector(48)}
    (local.set $d (i32.add (local.get $d) (i32.const 64)))${advanceFirst(64)}
    (local.set $s (i32.add (local.get $s) (i32.const 64)))
    (br $uloop)))
  (block $vdone (loop $vloop
    (br_if $vdone (i32.ge_u (local.get $d) (local.get $vend)))${vector(0)}
    (local.set $d (i32.add (local.get $d) (i32.const 16)))${advanceFirst(16)}
    (local.set $s (i32.add (local.get $s) (i32.const 16)))
    (br $vloop)))
  (block $sdone (loop $sloop
    (br_if $sdone (i32.ge_u (local.get $d) (local.get $end)))
    (local.set $a (${t}.load (local.get ${first})))
    (local.set $b (${t}.load (local.get $s)))
    (${t}.store (local.get $d) ${scalarOp(t, op)})
    (local.set $d (i32.add (local.get $d) (i32.const ${bytes})))${advanceFirst(bytes)}
    (local.set $s (i32.add (local.get $s) (i32.const ${bytes})))
    (br $sloop))))`;
}

/** dst[i] = dst[i] / divisor for floats (avg's final division); int32 truncation stays in JS. */
function divide(t) {
  const { bytes, vec } = TYPES[t];
  const shift = Math.log2(bytes);
  const lanes = TYPES[t].lanes;
  return `
 (func (export "div_${t}") (param $d i32) (param $n i32) (param $q ${t})
  (local $end i32) (local $vend i32) (local $vq v128)
  (local.set $vq (${vec}.splat (local.get $q)))
  (local.set $end (i32.add (local.get $d) (i32.shl (local.get $n) (i32.const ${shift}))))
  (local.set $vend (i32.add (local.get $d) (i32.shl (i32.and (local.get $n) (i32.const ${-lanes})) (i32.const ${shift}))))
  (block $vdone (loop $vloop
    (br_if $vdone (i32.ge_u (local.get $d) (local.get $vend)))
    (v128.store (local.get $d) (${vec}.div (v128.load (local.get $d)) (local.get $vq)))
    (local.set $d (i32.add (local.get $d) (i32.const 16)))
    (br $vloop)))
  (block $sdone (loop $sloop
    (br_if $sdone (i32.ge_u (local.get $d) (local.get $end)))
    (${t}.store (local.get $d) (${t}.div (${t}.load (local.get $d)) (local.get $q)))
    (local.set $d (i32.add (local.get $d) (i32.const ${bytes})))
    (br $sloop))))`;
}

/**
 * dst := src, n bytes, inside the shared memory: bulk memory's memory.copy is a plain memmove,
 * ≈ 25 % faster on 64 MiB here than TypedArray.prototype.set between views of a shared buffer
 * (which V8 copies word by word with relaxed atomics).
 */
const COPY = `
 (func (export "copy") (param $d i32) (param $s i32) (param $n i32)
  (memory.copy (local.get $d) (local.get $s) (local.get $n)))`;

export function kernelsWat() {
  const funcs = [];
  for (const t of Object.keys(TYPES)) for (const op of ['add', 'mul', 'min', 'max']) funcs.push(kernel(t, op, false), kernel(t, op, true));
  funcs.push(divide('f32'), divide('f64'), COPY);
  return `(module\n (import "env" "memory" (memory 1 65536 shared))${funcs.join('')})\n`;
}

export async function compileKernels() {
  const wabt = await (await import('wabt')).default();
  const module = wabt.parseWat('kernels.wat', kernelsWat(), { simd: true, threads: true, bulk_memory: true });
  // wabt's validate() ignores the parse features; V8 validates when the test compiles it.
  const { buffer } = module.toBinary({ canonicalize_lebs: true });
  module.destroy();
  return buffer;
}
