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
import { dtypeNamed } from './dtypes.js';
import type { DType, PlanParams, ReduceOp } from './types.js';

/** The element types NVLS reduces with min/max besides sum (ncclNvlsSupported). */
const NVLS_MIN_MAX_TYPES: ReadonlySet<DType> = new Set<DType>(['int32', 'uint32', 'int64', 'uint64', 'float16', 'bfloat16']);
/** The element types NVLS only sums. */
const NVLS_SUM_TYPES: ReadonlySet<DType> = new Set<DType>(['float32', 'float64']);

/** Whether NVLS reduces `op` on elements of `dtype` (any spelling dtypeNamed takes; ncclNvlsSupported). */
export function nvlsReduces(op: ReduceOp, dtype: string): boolean {
  const type = dtypeNamed(dtype);
  if (type === undefined) return false;
  if (NVLS_SUM_TYPES.has(type)) return op === 'sum';
  if (NVLS_MIN_MAX_TYPES.has(type)) return op === 'sum' || op === 'min' || op === 'max';
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
    const type = dtypeNamed(dtype);
    const ops = type === undefined ? 'nothing' : NVLS_SUM_TYPES.has(type) ? 'sum' : NVLS_MIN_MAX_TYPES.has(type) ? 'sum, min and max' : 'nothing';
    return `NVLS reduces ${ops} on ${dtype} in the switch (NCCL's ncclNvlsSupported), not ${op}; NCCL runs ring or tree for it`;
  }
  return op === 'prod' ? `a SHARP switch reduces sum, min and max (NCCL's CollNet), not ${op}; NCCL runs ring or tree for it` : null;
}
