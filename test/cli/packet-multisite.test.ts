/**
 * The spectrumx-multisite preset end to end: long-haul links of km x 5 us/km joining two
 * leaf-spine sites, and what their buffer depth does to a lossless (PFC) all-reduce across
 * them under the packet model.
 */
import { describe, expect, it } from 'vitest';
import { expectUsageError, weft } from './run-weft.js';

interface LinkRow {
  linkId: string;
  queue: { pauses: number; drops: number };
}

function rhdAcrossSites(spec: string, flags: readonly string[] = []): { busBwGBps: number; links: LinkRow[] } {
  const run = weft(['bench', 'allreduce', ...flags, '--topology', spec, '--network', 'packet', '--mode', 'ghost', '--algo', 'rhd', '-b', '16M', '-e', '16M', '--links', '40', '--format', 'json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout).rows[0];
}

describe('spectrumx-multisite', () => {
  it('joins the sites with a long-haul link of km x 5 us/km plus a switch hop, and cites the fibre delay', () => {
    const run = weft(['topo', 'spectrumx-multisite:sites=2,km=10', '--json']);
    expect(run.code).toBe(0);
    const topo = JSON.parse(run.stdout) as { rankCount: number; sources: string[] };
    expect(topo.rankCount).toBe(32);
    expect(topo.sources).toContain(
      'long haul: 10 km x 5000 ns/km + one switch hop = 50300 ns one way; bandwidth = hostsPerSite x hostBw x efficiency / haulOversubscription; buffer the packet model port buffer',
    );
    expect(topo.sources.some((line) => line.startsWith('fibre.delayPerKm = 5us: '))).toBe(true);
  });

  it('a shallow long-haul buffer pauses the haul under PFC at 10 km; a deeper buffer, or no PFC across the haul, does not', () => {
    // Haul 196 GB/s (4:1), 50.3 us one way: PFC headroom 2 x 196 GB/s x 50.3 us = 19.7 MB.
    const shallow = rhdAcrossSites('spectrumx-multisite:km=10,haulOversubscription=4');
    const deep = rhdAcrossSites('spectrumx-multisite:km=10,haulOversubscription=4,haulBuffer=60');
    const haulPauses = (r: { links: LinkRow[] }) => r.links.find((l) => l.linkId === 's0.border->s1.border')?.queue.pauses ?? 0;
    expect(haulPauses(shallow)).toBeGreaterThan(0);
    expect(haulPauses(deep)).toBe(0);
    expect(deep.busBwGBps).toBeGreaterThan(1.4 * shallow.busBwGBps);
    // --pfc local: no pauses across the haul that cannot be lossless; it drops and the sender resends instead.
    const local = rhdAcrossSites('spectrumx-multisite:km=10,haulOversubscription=4', ['--pfc', 'local']);
    expect(haulPauses(local)).toBe(0);
    expect(local.links.reduce((sum, l) => sum + l.queue.drops, 0)).toBeGreaterThan(0);
    expect(local.busBwGBps).toBeGreaterThan(1.4 * shallow.busBwGBps);
  });

  it.each([
    ['spectrumx-multisite:sites=1', /sites/],
    ['spectrumx-multisite:km=-1', /km/],
    ['spectrumx-multisite:hostsPerSite=2,leaves=4', /^weft: spectrumx-multisite: leaves=4 is more than hostsPerSite=2/],
  ])('refuses %s in one line', (spec, message) => {
    expectUsageError(weft(['topo', spec]), message);
  });
});
