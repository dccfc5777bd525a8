#!/usr/bin/env node
// Rate-churn microbenchmark of the fluid network (maxMin, ECMP): the per-transfer and
// per-rate-change work that dominates NCCL tree runs at 1,000+ GPUs once re-solves are small
// (starting a transfer, re-solving, applying hundreds of changed rates, the completion queue).
// Closed loop on a leaf-spine oversubscribed 4:1: every host keeps one transfer in flight to a
// host in another leaf; when one is delivered its source starts the next (sizes cycle through
// 13 values, so completions are spread out and each re-solve changes the rates of the flows
// that share the freed uplinks). Reports wall time (benny), transfers and rate changes per
// second, and the solver's work. Results are deterministic: the run's final simulated time
// and counters are printed so two builds can be checked for the same simulation.
//
// Usage (from the repo root, after building): node benchmarks/fabric-churn.bench.mjs [--quick] [--out FILE]
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createNetwork, createRouter, parseTopologySpec } from '@weft/fabric';
import { machineLine, runBenny } from './benny-suite.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const outIndex = argv.indexOf('--out');
const outFile = outIndex >= 0 ? argv[outIndex + 1] : undefined;

const TRANSFERS_PER_HOST = quick ? 8 : 24;
const FABRICS = [
  { spec: 'leafspine:hosts=256,leaves=16,spines=2,oversubscription=4', hostsPerLeaf: 16 },
  { spec: 'leafspine:hosts=1024,leaves=32,spines=4,oversubscription=4', hostsPerLeaf: 32 },
];

/** Bytes of host i's k-th transfer: 1–4 MiB in 13 steps, a different phase per host. */
function bytesOf(host, k) {
  return 2 ** 20 * (1 + ((host * 7 + k * 5) % 13) / 4);
}

/** One closed-loop run; returns the counters the report needs. */
function churn(topology, router, hostsPerLeaf) {
  const net = createNetwork(topology, { model: 'maxMin', routing: 'ecmp', qps: 1, seed: 1, record: 'summary' }, router);
  const hosts = topology.ranks;
  const peerOf = (i) => hosts[(i + hostsPerLeaf + (i % 3)) % hosts.length];
  const sentBy = new Array(hosts.length).fill(0);
  const sourceOf = new Map();
  const start = (i, nowNs) => {
    const id = net.startTransfer({ srcNode: hosts[i], dstNode: peerOf(i), bytes: bytesOf(i, sentBy[i]), flowKey: sentBy[i] % 4 }, nowNs);
    sentBy[i]++;
    sourceOf.set(id, i);
  };
  for (let i = 0; i < hosts.length; i++) start(i, 0);
  let delivered = 0;
  let nowNs = 0;
  const total = hosts.length * TRANSFERS_PER_HOST;
  while (delivered < total) {
    const t = net.nextEventTimeNs();
    if (t === Infinity) throw new Error('churn stalled');
    net.advanceTo(t);
    nowNs = t;
    for (const event of net.takeEvents()) {
      if (event.kind !== 'delivered') continue;
      delivered++;
      const i = sourceOf.get(event.transferId);
      sourceOf.delete(event.transferId);
      if (sentBy[i] < TRANSFERS_PER_HOST) start(i, t);
    }
  }
  return { transfers: total, simNs: nowNs, work: net.workStats() };
}

const loadAtStart = loadavg()[0].toFixed(2);
const cases = [];
for (const fabric of quick ? FABRICS.slice(0, 1) : FABRICS) {
  const topology = parseTopologySpec(fabric.spec);
  const router = createRouter(topology);
  const probe = churn(topology, router, fabric.hostsPerLeaf); // also warms the router's caches
  cases.push({ name: fabric.spec, fabric, probe, run: () => churn(topology, router, fabric.hostsPerLeaf) });
}

const summary = await runBenny(`fabric rate churn (maxMin, ECMP, ${TRANSFERS_PER_HOST} transfers per host)`, cases, quick);

const rows = cases.map((c) => {
  const result = summary.results.find((r) => r.name === c.name);
  const wallMs = result.details.mean * 1000;
  const { solver, flowRateChanges } = c.probe.work;
  return [
    c.name,
    wallMs.toFixed(1),
    `±${result.margin.toFixed(1)}%`,
    result.samples,
    c.probe.transfers,
    Math.round(c.probe.transfers / (wallMs / 1000)).toLocaleString('en-US'),
    flowRateChanges.toLocaleString('en-US'),
    Math.round(flowRateChanges / (wallMs / 1000)).toLocaleString('en-US'),
    solver.solves,
    (solver.variablesTouched / solver.solves).toFixed(1),
    (c.probe.simNs / 1e3).toFixed(3),
  ];
});
const header = ['topology', 'wall ms/run', 'margin', 'samples', 'transfers', 'transfers/s', 'rate changes', 'rate changes/s', 're-solves', 'variables/re-solve', 'simulated µs'];
const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
const report = [
  '# fabric rate-churn benchmark',
  '',
  machineLine(loadAtStart),
  `command: \`node benchmarks/fabric-churn.bench.mjs${quick ? ' --quick' : ''}${outFile ? ` --out ${outFile}` : ''}\``,
  '',
  `Closed loop: every host keeps one transfer in flight to a host one leaf over (+ i mod 3), ${TRANSFERS_PER_HOST} transfers each of 1–4 MiB; maxMin, ECMP, qps 1, seed 1, record summary. Wall time is the mean of one whole run (network creation included).`,
  '',
  table,
  '',
];
console.log(report.join('\n'));
if (outFile) writeFileSync(outFile, report.join('\n'));
