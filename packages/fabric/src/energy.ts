/**
 * Energy of a collective from what the fabric carried: every link's bytes × the per-bit
 * energy of its class (NVLink, PCIe, NIC port, switch port), every byte entering a switch ×
 * that switch's per-bit energy, and each participating GPU's idle power × the simulated
 * time. All figures are cited inputs in presets/hardware.json; a class without a figure is
 * reported as missing (and left out), never guessed.
 */
import { hardwareFactor, type HardwareKey } from './presets/hardware.js';
import type { NodeKind, Topology } from './types.js';

/** What a link is physically, from the kinds of the nodes it joins. */
export type LinkClass = 'nvlink' | 'pcie' | 'nicPort' | 'switchPort';

/** Per-bit energy (pJ) of one class of link or switch, and the hardware.json keys behind it. */
interface PerBit {
  readonly pj: number;
  readonly keys: readonly HardwareKey[];
}

export interface EnergyModel {
  /** pJ per bit carried, by class, for the link classes this topology has (and a figure for). */
  readonly pjPerBit: Readonly<Partial<Record<LinkClass, number>>>;
  /** pJ per bit entering an NVLink switch / a fabric (Ethernet, InfiniBand) switch; null where the topology has none. */
  readonly nvswitchPjPerBit: number | null;
  readonly fabricSwitchPjPerBit: number | null;
  /** Idle power of one GPU, W; null without a cited figure for this GPU. */
  readonly gpuIdleW: number | null;
  /** Participating GPUs (ranks). */
  readonly gpus: number;
  /** Every hardware.json key the estimate uses (for the sources line). */
  readonly keys: readonly HardwareKey[];
  /** What has no cited figure here (left out of the estimate), one phrase each. */
  readonly missing: readonly string[];
  /** Assumptions the estimate makes for this topology (stated with the result). */
  readonly assumptions: readonly string[];
}

/** Joules of one collective operation, by part. */
export interface EnergyBreakdown {
  readonly linksJ: number;
  readonly switchesJ: number;
  readonly gpusJ: number;
  readonly totalJ: number;
}

/** The bytes one directed link carried (a LinkStats satisfies it). */
export interface LinkBytes {
  readonly from: string;
  readonly to: string;
  readonly bytesCarried: number;
}

const SWITCH_KINDS: readonly NodeKind[] = ['switch', 'leaf', 'spine', 'core'];
const ENDPOINT: readonly NodeKind[] = ['gpu', 'host'];

/**
 * A link's class: GPU↔NVSwitch is NVLink; GPU/host↔NIC is PCIe; NIC↔switch is a NIC port
 * (an endpoint wired straight to a switch, as in `switch:N`, has its NIC folded in: a NIC
 * port too); switch↔switch is a switch port. Anything else (a direct GPU↔GPU cable) has no class.
 */
export function linkClass(fromKind: NodeKind, toKind: NodeKind): LinkClass | null {
  const has = (kinds: readonly NodeKind[], kind: NodeKind) => kinds.includes(kind);
  const pair = (a: (k: NodeKind) => boolean, b: (k: NodeKind) => boolean) => (a(fromKind) && b(toKind)) || (b(fromKind) && a(toKind));
  const endpoint = (k: NodeKind) => has(ENDPOINT, k);
  const fabricSwitch = (k: NodeKind) => has(SWITCH_KINDS, k);
  if (pair((k) => k === 'gpu', (k) => k === 'nvswitch')) return 'nvlink';
  if (pair(endpoint, (k) => k === 'nic')) return 'pcie';
  if (pair((k) => k === 'nic' || endpoint(k), fabricSwitch)) return 'nicPort';
  if (fabricSwitch(fromKind) && fabricSwitch(toKind)) return 'switchPort';
  return null;
}

const perBit = (...keys: HardwareKey[]): PerBit => ({ pj: keys.reduce((sum, key) => sum + hardwareFactor(key), 0), keys });

/** The GPU generation a compute capability names, and its cited NVLink energy and idle power. */
function gpuFigures(computeCapability: number | undefined): { nvlink: PerBit | null; idle: HardwareKey | null; missing: string[]; assumptions: string[] } {
  if (computeCapability === undefined) {
    return { nvlink: perBit('nvlink4.pjPerBit'), idle: 'h100.idlePowerW', missing: [], assumptions: ['the topology names no GPU: H100 SXM figures assumed (NVLink4, idle power)'] };
  }
  if (computeCapability >= 10) {
    return { nvlink: perBit('nvlink5.pjPerBit'), idle: null, missing: ['GPU idle power of Blackwell (B200/GB200/GB300): no cited figure, GPU term left out'], assumptions: [] };
  }
  if (computeCapability >= 9) return { nvlink: perBit('nvlink4.pjPerBit'), idle: 'h100.idlePowerW', missing: [], assumptions: [] };
  return { nvlink: null, idle: null, missing: [`NVLink3 per-bit energy and GPU idle power of compute capability ${computeCapability} (A100): no cited figures`], assumptions: [] };
}

/** The energy inputs for `topology`: per-bit figures by link class, switch energy, GPU idle power. */
export function energyModel(topology: Topology): EnergyModel {
  const gpu = gpuFigures(topology.computeCapability);
  const links: Partial<Record<LinkClass, PerBit>> = {
    pcie: perBit('pcie.gen5PjPerBit'),
    nicPort: perBit('optics.osfp400PjPerBit', 'optics.osfp800TwinPjPerBit'),
    // Both ends of a switch↔switch link hold a twin-port module.
    switchPort: { pj: 2 * hardwareFactor('optics.osfp800TwinPjPerBit'), keys: ['optics.osfp800TwinPjPerBit'] },
    ...(gpu.nvlink !== null ? { nvlink: gpu.nvlink } : {}),
  };
  const nvswitch = perBit('nvswitch.pjPerBitSwitched');
  const fabricSwitch = perBit('spectrum4.pjPerBitSwitched');
  const kinds = new Map(topology.nodes.map((n) => [n.id, n.kind]));
  const present = new Set<LinkClass | null>(topology.links.map((l) => linkClass(kinds.get(l.from)!, kinds.get(l.to)!)));
  const missing = [...gpu.missing];
  if (present.has(null)) missing.push('links that join no switch or NIC (e.g. direct GPU↔GPU cables): no per-bit figure, left out');
  const used = [...present].filter((c): c is LinkClass => c !== null && links[c] !== undefined);
  const nodeKinds = new Set(topology.nodes.map((n) => n.kind));
  if (present.has('nicPort')) missing.push('NIC ASIC power (ConnectX-7/8): no cited figure; a NIC port counts its optics only');
  const keys = new Set<HardwareKey>(used.flatMap((c) => links[c]!.keys));
  const hasNvswitch = nodeKinds.has('nvswitch');
  const hasFabricSwitch = SWITCH_KINDS.some((k) => nodeKinds.has(k));
  if (hasNvswitch) nvswitch.keys.forEach((k) => keys.add(k));
  if (hasFabricSwitch) fabricSwitch.keys.forEach((k) => keys.add(k));
  if (gpu.idle !== null) keys.add(gpu.idle);
  return {
    pjPerBit: Object.fromEntries(used.map((c) => [c, links[c]!.pj])),
    nvswitchPjPerBit: hasNvswitch ? nvswitch.pj : null,
    fabricSwitchPjPerBit: hasFabricSwitch ? fabricSwitch.pj : null,
    gpuIdleW: gpu.idle === null ? null : hardwareFactor(gpu.idle),
    gpus: topology.ranks.length,
    keys: [...keys],
    missing,
    assumptions: gpu.assumptions,
  };
}

const JOULES_PER_PJ_BYTE = 8e-12;

/**
 * Energy of one operation: `links` are the run's per-link byte counters over `runs`
 * operations (warm-up included), `timeNs` the simulated time of one operation.
 */
export function operationEnergy(model: EnergyModel, topology: Topology, links: readonly LinkBytes[], runs: number, timeNs: number): EnergyBreakdown {
  const kinds = new Map(topology.nodes.map((n) => [n.id, n.kind]));
  let linksJ = 0;
  let switchesJ = 0;
  for (const link of links) {
    const bytes = link.bytesCarried / runs;
    if (bytes === 0) continue;
    const toKind = kinds.get(link.to)!;
    const cls = linkClass(kinds.get(link.from)!, toKind);
    const pj = cls === null ? undefined : model.pjPerBit[cls];
    if (pj !== undefined) linksJ += bytes * pj * JOULES_PER_PJ_BYTE;
    // Every byte a switch forwards enters it once, on one of its in-links.
    const switchPj = toKind === 'nvswitch' ? model.nvswitchPjPerBit : SWITCH_KINDS.includes(toKind) ? model.fabricSwitchPjPerBit : null;
    if (switchPj !== null) switchesJ += bytes * switchPj * JOULES_PER_PJ_BYTE;
  }
  const gpusJ = model.gpuIdleW === null ? 0 : model.gpuIdleW * model.gpus * timeNs * 1e-9;
  return { linksJ, switchesJ, gpusJ, totalJ: linksJ + switchesJ + gpusJ };
}

