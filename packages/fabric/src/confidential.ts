/**
 * Confidential-computing (CC) mode as a change to the topology, so every network model and
 * both run modes see it: in CC mode a GPU may not DMA into the confidential VM's memory
 * and GPUDirect RDMA is off, so network data is encrypted (AES-GCM), staged through a
 * bounce buffer in system memory and decrypted on the far side. The cited cost of that
 * path (hardware.json cc.bounceBufferSlowdown) divides the bandwidth of every GPU↔NIC
 * (PCIe) link. NVLink is left as it is, as the sources say (cc.nvlinkUnchanged: Hopper's
 * protected-PCIe mode sends plain text over NVLink; Blackwell encrypts NVLink inline at
 * nearly full throughput).
 */
import { WeftInputError } from '@weft/sim';
import { hardwareCitations, hardwareFactor, hardwareFlag } from './presets/hardware.js';
import { linkClass } from './energy.js';
import type { Topology } from './types.js';

/** Lowest compute capability with a CC mode (H100, Hopper). */
const FIRST_CC_GPU = 9;

/** `topology` in CC mode: GPU↔NIC links slowed by the bounce-buffer cost, NVLink unchanged. */
export function confidentialTopology(topology: Topology): Topology {
  const cc = topology.computeCapability;
  if (cc === undefined) {
    throw new WeftInputError(
      `--confidential: ${topology.name} names no GPU generation; CC mode is modelled on Hopper and Blackwell presets (dgx-h100, hgx-h200, hgx-b200, gb200-nvl4, nvl72)`,
    );
  }
  if (cc < FIRST_CC_GPU) {
    throw new WeftInputError(`--confidential: ${topology.name} has compute capability ${cc} GPUs, which have no confidential-computing mode; CC needs Hopper (9.0) or newer`);
  }
  const slowdown = hardwareFactor('cc.bounceBufferSlowdown');
  const nvlinkUnchanged = hardwareFlag('cc.nvlinkUnchanged');
  const kinds = new Map(topology.nodes.map((n) => [n.id, n.kind]));
  let staged = 0;
  const links = topology.links.map((link) => {
    const cls = linkClass(kinds.get(link.from)!, kinds.get(link.to)!);
    if (cls === 'pcie' || (cls === 'nvlink' && !nvlinkUnchanged)) {
      staged += 1;
      return { ...link, bandwidthBytesPerSec: link.bandwidthBytesPerSec / slowdown };
    }
    return link;
  });
  const note = `confidential computing: ${staged} GPU↔NIC links staged through encrypted bounce buffers (bandwidth ÷ ${slowdown}); NVLink ${nvlinkUnchanged ? 'unchanged' : 'slowed alike'}`;
  return {
    ...topology,
    links,
    sources: [...(topology.sources ?? []), note, ...hardwareCitations(['cc.bounceBufferSlowdown', 'cc.nvlinkUnchanged'])],
  };
}
