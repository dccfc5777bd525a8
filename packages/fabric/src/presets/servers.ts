/**
 * Servers as the GPU presets build them: per server (node group `<prefix><s>`), GPUs
 * `<prefix><s>.gpu<g>` on one aggregate NVLink switch node `<prefix><s>.nvswitch`, and
 * optionally one NIC per GPU `<prefix><s>.nic<g>` over PCIe (rail g).
 *
 * NVLink stripes every transfer over all of a GPU's links and switch chips, so one aggregate
 * GPU↔switch link per GPU carries the per-GPU NVLink bandwidth exactly; GPU→switch→GPU
 * costs nvlinkLatency, half on each link. GPU↔NIC links carry nicLatency (NIC + PCIe +
 * proxy, each side).
 */
import type { TopologyBuilder } from '../topology/builder.js';

export interface ServerInput {
  readonly servers: number;
  readonly gpusPerServer: number;
  /** Node-id and group prefix: `node` → node0.gpu0, group node0. */
  readonly prefix: string;
  readonly nvlinkBytesPerSec: number;
  readonly nvlinkLatencyNs: number;
  /** The NVLink switch reduces in the switch (NVLink SHARP / NVLS). */
  readonly reduction: boolean;
  /** Achievable fraction of NVLink bandwidth when the switch reduces (NVLS); undefined: 1. */
  readonly reductionEfficiency?: number;
  /** GPU↔NIC PCIe bandwidth and NIC latency; omit for servers without scale-out NICs. */
  readonly nic?: { readonly pcieBytesPerSec: number; readonly nicLatencyNs: number };
}

export interface BuiltServers {
  readonly ranks: string[];
  /** nics[s][g]: NIC of rail g in server s (empty without NICs). */
  readonly nics: string[][];
}

export function addServers(b: TopologyBuilder, input: ServerInput): BuiltServers {
  const ranks: string[] = [];
  const nics: string[][] = [];
  for (let s = 0; s < input.servers; s++) {
    const group = `${input.prefix}${s}`;
    const gpus = Array.from({ length: input.gpusPerServer }, (_, g) => b.addNode(`${group}.gpu${g}`, 'gpu', { group }));
    const nvswitch = b.addNode(`${group}.nvswitch`, 'nvswitch', {
      group,
      reduction: input.reduction,
      ...(input.reduction && input.reductionEfficiency !== undefined ? { reductionEfficiency: input.reductionEfficiency } : {}),
    });
    const serverNics = input.nic ? gpus.map((_, g) => b.addNode(`${group}.nic${g}`, 'nic', { group })) : [];
    gpus.forEach((gpu, g) => {
      b.addDuplex(gpu, nvswitch, input.nvlinkBytesPerSec, input.nvlinkLatencyNs / 2);
      if (input.nic) b.addDuplex(gpu, serverNics[g]!, input.nic.pcieBytesPerSec, input.nic.nicLatencyNs);
    });
    ranks.push(...gpus);
    nics.push(serverNics);
  }
  return { ranks, nics };
}
