/**
 * `hgx-a100:nodes=K` — HGX/DGX A100 8-GPU servers: NVLink3 (12 links × 25 GB/s per direction)
 * through second-generation NVSwitch, which has no in-switch reduction (reduction=false),
 * one 200 Gb/s HDR ConnectX-6 per GPU over PCIe Gen4, on the HDR InfiniBand fat tree of the
 * DGX A100 SuperPOD (SUs of 20 servers, 40-port Quantum switches).
 */
import { clusterPreset } from './cluster.js';
import { hardwareFactor } from './hardware.js';

export const hgxA100Preset = clusterPreset(
  {
    name: 'hgx-a100',
    description: 'HGX A100 servers (8 GPUs on NVLink3 NVSwitch without reduction, one 200G HDR NIC per GPU) on an InfiniBand HDR fat tree',
    examples: ['hgx-a100:nodes=2', 'hgx-a100:nodes=2,nicBw=400Gbps,fabric=ib-ndr'],
    server: 'HGX A100 server',
    gpusPerNode: 'dgxA100.gpusPerNode',
    hbmBandwidth: 'a100.hbmBandwidth',
    computeCapability: 'ampere.computeCapability',
    nvlinkBw: 'nvlink3.perGpuLineRate',
    nvlinkEfficiency: 'nvlink3.efficiency',
    reduction: 'nvswitch2.reduction',
    pcieBw: 'pcie.gen4x16LineRate',
    nicBw: 'infiniband.hdrPortLineRate',
    fabric: 'ib-hdr',
    fabricNote: 'InfiniBand HDR, the compute fabric of the DGX A100 SuperPOD reference architecture',
  },
  {
    serversPerSu: { kind: 'count', defaultValue: hardwareFactor('superpod.a100ServersPerSu'), hardware: 'superpod.a100ServersPerSu', doc: 'servers per scalable unit (one leaf per rail per SU)' },
  },
);
