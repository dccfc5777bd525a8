/**
 * `--energy` and `--confidential` for weft bench: the topology a run uses (CC mode applied
 * by the fabric's confidentialTopology) and each row's energy from the run's per-link byte
 * counters (the fabric's energy.ts does the physics; this file turns it into report fields).
 */
import { WeftInputError } from '@weft/sim';
import { confidentialTopology, hardwareCitations, hardwareSourceIds, operationEnergy, type EnergyModel, type LinkBytes, type Topology } from '@weft/fabric';
import { loadTopology } from '../topology.js';
import type { BenchFlags } from './config.js';

/** One row's energy: joules of one operation, by part, and busbw per watt drawn. */
export interface EnergyRow {
  readonly joules: number;
  readonly linksJ: number;
  readonly switchesJ: number;
  readonly gpusJ: number;
  /** busbw / (joules / time): GB/s per W. */
  readonly busBwGBpsPerW: number;
}

/** The figures behind a report's energy columns (the fabric's model), with their sources. */
export interface EnergyReport extends Omit<EnergyModel, 'keys'> {
  /** hardware.json source ids of every figure used. */
  readonly sources: readonly string[];
  /** Each figure used: "key = value: note Sources: title, section <url>". */
  readonly citations: readonly string[];
}

/** The topology a bench run uses: the spec's, in CC mode with --confidential. */
export function benchTopology(flags: Pick<BenchFlags, 'topologySpec' | 'confidential'>): Topology {
  const topology = loadTopology(flags.topologySpec);
  return flags.confidential ? confidentialTopology(topology) : topology;
}

/** --energy and --confidential against the other flags: one line for a combination that cannot work. */
export function checkEnergyFlags(flags: BenchFlags): void {
  if (!flags.energy) return;
  if (flags.tenant !== undefined) throw new WeftInputError('--energy: not with --tenant; the isolation table has no energy columns (run each job alone with --energy)');
  if (flags.compare !== undefined) throw new WeftInputError('--energy: not with --compare; run each value with --energy');
}

/** The energy of one row's operation: `runs` operations' link bytes (warm-up included), one operation's time. */
export function energyRow(model: EnergyModel, topology: Topology, links: readonly LinkBytes[], runs: number, timeNs: number, busBwGBps: number): EnergyRow {
  const e = operationEnergy(model, topology, links, runs, timeNs);
  const watts = timeNs > 0 ? e.totalJ / (timeNs * 1e-9) : 0;
  return { joules: e.totalJ, linksJ: e.linksJ, switchesJ: e.switchesJ, gpusJ: e.gpusJ, busBwGBpsPerW: watts > 0 ? busBwGBps / watts : 0 };
}

export function energyReport(model: EnergyModel): EnergyReport {
  const { keys, ...figures } = model;
  return { ...figures, sources: hardwareSourceIds(keys), citations: hardwareCitations(keys) };
}
