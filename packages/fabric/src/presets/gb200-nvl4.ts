/**
 * `gb200-nvl4[:nodes=K]` — GB200 NVL4 boards: two GB200 superchips, i.e. 4 Blackwell GPUs
 * joined by NVLink5 (the pairing of one NVL72 compute tray), one 400G ConnectX-7 per GPU
 * (as on an NVL72 compute tray) over PCIe Gen5. How the four GPUs' 18 links are wired is not
 * public: one aggregate, non-reducing NVLink node gives each GPU its full NVLink rate to any
 * peer (stated in the sources as an assumption).
 */
import { clusterPreset } from './cluster.js';

export const gb200Nvl4Preset = clusterPreset(
  {
    name: 'gb200-nvl4',
    description: 'GB200 NVL4 boards (2 superchips = 4 GPUs on NVLink5, one 400G NIC per GPU) on a rail-optimized Spectrum-X fat tree',
    examples: ['gb200-nvl4', 'gb200-nvl4:nodes=4'],
    server: 'GB200 NVL4 board',
    gpusPerNode: 'gb200Nvl4.gpus',
    hbmBandwidth: 'gb200.hbmBandwidth',
    computeCapability: 'blackwell.computeCapability',
    nvlinkBw: 'nvlink5.perGpuLineRate',
    nvlinkEfficiency: 'nvlink5.efficiency',
    reduction: 'gb200Nvl4.reduction',
    // Read where reduction=true makes the NVLink node reduce (NVLS): Blackwell's, as on hgx-b200 and nvl72 (was 1).
    nvlsEfficiency: 'nvls.blackwellEfficiency',
    pcieBw: 'pcie.gen5x16LineRate',
    nicBw: 'ethernet.portLineRate',
    fabric: 'spectrumx',
    fabricNote: 'Spectrum-X (no reference architecture names a fabric for NVL4 boards; set fabric=ib-ndr for InfiniBand)',
    notes: ['assumption: the four GPUs share one aggregate NVLink node at the full per-GPU NVLink5 rate (wiring among the 18 links per GPU not public); NICs one 400G ConnectX-7 per GPU as on a GB200 NVL72 compute tray'],
  },
  { nodes: { kind: 'count', defaultValue: 1, doc: 'number of GB200 NVL4 boards' } },
);
