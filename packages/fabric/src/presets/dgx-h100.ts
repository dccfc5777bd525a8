/**
 * `dgx-h100:nodes=K` — K DGX H100 servers (8 H100 SXM on third-generation NVSwitch with
 * NVLink SHARP, one 400G ConnectX-7 per GPU over PCIe Gen5) on a rail-optimized fat tree,
 * two tiers up to 4096 GPUs (16 SUs of 32 servers on 32 spines), three tiers
 * beyond (see rail-fabric.ts). Default fabric Spectrum-X, as in NVIDIA's HGX AI-factory
 * reference architecture; the DGX SuperPOD reference architecture uses InfiniBand NDR
 * (`fabric=ib-ndr`).
 */
import { clusterPreset, type SystemDefaults } from './cluster.js';

/** What every 8-GPU Hopper server (DGX/HGX H100, HGX H200) shares: NVLink4 NVSwitch with NVLS, one 400G ConnectX-7 per GPU on PCIe Gen5. */
export const HOPPER_SERVER: Pick<SystemDefaults, 'nvlinkBw' | 'nvlinkEfficiency' | 'reduction' | 'nvlsEfficiency' | 'pcieBw' | 'nicBw'> = {
  nvlinkBw: 'nvlink4.perGpuLineRate',
  nvlinkEfficiency: 'nvlink4.efficiency',
  reduction: 'nvswitch3.reduction',
  nvlsEfficiency: 'nvls.hopperEfficiency',
  pcieBw: 'pcie.gen5x16LineRate',
  nicBw: 'ethernet.portLineRate',
};

export const dgxH100Preset = clusterPreset({
  name: 'dgx-h100',
  description: 'DGX H100 servers (8 GPUs on NVSwitch, one 400G NIC per GPU) on a rail-optimized Spectrum-X (or InfiniBand) fat tree',
  examples: ['dgx-h100:nodes=4', 'dgx-h100:nodes=4,fabric=ib-ndr', 'dgx-h100:nodes=8192', 'dgx-h100:nodes=64,spines=8'],
  server: 'DGX H100 server',
  gpusPerNode: 'dgxH100.gpusPerNode',
  hbmBandwidth: 'h100.hbmBandwidth',
  computeCapability: 'hopper.computeCapability',
  ...HOPPER_SERVER,
  fabric: 'spectrumx',
  fabricNote: 'Spectrum-X, as the HGX AI-factory reference architecture builds the compute fabric (the DGX SuperPOD reference architecture uses InfiniBand NDR: fabric=ib-ndr)',
});
