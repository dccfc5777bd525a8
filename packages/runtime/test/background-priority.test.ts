import { readdirSync, readlinkSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { parseTopologySpec } from '@weft/fabric';
import { createCluster } from '@weft/runtime';
import { network, plan } from './helpers.js';
import { BACKGROUND_NICE, bootThreads, lowerBackgroundThreads, threadStat } from '../dist/node/background-priority.js';

/** A worker thread started now, and its thread id (it stays alive until `stop`). */
async function laterThread(): Promise<{ tid: number; stop: () => Promise<number> }> {
  const worker = new Worker(`require('node:worker_threads').parentPort.postMessage(require('node:fs').readlinkSync('/proc/thread-self')); setInterval(() => {}, 1000);`, { eval: true });
  const path = await new Promise<string>((resolve) => worker.once('message', resolve));
  return { tid: Number(path.split('/').pop()), stop: () => worker.terminate() };
}

const niceOf = (tid: number) => threadStat(tid)?.nice;

// Runs in its own process (the runtime project isolates files): the first test sees the
// threads as the process started them.
describe.runIf(process.platform === 'linux')('background threads yield the cores to data-mode workers', () => {
  it('a cluster asked not to (lowerBackgroundThreads: false) leaves every thread as it is', async () => {
    const boot = bootThreads();
    expect(boot.length).toBeGreaterThanOrEqual(4);
    const topology = parseTopologySpec('switch:2');
    const cluster = await createCluster({ topology, network: network(), mode: 'data', ranksPerWorker: 1, lowerBackgroundThreads: false });
    try {
      const result = await cluster.runSchedule(plan('allReduce', 'ring', topology, 1024), { dtype: 'float32', op: 'sum' });
      expect(result.wrong).toBe(0);
      expect(boot.map(niceOf)).toEqual(boot.map(() => 0));
    } finally {
      await cluster.close();
    }
  });

  it('a data-mode cluster lowers the threads started with the process (V8 platform workers), not its own workers or the caller', async () => {
    const boot = bootThreads();
    // Node 20 starts 4 V8 platform threads and a few helpers with the process.
    expect(boot.length).toBeGreaterThanOrEqual(4);
    expect(boot.map(niceOf)).toEqual(boot.map(() => 0));
    const topology = parseTopologySpec('switch:2');
    const cluster = await createCluster({ topology, network: network(), mode: 'data', ranksPerWorker: 1 });
    try {
      expect(boot.map(niceOf)).toEqual(boot.map(() => BACKGROUND_NICE));
      const others = readdirSync('/proc/self/task').map(Number).filter((tid) => !boot.includes(tid));
      // The main thread, the cluster's two workers and whatever started after the process: untouched.
      expect(others.length).toBeGreaterThanOrEqual(3);
      expect(others.map(niceOf).filter((nice) => nice !== undefined)).toEqual(others.map(niceOf).filter((nice) => nice !== undefined).map(() => 0));
      const result = await cluster.runSchedule(plan('allReduce', 'ring', topology, 1024), { dtype: 'float32', op: 'sum' });
      expect(result.wrong).toBe(0);
    } finally {
      await cluster.close();
    }
  });

  it('picks the threads started with the process: not the main thread, not the caller, not a thread started later; once per process', async () => {
    const later = await laterThread();
    try {
      const self = Number(readlinkSync('/proc/thread-self').split('/').pop());
      const boot = bootThreads();
      expect(boot).not.toContain(process.pid);
      expect(boot).not.toContain(self);
      expect(boot).not.toContain(later.tid);
      const lowered = lowerBackgroundThreads();
      expect([...lowered].sort()).toEqual([...boot].sort());
      expect(niceOf(later.tid)).toBe(0);
      expect(lowerBackgroundThreads()).toBe(lowered);
    } finally {
      await later.stop();
    }
  });
});
