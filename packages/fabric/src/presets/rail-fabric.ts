/**
 * A rail-optimized, non-blocking fat tree joining servers' NICs, as in NVIDIA's SuperPOD and
 * AI-factory reference designs. Servers are grouped in scalable units (SUs); NIC g of every
 * server in SU u connects to the rail-g leaf `su<u>.leaf<g>`, so traffic between servers
 * that stays on one rail crosses one leaf and never a spine.
 *
 * Every switch has `radix` ports at the NIC's rate (capacity / port rate) and is
 * non-blocking: a leaf has one uplink port per populated downlink (a server on its rail),
 * and at least one to every switch above it, since a fat tree joins every leaf to every
 * spine; a pod spine likewise has as many ports up as it uses down, and at least one to
 * every super-spine of its plane. Ports are physical: each goes to one upper switch, dealt
 * round-robin (starting where the previous switch stopped, so upper switches fill evenly),
 * and parallel ports between one pair become one aggregate link of ports × port rate. A
 * leaf with 2 servers under 32 spines therefore has 32 full-rate ports, one per spine — not,
 * as before, its 2 ports' capacity divided over 32 links (about 3 GB/s each).
 *
 * Two tiers (`tiers=2`): every leaf to the spine layer `spine<k>`; spines = the smallest
 * divisor of serversPerSu whose ports hold every leaf's full uplinks (leaves × serversPerSu).
 * Three tiers (`tiers=3`; `0` = three only when two do not fit): leaves, in order, form pods
 * of at most radix/2 (a pod spine uses half its ports down, half up); pod p has spines
 * `pod<p>.spine<k>`, and spine k of every pod joins plane k of super-spines `plane<k>.core<j>`.
 */
import { WeftInputError } from '@weft/sim';
import type { TopologyBuilder } from '../topology/builder.js';
import { hardwareFactor } from './hardware.js';

export interface RailFabricInput {
  /** What to name in errors (the preset). */
  readonly what: string;
  /** nics[s][g]: the NIC of rail g in server s. */
  readonly nics: readonly (readonly string[])[];
  /** Payload bandwidth of one port (NIC line rate × protocol efficiency). */
  readonly portBytesPerSec: number;
  /** Switch ports at the NIC's line rate (switch capacity / NIC rate). */
  readonly radix: number;
  readonly switchLatencyNs: number;
  readonly serversPerSu: number;
  /** Spines (per pod with three tiers); 0 = the smallest that fits. */
  readonly spines: number;
  /** 2, 3, or 0 = two tiers when they fit, else three. */
  readonly tiers: number;
  /** Mark every switch reduction-capable (InfiniBand SHARP). */
  readonly reduction: boolean;
}

export interface RailFabricShape {
  readonly tiers: 2 | 3;
  readonly sus: number;
  readonly leaves: number;
  readonly pods: number;
  /** Spines per pod (two tiers: the one spine layer). */
  readonly spinesPerPod: number;
  readonly coresPerPlane: number;
}

/** What sizes a rail fat tree: counts and switch ports only (railFabricShape). */
export type RailFabricSizing = Pick<RailFabricInput, 'what' | 'radix' | 'serversPerSu' | 'spines' | 'tiers'> & {
  readonly servers: number;
  /** NICs (rails) per server. */
  readonly rails: number;
};

/**
 * The fabric's shape (tiers, pods, spines, cores) from counts alone, or the one-line refusal of a
 * fabric no switch of `radix` ports can build. Presets call it before they build a single GPU:
 * `dgx-h100:nodes=65536` was refused only after 524,288 GPUs and NICs (32 s, 1.2 GB).
 */
export function railFabricShape(input: RailFabricSizing): RailFabricShape {
  const { servers, rails, serversPerSu, radix } = input;
  if (radix < 2) throw new WeftInputError(`${input.what}: switchCapacity gives ${radix} port(s) at the NIC rate; a fat tree needs switches of at least 2 ports (switchCapacity >= 2 × nicBw)`);
  const sus = Math.ceil(servers / serversPerSu);
  const leaves = sus * rails;
  // A leaf takes its SU's servers below and as many uplinks above (non-blocking): set by hand, serversPerSu may not fit.
  if (2 * serversPerSu > radix) throw new WeftInputError(`${input.what}: serversPerSu=${serversPerSu} needs leaves of ${2 * serversPerSu} ports (${serversPerSu} down, ${serversPerSu} up), over the switch's ${radix}; use serversPerSu <= ${Math.floor(radix / 2)} or a larger switchCapacity`);
  const twoTierSpines = input.spines > 0 ? input.spines : smallestDivisorAtLeast(serversPerSu, Math.ceil((leaves * serversPerSu) / radix));
  const tiers = input.tiers === 0 ? (twoTierSpines === undefined ? 3 : 2) : input.tiers;
  if (tiers !== 2 && tiers !== 3) throw new WeftInputError(`${input.what}: tiers=${input.tiers} is not accepted; expected 0 (automatic), 2 or 3`);
  if (tiers === 2) {
    if (twoTierSpines === undefined) throw tooLarge(input, leaves, 'two tiers', radix);
    // Spines set by hand must hold what the leaves send them (each leaf deals max(servers, spines) ports over them).
    const spinePorts = Array.from({ length: sus }, (_, u) => rails * Math.ceil(Math.max(serversInSu(input, u), twoTierSpines) / twoTierSpines)).reduce((a, b) => a + b, 0);
    if (spinePorts > radix) throw new WeftInputError(`${input.what}: spines=${twoTierSpines} needs spines of ${spinePorts} ports for ${leaves} leaves, over the switch's ${radix}; use more spines (0 picks the smallest that fit), tiers=3, or a larger switchCapacity`);
    return { tiers: 2, sus, leaves, pods: 1, spinesPerPod: twoTierSpines, coresPerPlane: 0 };
  }
  // Three tiers: pods of at most radix × podRadixShare leaves, in leaf order (SU by SU, rail by rail).
  const leavesPerPod = Math.floor(radix * hardwareFactor('superpod.podRadixShare'));
  if (leavesPerPod < 1) throw new WeftInputError(`${input.what}: ${radix}-port switches cannot build a three-tier fat tree; raise switchCapacity`);
  const pods = Math.ceil(leaves / leavesPerPod);
  const fullPodUplinks = leavesPerPod * serversPerSu;
  const spinesPerPod = input.spines > 0 ? input.spines : smallestDivisorAtLeast(serversPerSu, Math.ceil(fullPodUplinks / leavesPerPod));
  if (spinesPerPod === undefined) throw tooLarge(input, leaves, 'a pod', radix);
  const spineDownPorts = Math.ceil(fullPodUplinks / spinesPerPod);
  const coresPerPlane = smallestDivisorAtLeast(spineDownPorts, Math.ceil((pods * spineDownPorts) / radix));
  if (coresPerPlane === undefined) throw tooLarge(input, leaves, 'three tiers', radix);
  return { tiers: 3, sus, leaves, pods, spinesPerPod, coresPerPlane };
}

/** Servers in scalable unit `u` (the last may be short). */
function serversInSu(input: Pick<RailFabricSizing, 'servers' | 'serversPerSu'>, u: number): number {
  return Math.min(input.serversPerSu, input.servers - u * input.serversPerSu);
}

/** Builds the fabric's switches and links (NIC↔leaf included) and returns its shape. */
export function addRailFabric(b: TopologyBuilder, input: RailFabricInput): RailFabricShape {
  const { nics, serversPerSu } = input;
  const rails = nics[0]?.length ?? 0;
  const sizing = { ...input, servers: nics.length, rails };
  const shape = railFabricShape(sizing);
  const { sus, leaves, pods, spinesPerPod, coresPerPlane } = shape;
  const options = input.reduction ? { reduction: true } : {};
  for (let u = 0; u < sus; u++) for (let g = 0; g < rails; g++) b.addNode(`su${u}.leaf${g}`, 'leaf', options);
  nics.forEach((server, s) => {
    const su = Math.floor(s / serversPerSu);
    server.forEach((nic, g) => {
      b.addLink(nic, `su${su}.leaf${g}`, input.portBytesPerSec, input.switchLatencyNs);
      b.addLink(`su${su}.leaf${g}`, nic, input.portBytesPerSec, 0); // the NIC's own latency sits on nic→gpu
    });
  });

  if (shape.tiers === 2) {
    const spineIds = Array.from({ length: spinesPerPod }, (_, k) => b.addNode(`spine${k}`, 'spine', options));
    const dealer = new PortDealer(b, input);
    for (let u = 0; u < sus; u++) for (let g = 0; g < rails; g++) dealer.deal(`su${u}.leaf${g}`, Math.max(serversInSu(sizing, u), spinesPerPod), spineIds);
    return shape;
  }

  const leavesPerPod = Math.floor(input.radix * hardwareFactor('superpod.podRadixShare'));
  for (let k = 0; k < spinesPerPod; k++) for (let j = 0; j < coresPerPlane; j++) b.addNode(`plane${k}.core${j}`, 'core', options);
  const leafDealer = new PortDealer(b, input);
  const coreDealer = new PortDealer(b, input);
  const spineDownlinks = new Map<string, number>();
  for (let p = 0; p < pods; p++) {
    const spineIds = Array.from({ length: spinesPerPod }, (_, k) => b.addNode(`pod${p}.spine${k}`, 'spine', options));
    for (let leaf = p * leavesPerPod; leaf < Math.min(leaves, (p + 1) * leavesPerPod); leaf++) {
      const su = Math.floor(leaf / rails);
      leafDealer.deal(`su${su}.leaf${leaf % rails}`, Math.max(serversInSu(sizing, su), spinesPerPod), spineIds, spineDownlinks);
    }
    spineIds.forEach((spine, k) => {
      const cores = Array.from({ length: coresPerPlane }, (_, j) => `plane${k}.core${j}`);
      coreDealer.deal(spine, Math.max(spineDownlinks.get(spine) ?? 0, coresPerPlane), cores);
    });
  }
  return shape;
}

/** One line describing the fabric's shape, for a preset's sources. */
export function describeRailFabric(shape: RailFabricShape, serversPerSu: number, radix: number): string {
  const head = `fabric: ${shape.sus} SU(s) of up to ${serversPerSu} servers, ${shape.leaves} rail leaves (su<u>.leaf<rail>), switches of ${radix} ports at the NIC rate; every switch has one uplink port per used downlink and at least one to every switch above (non-blocking), dealt round-robin over the tier above, parallel ports aggregated into one link`;
  if (shape.tiers === 2) return `${head}; two tiers: ${shape.spinesPerPod} spines (spine<k>)`;
  return `${head}; three tiers: ${shape.pods} pod(s) of up to ${Math.floor(radix * hardwareFactor('superpod.podRadixShare'))} leaves, ${shape.spinesPerPod} spines per pod (pod<p>.spine<k>), spine k of every pod on plane k of ${shape.coresPerPlane} super-spines (plane<k>.core<j>)`;
}

/**
 * Deals each lower switch's uplink ports round-robin over a list of upper switches,
 * continuing where the previous lower switch stopped, and adds one duplex link per pair
 * that got ports (bandwidth = ports × port rate).
 */
class PortDealer {
  private next = 0;
  constructor(
    private readonly b: TopologyBuilder,
    private readonly input: RailFabricInput,
  ) {}

  deal(lower: string, ports: number, uppers: readonly string[], tally?: Map<string, number>): void {
    const per = new Array<number>(uppers.length).fill(0);
    for (let i = 0; i < ports; i++) per[(this.next + i) % uppers.length]!++;
    this.next = (this.next + ports) % uppers.length;
    per.forEach((count, k) => {
      if (count === 0) return;
      this.b.addDuplex(lower, uppers[k]!, count * this.input.portBytesPerSec, this.input.switchLatencyNs);
      tally?.set(uppers[k]!, (tally.get(uppers[k]!) ?? 0) + count);
    });
  }
}

/** Smallest divisor of `n` that is at least `atLeast` (so every lower switch splits evenly), if any. */
function smallestDivisorAtLeast(n: number, atLeast: number): number | undefined {
  for (let d = Math.max(1, atLeast); d <= n; d++) if (n % d === 0) return d;
  return undefined;
}

function tooLarge(input: RailFabricSizing, leaves: number, what: string, radix: number): WeftInputError {
  return new WeftInputError(
    `${input.what}: ${input.servers} servers need ${leaves} rail leaves, more than ${what} of ${radix}-port switches can join non-blocking; use fewer nodes, tiers=0/3, or a larger switchCapacity`,
  );
}
