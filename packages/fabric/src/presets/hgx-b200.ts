/**
 * `hgx-b200:nodes=K` — HGX B200 8-GPU servers: NVLink5 (18 links × 50 GB/s per direction)
 * through the NVLink switch with in-switch reduction, one 400G ConnectX-7 per GPU over PCIe
 * Gen5 (DGX B200); `nicBw=800Gbps,pcieBw=128GB/s` models ConnectX-8 800G on PCIe Gen6
 * (HGX B300-style). Spectrum-X as in the HGX AI-factory reference architecture.
 */
import { clusterPreset } from './cluster.js';

export const hgxB200Preset = clusterPreset({
  name: 'hgx-b200',
  description: 'HGX B200 servers (NVLink5 NVSwitch, one 400G ConnectX-7 per GPU) on a rail-optimized Spectrum-X fat tree',
  examples: ['hgx-b200:nodes=2', 'hgx-b200:nodes=2,nicBw=800Gbps,pcieBw=128GB/s', 'hgx-b200:nodes=16,fabric=ib-xdr,nicBw=800Gbps'],
  server: 'HGX B200 server',
  gpusPerNode: 'hgx.gpusPerNode',
  hbmBandwidth: 'b200.hbmBandwidth',
  computeCapability: 'blackwell.computeCapability',
  nvlinkBw: 'nvlink5.perGpuLineRate',
  nvlinkEfficiency: 'nvlink5.efficiency',
  reduction: 'nvswitch3.reduction',
  nvlsEfficiency: 'nvls.blackwellEfficiency',
  pcieBw: 'pcie.gen5x16LineRate',
  nicBw: 'ethernet.portLineRate',
  fabric: 'spectrumx',
  fabricNote: 'Spectrum-X, as the HGX AI-factory reference architecture (H100/H200/B200) builds the compute fabric',
});
