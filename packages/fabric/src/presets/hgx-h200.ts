/**
 * `hgx-h200:nodes=K` — HGX H200 8-GPU servers: H200 has H100's NVLink4 (900 GB/s
 * bidirectional) and NVSwitch with NVLink SHARP, and 141 GB of HBM3e (memory does not
 * enter the network model); one 400G ConnectX-7 per GPU; Spectrum-X as in the HGX
 * AI-factory reference architecture.
 */
import { clusterPreset } from './cluster.js';
import { HOPPER_SERVER } from './dgx-h100.js';

export const hgxH200Preset = clusterPreset({
  name: 'hgx-h200',
  description: 'HGX H200 servers (H100-class NVLink4 NVSwitch, one 400G NIC per GPU) on a rail-optimized Spectrum-X fat tree',
  examples: ['hgx-h200:nodes=2', 'hgx-h200:nodes=4,fabric=ib-ndr'],
  server: 'HGX H200 server',
  gpusPerNode: 'hgx.gpusPerNode',
  hbmBandwidth: 'h200.hbmBandwidth',
  computeCapability: 'hopper.computeCapability',
  ...HOPPER_SERVER,
  fabric: 'spectrumx',
  fabricNote: 'Spectrum-X, as the HGX AI-factory reference architecture (H100/H200/B200) builds the compute fabric',
});
