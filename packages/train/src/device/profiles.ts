import { WeftInputError } from '@weft/sim';
import devicesJson from './devices.json' with { type: 'json' };

export type Precision = 'fp32' | 'bf16';
export const PRECISIONS: readonly Precision[] = ['fp32', 'bf16'];

/** Bytes per gradient element on the wire: bf16 halves all-reduce traffic. */
export const GRADIENT_BYTES: Readonly<Record<Precision, number>> = { fp32: 4, bf16: 2 };

export interface DeviceProfile {
  readonly name: string;
  readonly title: string;
  readonly peakFlopsPerSec: Readonly<Record<Precision, number>>;
  readonly memoryBytes: number;
  readonly memoryBandwidthBytesPerSec: number;
  /** Sustained fraction of peak for training matmuls (MFU); see devices.json for sources. */
  readonly computeEfficiency: number;
  readonly notes: string;
  readonly sources: readonly string[];
}

const DEVICES = devicesJson.devices as Record<string, Omit<DeviceProfile, 'name'>>;

export const DEVICE_NAMES: readonly string[] = Object.keys(DEVICES);

export function deviceProfile(name: string, computeEfficiency?: number): DeviceProfile {
  const profile = Object.hasOwn(DEVICES, name.toLowerCase()) ? DEVICES[name.toLowerCase()] : undefined;
  if (profile === undefined) throw new WeftInputError(`--device: unknown device '${name}'; accepted: ${DEVICE_NAMES.join(', ')}`);
  if (computeEfficiency !== undefined && !(computeEfficiency > 0 && computeEfficiency <= 1)) {
    throw new WeftInputError(`--compute-efficiency: '${computeEfficiency}' is not accepted; use a fraction in (0, 1]`);
  }
  return { ...profile, name: name.toLowerCase(), computeEfficiency: computeEfficiency ?? profile.computeEfficiency };
}

/** Every cited source, by id, for reports that name where a figure came from. */
export function deviceSources(): readonly { id: string; title: string; url: string; section: string }[] {
  return devicesJson.sources;
}

/** Emulated time of `flops` of matmul work at the device's sustained rate. */
export function computeTimeNs(flops: number, device: DeviceProfile, precision: Precision): number {
  return (flops / (device.peakFlopsPerSec[precision] * device.computeEfficiency)) * 1e9;
}
