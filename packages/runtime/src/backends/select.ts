import { typedBackend } from './typed.js';
import type { BackendChoice, TensorBackend } from './types.js';
import { WasmSimdBackend, wasmSimdAvailable } from './wasm-simd.js';
import { loadTfjsBackend } from './tfjs.js';
import { checkBackend } from '../core/inputs.js';

/**
 * The backend a thread uses for `choice`. `auto` is wasm-simd where WebAssembly SIMD and
 * SharedArrayBuffer exist (the fastest kernel measured here), else the typed loops.
 */
export async function selectBackend(choice: BackendChoice): Promise<TensorBackend> {
  switch (checkBackend(choice)) {
    case 'typed':
      return typedBackend;
    case 'tfjs':
      return (await loadTfjsBackend()).backend;
    case 'wasm-simd':
    case 'wasm':
      if (!wasmSimdAvailable()) throw new Error(`backend ${choice}: WebAssembly SIMD with shared memory is unavailable here`);
      return new WasmSimdBackend();
    case 'auto':
      return wasmSimdAvailable() ? new WasmSimdBackend() : typedBackend;
  }
}
