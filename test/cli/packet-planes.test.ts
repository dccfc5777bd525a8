/**
 * Multiplane leaf-spines (`leafspine:…,planes=P`): each NIC split into P ports, one per
 * independent plane, and how the NIC's load balancing across planes decides what one
 * connection gets under the packet model.
 */
import { describe, expect, it } from 'vitest';
import { expectUsageError, weft } from './run-weft.js';

const HOST_PAYLOAD_BYTES_PER_SEC = 400e9 / 8 * 0.98037;

describe('leafspine planes', () => {
  it('builds P separate leaf-spines with hostBw / P per host port', () => {
    const run = weft(['topo', 'leafspine:hosts=2,leaves=1,spines=1,planes=4', '--json']);
    expect(run.code).toBe(0);
    const topo = JSON.parse(run.stdout) as { linkCount: number; nodesByKind: Record<string, number>; bandwidthClasses: { bandwidthBytesPerSec: number; linkCount: number }[] };
    expect(topo.nodesByKind).toEqual({ host: 2, leaf: 4, spine: 4 });
    // Per plane: 2 hosts x 2 directions + leaf<->spine duplex (2 hosts' worth of uplink).
    expect(topo.linkCount).toBe(4 * (4 + 2));
    const hostPorts = topo.bandwidthClasses.find((c) => c.linkCount === 16)!;
    expect(hostPorts.bandwidthBytesPerSec).toBeCloseTo(HOST_PAYLOAD_BYTES_PER_SEC / 4, 0);
  });

  it('one connection gets one plane under ECMP and every plane under per-packet adaptive routing', () => {
    const busbw = (routing: string): number => {
      const run = weft(['bench', 'sendrecv', '--topology', 'leafspine:hosts=2,leaves=1,spines=1,planes=4', '--network', 'packet', '--routing', routing, '--mode', 'ghost', '-b', '16M', '-e', '16M', '--format', 'json']);
      expect(run.code).toBe(0);
      return JSON.parse(run.stdout).rows[0].busBwGBps as number;
    };
    const planeGBps = HOST_PAYLOAD_BYTES_PER_SEC / 4 / 1e9;
    expect(busbw('ecmp')).toBeLessThanOrEqual(planeGBps);
    expect(busbw('ecmp')).toBeGreaterThan(0.95 * planeGBps);
    expect(busbw('adaptive')).toBeGreaterThan(0.9 * 4 * planeGBps);
  });

  it('refuses more planes than a NIC has ports, in one line', () => {
    expectUsageError(weft(['topo', 'leafspine:hosts=2,leaves=1,spines=1,planes=9']), /^weft: leafspine: planes: 9 is more than 8, the most accepted/);
  });
});
