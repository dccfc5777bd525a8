/**
 * `weft bench --tenant`: two jobs on one packet fabric, each alone and then together (the
 * isolation table), traffic classes scheduled by `--sched`; bad tenant specs refused in one line.
 */
import { describe, expect, it } from 'vitest';
import { expectUsageError, weft } from './run-weft.js';

const FABRIC = ['--topology', 'leafspine:hosts=32,leaves=4,spines=4', '--network', 'packet'];

interface Row {
  job: string;
  trafficClass: number;
  alone: { busBwGBps: number | null; p99Us: number | null };
  shared: { busBwGBps: number | null; p99Us: number | null };
  isolation: number;
}

/** A 16 MB all-to-all on every rank (incast at every host port) beside a 4 KB request stream on every third rank. */
function isolation(requestClass: number, extra: readonly string[] = []): Row[] {
  const run = weft(['bench', 'alltoall', ...FABRIC, '-e', '16M', '--format', 'json', '--tenant', 'ranks=0-31', '--tenant', `job=requests,ranks=0-31/3,bytes=4K,every=10us,count=30,class=${requestClass}`, ...extra]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout).tenants;
}

describe('weft bench --tenant', () => {
  it('a strict-priority request class keeps its latency under a saturating all-to-all; in the bulk class it queues', () => {
    const [bulk, priority] = isolation(1);
    expect(bulk!.job).toBe('alltoall');
    expect(priority!).toMatchObject({ job: 'requests', trafficClass: 1 });
    // Class 1 waits at most for packets in serialization: within 10 % of its p99 alone.
    expect(priority!.isolation).toBeLessThan(1.1);
    const [, sameClass] = isolation(0);
    expect(sameClass!.isolation).toBeGreaterThan(1.5);
    // The bulk job is hardly slowed by 4 KB messages.
    expect(bulk!.isolation).toBeGreaterThan(0.95);
  });

  it('prints the isolation table with the class scheduler', () => {
    const run = weft(['bench', 'allreduce', ...FABRIC, '-e', '4M', '--sched', 'wrr:1,3', '--tenant', 'ranks=0-15', '--tenant', 'ranks=8-23,class=1']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('classes: wrr 1:3');
    expect(run.stdout).toMatch(/#\s+job\s+kind\s+ranks\s+class\s+bytes\s+alone\s+shared\s+shared\/alone/);
    // Ranks 8-15 carry both rings: there class 1 gets 3 of every 4 bytes, so its ring is the faster.
    const busbw = [...run.stdout.matchAll(/^ {3}\d\s+allreduce\s+\S+\s+(\d)\s+4194304\s+busbw [\d.]+ GB\/s\s+busbw ([\d.]+) GB\/s/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(busbw.map(([cls]) => cls)).toEqual([0, 1]);
    expect(busbw[1]![1]!).toBeGreaterThan(busbw[0]![1]! * 1.1);
  });

  it.each([
    [['--tenant', 'ranks=5'], /^weft: --tenant: 'ranks=5' needs ranks=A-B or ranks=A-B\/STRIDE/],
    [['--tenant', 'ranks=0-3,color=red'], /^weft: --tenant: 'ranks=0-3,color=red' is not accepted at 'color=red'; use key=value pairs with keys job, ranks/],
    [['--tenant', 'ranks=0-3,job=train'], /has job=train; use allreduce, alltoall, requests/],
    [['--tenant', 'ranks=0-3,class=2'], /has class=2, which is not accepted; use a whole number from 0 to 1/],
    [['--tenant', 'ranks=0-99'], /^weft: --tenant: ranks=0-99 goes past the last rank 31 of /],
    [['--tenant', 'ranks=0-3', '--sched', 'wrr:0,1'], /^weft: --sched: 'wrr:0,1' is not accepted; use strict or wrr:W0,W1/],
    // The jobs carry no payload and choose no algorithm: sweep flags would be ignored silently.
    [['--tenant', 'ranks=0-3', '--mode', 'data'], /^weft: --mode data: not with --tenant; its jobs are traffic schedules on the fabric with no payload or algorithm choice \(it reads --topology, /],
    [['--tenant', 'ranks=0-3', '--algo', 'ring'], /^weft: --algo: not with --tenant;/],
    [['--tenant', 'ranks=0-3', '--trace', 't.json'], /^weft: --trace: not with --tenant;/],
    [['--tenant', 'ranks=0-31,bytes=64G'], /^weft: --tenant: the jobs would move \d+ packets of 4096 B \(alone and shared\), more than the 67108864/],
  ])('refuses %j in one line', (flags, message) => {
    expectUsageError(weft(['bench', 'allreduce', ...FABRIC, ...flags]), message);
  });

  it('asks for a job when the bench collective has no tenant form', () => {
    expectUsageError(weft(['bench', 'broadcast', ...FABRIC, '--tenant', 'ranks=0-3']), /^weft: --tenant: the bench collective 'broadcast' has no tenant job; add job=allreduce/);
  });
});
