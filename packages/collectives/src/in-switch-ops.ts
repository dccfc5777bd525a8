/**
 * Which reductions a switch can compute. NVLS's multimem load-reduce sums float and double only,
 * and sums or takes min/max of 32/64-bit integers, half and bfloat16 — never prod, and never avg
 * (NCCL runs avg as a pre-multiplied sum or a sum then divide, neither of which NVLS has):
 * NVIDIA/nccl src/include/device.h `ncclNvlsSupported`, which NCCL's tuner consults before it
 * weighs NVLS or NVLSTree (an unsupported pair runs ring or tree). A SHARP switch (CollNet;
 * weft's `innetwork`) sums and takes min/max of what the plugin converts (nccl-rdma-sharp-plugins
 * `opConvert`: sum, max, min; other ops SHARP_OP_NULL); NCCL turns avg into a sum for CollNet
 * (src/enqueue.cc getCollNetSupport: `opHost == ncclAvg ? ncclSum`), so only prod is refused.
 * Before this, `auto` ran NVLS for `-o prod` and data mode reported #wrong 0 for a product no
 * NVSwitch can compute.
 */
import type { PlanParams, ReduceOp } from './types.js';

/** The element types NVLS reduces with min/max besides sum (ncclNvlsSupported), by weft's and nccl-tests' names. */
const NVLS_MIN_MAX_TYPES = new Set(['int32', 'int', 'uint32', 'int64', 'uint64', 'float16', 'half', 'bfloat16']);
/** The element types NVLS only sums. */
const NVLS_SUM_TYPES = new Set(['float32', 'float', 'float64', 'double']);

/** Whether NVLS reduces `op` on elements of `dtype` (ncclNvlsSupported). */
export function nvlsReduces(op: ReduceOp, dtype: string): boolean {
  if (NVLS_SUM_TYPES.has(dtype)) return op === 'sum';
  if (NVLS_MIN_MAX_TYPES.has(dtype)) return op === 'sum' || op === 'min' || op === 'max';
  return false;
}

/**
 * Why the switch of `kind` cannot compute the reduction `params` carries (PlanParams.reduction),
 * or null (also when the caller named none: a plan without data assumes a sum).
 */
export function inSwitchReductionProblem(params: PlanParams, kind: 'nvls' | 'sharp'): string | null {
  const reduction = params.reduction;
  if (reduction === undefined) return null;
  const { op, dtype } = reduction;
  if (kind === 'nvls') {
    if (nvlsReduces(op, dtype)) return null;
    const ops = NVLS_SUM_TYPES.has(dtype) ? 'sum' : NVLS_MIN_MAX_TYPES.has(dtype) ? 'sum, min and max' : 'nothing';
    return `NVLS reduces ${ops} on ${dtype} in the switch (NCCL's ncclNvlsSupported), not ${op}; NCCL runs ring or tree for it`;
  }
  return op === 'prod' ? `a SHARP switch reduces sum, min and max (NCCL's CollNet), not ${op}; NCCL runs ring or tree for it` : null;
}
