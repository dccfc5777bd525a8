import { typedBackend } from './typed.js';
import type { BackendChoice, TensorBackend } from './types.js';
import { WasmSimdBackend, wasmSimdAvailable } from './wasm-simd.js';
import { loadTfjsBackend } from './tfjs.js';

/**
 * The backend a thread uses for `choice`. `auto` is wasm-simd where WebAssembly SIMD and
 * SharedArrayBuffer exist (the fastest kernel measured here), else the typed loops.
 */
export async function selectBackend(choice: BackendChoice): Promise<TensorBackend> {
  switch (choice) {
    case 'typed':
      return typedBackend;
    case 'tfjs':
      return (await loadTfjsBackend()).backend;
    case 'wasm':
      if (!wasmSimdAvailable()) throw new Error('backend wasm: WebAssembly SIMD with shared memory is unavailable here');
      return new WasmSimdBackend();
    case 'auto':
      return wasmSimdAvailable() ? new WasmSimdBackend() : typedBackend;
  }
}

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'typed', 'wasm', 'tfjs'];
