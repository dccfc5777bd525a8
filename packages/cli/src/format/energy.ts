/**
 * How --energy shows in the table and CSV: two columns (J per operation, busbw GB/s per W)
 * and footer lines naming the per-bit figures, their sources (hardware.json ids) and
 * anything without a cited figure.
 */
import type { BenchReport, BenchRow } from '../bench/report.js';
import type { Column } from './table.js';

export const ENERGY_COLUMNS: readonly Column[] = [
  { title: 'energy', unit: '(J)', width: 11, cell: (r) => (r.energy ? r.energy.joules.toExponential(3) : '-') },
  { title: 'busbw/W', unit: '(GB/s/W)', width: 10, cell: (r) => (r.energy ? r.energy.busBwGBpsPerW.toFixed(4) : '-') },
];

/** CSV columns and their cells, appended after the row fields with --energy. */
export const ENERGY_CSV: readonly (readonly [string, (row: BenchRow) => number | string])[] = [
  ['energyJ', (r) => r.energy?.joules ?? ''],
  ['linksJ', (r) => r.energy?.linksJ ?? ''],
  ['switchesJ', (r) => r.energy?.switchesJ ?? ''],
  ['gpusJ', (r) => r.energy?.gpusJ ?? ''],
  ['busBwGBpsPerW', (r) => r.energy?.busBwGBpsPerW ?? ''],
];

export function formatEnergyFooter(report: BenchReport): string[] {
  const e = report.energy;
  if (e === undefined) return [];
  const classes = Object.entries(e.pjPerBit).map(([cls, pj]) => `${cls} ${pj}`);
  const switches = [e.nvswitchPjPerBit !== null ? `NVSwitch ${e.nvswitchPjPerBit}` : '', e.fabricSwitchPjPerBit !== null ? `fabric ${e.fabricSwitchPjPerBit}` : ''].filter((t) => t !== '');
  const gpu = e.gpuIdleW === null ? 'GPU idle power: none cited' : `GPU idle ${e.gpuIdleW} W × ${e.gpus} GPUs × time`;
  return [
    `# Energy per op        : bytes on links (${classes.join(', ')} pJ/bit) + bytes switched (${switches.join(', ') || 'no switches'} pJ/bit) + ${gpu}`,
    `# Energy sources       : ${e.sources.join(', ')} (hardware.json ids; --format json lists each figure with its note and URLs)`,
    ...e.assumptions.map((a) => `# Energy assumes       : ${a}`),
    ...e.missing.map((m) => `# Energy missing       : ${m}`),
  ];
}
