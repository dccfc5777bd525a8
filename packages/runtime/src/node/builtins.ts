/**
 * Node built-ins that only data mode (worker threads, the machine's memory and cores) or a rare
 * path (a full collection, thread priorities) needs, loaded at first use instead of by a static
 * import: @weft/runtime's Node entry is loaded by every `weft bench`, and a ghost bench starts no
 * thread, yet importing worker_threads (with perf_hooks), vm and os at the top of these modules
 * cost it ≈ 2 ms of start-up (benchmarks/results/smpi.md §37). `process.getBuiltinModule`
 * (Node ≥ 20.16; weft needs ≥ 20.19) is synchronous and returns the module a static import would.
 */
export const workerThreads = (): typeof import('node:worker_threads') => process.getBuiltinModule('node:worker_threads');
export const nodeOs = (): typeof import('node:os') => process.getBuiltinModule('node:os');
export const nodeVm = (): typeof import('node:vm') => process.getBuiltinModule('node:vm');
