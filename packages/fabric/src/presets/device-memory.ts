/**
 * Device memory bandwidth: what a device-local copy or reduction costs. A 1-rank collective
 * moves no byte over the fabric but still copies input to output on the GPU (nccl-tests shows
 * a nonzero time for it); weft charges such steps at the GPU's HBM bandwidth.
 */
import type { Topology } from '../types.js';
import { hardwareBandwidth } from './hardware.js';

/** The stated default for topologies that name no GPU: H100 SXM's HBM3 (hardware.json h100.hbmBandwidth). */
export const DEFAULT_DEVICE_MEMORY_BANDWIDTH_BYTES_PER_SEC = hardwareBandwidth('h100.hbmBandwidth');

/** The topology's GPU memory bandwidth, or the stated default. */
export function deviceMemoryBandwidth(topology: Topology): number {
  return topology.deviceMemoryBandwidthBytesPerSec ?? DEFAULT_DEVICE_MEMORY_BANDWIDTH_BYTES_PER_SEC;
}
