import { describe, expect, it } from 'vitest';
import { expectUsageError, weft } from './run-weft.js';

/**
 * What an nccl-tests user porting their habits found (benchmarks/results/hostile.md §24); the
 * environment variables have their own file (nccl-env.test.ts).
 */
function row(args: readonly string[]): { algorithm: string; protocol: string | null; timeUs: number } {
  const run = weft(['bench', ...args, '--mode', 'ghost', '--format', 'json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout).rows[0];
}

describe('nccl-tests habits', () => {
  it('sendrecv, gather and scatter pay NCCL p2p\'s launch and step latency, as all-to-all does (they took 0.60 µs for 1 KiB on one DGX H100)', () => {
    const h100 = ['--topology', 'dgx-h100:nodes=1', '-b', '1K', '-e', '1K'];
    // Ring/Simple's base latency 8.4 µs and one NVLink step 3.4 µs (NCCL's tuning.cc; tuning.cc has no p2p row).
    for (const collective of ['alltoall', 'sendrecv', 'gather', 'scatter']) {
      const r = row([collective, ...h100]);
      expect(r.protocol, collective).toBe('Simple');
      expect(r.timeUs, collective).toBeGreaterThan(8.4 + 3.4);
      expect(r.timeUs, collective).toBeLessThan(8.4 + 3.4 + 0.1);
    }
  });

  it('nccl-tests\' newer flags get their own line; -V after a command is nccl-tests\' (it printed weft\'s version and ran nothing, exit 0)', () => {
    const base = ['bench', 'allreduce', '--ranks', '4', '-b', '1M', '-e', '1M', '--mode', 'ghost'];
    expectUsageError(weft([...base, '-V', '4']), /^weft: -V\/--device_cta_count \(nccl-tests\): CTA counts are not modelled; channels are \(NCCL nChannels\): --channels N$/);
    expectUsageError(weft([...base, '-J', 'out.json']), /^weft: -J\/--output_file_json \(nccl-tests\): weft writes JSON with --out FILE\.json/);
    const defaults = weft([...base, '-S', '0', '-M', '0', '-x', '0', '-D', '0']);
    expect(defaults.code, defaults.stderr).toBe(0);
    expect(weft(['-V']).stdout).toMatch(/^weft \d/);
  });
});
