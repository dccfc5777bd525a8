export type { BackendChoice, BackendName, KernelOp, NumericArray, TensorBackend } from './types.js';
export { kernelOp, reduceFrom, BACKEND_CHOICES } from './types.js';
export { typedBackend, reduceTyped, divideTyped } from './typed.js';
export { WasmSimdBackend, wasmSimdAvailable } from './wasm-simd.js';
export { loadTfjsBackend } from './tfjs.js';
export type { TfjsLoadResult } from './tfjs.js';
export { selectBackend } from './select.js';
