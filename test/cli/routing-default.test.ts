import { describe, expect, it } from 'vitest';
import { weft } from './run-weft.js';

// `--routing auto` (the default) runs the topology's own routing: adaptive on Spectrum-X and
// NVIDIA InfiniBand presets (hardware.json fabric.spectrumxAdaptiveRouting,
// fabric.infinibandAdaptiveRouting), ECMP on the generic fabrics.
interface Report {
  routing: string;
  rows: { algorithm: string; timeUs: number }[];
}

function bench(args: readonly string[]): { report: Report; stderr: string } {
  const run = weft(['bench', 'allreduce', '--mode', 'ghost', '--format', 'json', ...args]);
  expect(run.code, run.stderr).toBe(0);
  return { report: JSON.parse(run.stdout) as Report, stderr: run.stderr };
}

describe('weft bench: the default routing is the fabric\'s own', () => {
  it.each([
    ['dgx-h100:nodes=2', 'adaptive'],
    ['dgx-h100:nodes=2,fabric=ib-ndr', 'adaptive'],
    ['hgx-a100:nodes=2', 'adaptive'],
    ['leafspine:hosts=8,leaves=2,spines=2', 'ecmp'],
    ['switch:8', 'ecmp'],
  ])('%s: auto runs %s', (topology, routing) => {
    expect(bench(['--topology', topology, '-b', '1M', '-e', '1M']).report.routing).toBe(routing);
  });

  it('direct across two DGX H100 servers: the default is adaptive routing\'s answer, not ECMP\'s (its cross-rail flows collide on spines under ECMP)', () => {
    const sized = ['--topology', 'dgx-h100:nodes=2', '--algo', 'direct', '-b', '16M', '-e', '16M'];
    const auto = bench(sized).report.rows[0]!.timeUs;
    const adaptive = bench([...sized, '--routing', 'adaptive']);
    const ecmp = bench([...sized, '--routing', 'ecmp']);
    expect(adaptive.report.routing).toBe('adaptive');
    expect(ecmp.report.routing).toBe('ecmp');
    expect(auto).toBe(adaptive.report.rows[0]!.timeUs);
    // ECMP pins each connection to one spine path; some share one, so it is slower.
    expect(ecmp.report.rows[0]!.timeUs).toBeGreaterThan(auto * 1.1);
  });

  it('the table header names the routing that ran', () => {
    const run = weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=2', '--mode', 'ghost', '-b', '1M', '-e', '1M']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^# {2}topology: dgx-h100:nodes=2 \(16 ranks\) {2}model: maxMin {2}routing: adaptive {2}qps: 1/m);
  });

  it('--qps under adaptive routing says once, on stderr, that it changes nothing; under ECMP it says nothing', () => {
    const sized = ['--topology', 'dgx-h100:nodes=2', '-b', '1M', '-e', '1M', '--qps', '4'];
    expect(bench(sized).stderr).toBe(
      'weft bench: --qps 4 changes nothing under adaptive routing (every flow already spreads over every equal-cost path) on dgx-h100:nodes=2; --routing ecmp hashes each queue pair onto its own path\n',
    );
    expect(bench([...sized, '--routing', 'ecmp']).stderr).toBe('');
  });

  it('--tenant runs and reports the resolved routing', () => {
    const run = weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=2', '-e', '1M', '--format', 'json', '--tenant', 'ranks=0-15']);
    expect(run.code, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { routing: string }).routing).toBe('adaptive');
  });

  it('weft train prints the routing that ran', () => {
    const run = weft(['train', '--topology', 'dgx-h100:nodes=2', '--mode', 'predict', '--steps', '1']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/over maxMin\/adaptive;/);
  });

  it('an unknown routing names what is accepted', () => {
    const run = weft(['bench', 'allreduce', '--ranks', '4', '--routing', 'fastest']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("weft: --routing: 'fastest' is not accepted; use auto, ecmp, adaptive or spray\n");
  });
});
