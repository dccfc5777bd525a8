/**
 * `weft train --network packet`: training's all-reduces over the packet model (switch queues,
 * ECN, PFC), as `weft bench --network packet` runs collectives. Ghost mode, a few steps.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectUsageError, weft } from './cli/run-weft.js';

const tmp = mkdtempSync(join(tmpdir(), 'weft-train-network-'));
let outputs = 0;

function stepNs(args: readonly string[]): { totalNs: number; commBusyNs: number; stdout: string } {
  const out = join(tmp, `run-${++outputs}.json`);
  const run = weft(['train', '--mode', 'ghost', '--ranks', '4', '--global-batch', '16', '--steps', '2', '--out', out, ...args], { timeoutMs: 60_000 });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const report = JSON.parse(readFileSync(out, 'utf8')) as { stepTime: { totalNs: number; commBusyNs: number } };
  return { ...report.stepTime, stdout: run.stdout };
}

describe('weft train --network packet', () => {
  it('runs the all-reduces over the packet model, deterministically, and says so in the header', () => {
    const packet = stepNs(['--network', 'packet']);
    expect(packet.stdout).toMatch(/over packet\/ecmp/);
    expect(packet.commBusyNs).toBeGreaterThan(0);
    expect(stepNs(['--network', 'packet']).totalNs).toBe(packet.totalNs);
    // Packets serialize whole MTUs at every hop: a flow is never faster than the fluid
    // model's. One channel, so each link carries one flow at a time (with several, the
    // packet queues and max-min share a link's bandwidth among them differently).
    const oneFlow = ['--algo', 'ring', '--channels', '1'];
    expect(stepNs(['--network', 'packet', ...oneFlow]).commBusyNs).toBeGreaterThanOrEqual(stepNs(['--network', 'maxMin', ...oneFlow]).commBusyNs * (1 - 1e-9));
  });

  it('takes --routing spray and --cc under the packet model', () => {
    expect(stepNs(['--network', 'packet', '--routing', 'spray', '--cc', 'dcqcn']).stdout).toMatch(/over packet\/spray/);
  });

  it('refuses spray without the packet model, and an unknown --cc, in one line', () => {
    expectUsageError(weft(['train', '--mode', 'ghost', '--ranks', '4', '--routing', 'spray']), /spray.*packet/);
    expectUsageError(weft(['train', '--mode', 'ghost', '--ranks', '4', '--network', 'packet', '--cc', 'bogus']), /^weft: --cc: 'bogus' is not accepted; use one of none, dcqcn, telemetry$/);
  });
});
