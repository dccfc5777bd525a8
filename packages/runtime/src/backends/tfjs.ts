/**
 * TensorFlow.js as a reduction backend: @tensorflow/tfjs-node where its native addon loads,
 * else @tensorflow/tfjs-backend-wasm (its .wasm ships in the package), else the pure-JS cpu
 * backend. Each step is optional: a missing or broken package is skipped, and the name of
 * the backend that loaded is reported. Kernels copy in and out of tensors, so this backend
 * is for comparison and for programs that already hold tensors, not the default.
 */
import type { DType } from '@weft/collectives';
import { divideTyped, reduceTyped } from './typed.js';
import type { KernelOp, NumericArray, TensorBackend } from './types.js';

type Tf = typeof import('@tensorflow/tfjs-core');

export interface TfjsLoadResult {
  readonly backend: TensorBackend & { readonly tf: Tf };
  /** Why each earlier choice was skipped (e.g. the tfjs-node addon is absent). */
  readonly skipped: readonly string[];
}

// A variable specifier keeps bundlers from resolving the optional native package.
const TFJS_NODE = '@tensorflow/tfjs-node';

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0]!;
}

async function loadTf(skipped: string[]): Promise<{ tf: Tf; name: 'tfjs-node' | 'tfjs-wasm' | 'tfjs-cpu' }> {
  try {
    const tf = (await import(TFJS_NODE)) as Tf;
    await tf.ready();
    if (tf.getBackend() === 'tensorflow') return { tf, name: 'tfjs-node' };
    skipped.push(`tfjs-node: loaded but its backend is ${tf.getBackend()}`);
  } catch (error) {
    skipped.push(`tfjs-node: ${firstLine(error)}`);
  }
  const tf = await import('@tensorflow/tfjs-core');
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    if ((await tf.setBackend('wasm')) && tf.getBackend() === 'wasm') return { tf, name: 'tfjs-wasm' };
    skipped.push('tfjs-wasm: setBackend(wasm) failed');
  } catch (error) {
    skipped.push(`tfjs-wasm: ${firstLine(error)}`);
  }
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error(`no TensorFlow.js backend loaded: ${skipped.join('; ')}`);
  return { tf, name: 'tfjs-cpu' };
}

let loading: Promise<TfjsLoadResult> | undefined;

/** Loads TensorFlow.js once per thread. */
export function loadTfjsBackend(): Promise<TfjsLoadResult> {
  loading ??= (async () => {
    const skipped: string[] = [];
    const { tf, name } = await loadTf(skipped);
    const tfDtype = (dtype: DType) => (dtype === 'int32' ? 'int32' : 'float32');
    const reduce = (op: KernelOp, dtype: DType, dst: NumericArray, src: NumericArray): void => {
      if (dst.length === 0) return;
      // tfjs has no float64 tensors; float64 data round-trips through float32 and would lose
      // bits, so float64 reductions stay exact in the typed reference loops.
      // Types tfjs has no tensors for (int8, uint8, uint32, 64-bit, half, bfloat16) run the
      // typed loops too (backendFor reports 'typed' for them).
      if (dtype !== 'float32' && dtype !== 'int32') return reduceTyped(op, dtype, dst, src);
      // tidy returns the result tensor, never its data: tidy walks whatever it returns looking
      // for tensors, and walking a million-element TypedArray costs more than the add.
      const result = tf.tidy(() => {
        const a = tf.tensor1d(dst as Float32Array | Int32Array, tfDtype(dtype));
        const b = tf.tensor1d(src as Float32Array | Int32Array, tfDtype(dtype));
        return op === 'sum' ? tf.add(a, b) : op === 'prod' ? tf.mul(a, b) : op === 'min' ? tf.minimum(a, b) : tf.maximum(a, b);
      });
      const out = result.dataSync();
      result.dispose();
      (dst as Float32Array | Int32Array).set(out as Float32Array | Int32Array);
    };
    return { backend: { name, tf, reduce, divide: divideTyped }, skipped };
  })();
  return loading;
}
