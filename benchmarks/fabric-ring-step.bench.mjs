#!/usr/bin/env node
// Ring-step microbenchmark of the fabric's network models (maxMin; ECMP and adaptive).
// Every host sends to its successor at once; when all are delivered the next round starts.
// Two size patterns: `uniform` (every host 8 MiB: all flows finish together) and
// `staggered` (host i sends 8 MiB × (1 + (i mod 8) / 8): eight finish times per round, so
// the solver re-solves after each and incrementality shows). Reports wall time (benny),
// transfer events per second, and the max-min solver's work: re-solves, variables touched,
// and the variables a solver re-solving everything each time would have touched.
//
// Usage (from the repo root, after building):
//   npx tsc -b packages/fabric/tsconfig.json
//   node benchmarks/fabric-ring-step.bench.mjs [--quick] [--out benchmarks/results/fabric.md]
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createNetwork, createRouter, parseTopologySpec } from '@weft/fabric';
import { machineLine, runBenny } from './benny-suite.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const outIndex = argv.indexOf('--out');
const outFile = outIndex >= 0 ? argv[outIndex + 1] : undefined;

const BYTES = 8 * 2 ** 20; // 8 MiB per transfer
const ROUNDS = 10;
const FABRICS = [
  { hosts: 256, spec: 'leafspine:hosts=256,leaves=16,spines=8' },
  { hosts: 1024, spec: 'leafspine:hosts=1024,leaves=32,spines=16' },
];
const ROUTINGS = ['ecmp', 'adaptive'];
const PATTERNS = {
  uniform: () => BYTES,
  staggered: (i) => BYTES * (1 + (i % 8) / 8),
};

/** One full ring-step run; returns the counters the report needs. */
function ringSteps(topology, router, routing, sizeOf) {
  const net = createNetwork(topology, { model: 'maxMin', routing, qps: 1, seed: 1 }, router);
  const hosts = topology.ranks;
  let events = 0;
  let nowNs = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < hosts.length; i++) {
      net.startTransfer({ srcNode: hosts[i], dstNode: hosts[(i + 1) % hosts.length], bytes: sizeOf(i), flowKey: round }, nowNs);
    }
    let delivered = 0;
    while (delivered < hosts.length) {
      const t = net.nextEventTimeNs();
      if (t === Infinity) throw new Error('ring step stalled');
      net.advanceTo(t);
      for (const event of net.takeEvents()) {
        events++;
        if (event.kind === 'delivered') delivered++;
      }
      nowNs = t;
    }
  }
  return { events, simNs: nowNs, work: net.workStats() };
}

const loadAtStart = loadavg()[0].toFixed(2);
const cases = [];
for (const fabric of quick ? FABRICS.slice(0, 1) : FABRICS) {
  const topology = parseTopologySpec(fabric.spec);
  const router = createRouter(topology);
  for (const [pattern, sizeOf] of Object.entries(PATTERNS)) {
    for (const routing of ROUTINGS) {
      const name = `${fabric.hosts} hosts ${routing} ${pattern}`;
      const probe = ringSteps(topology, router, routing, sizeOf); // also warms the router's caches
      cases.push({ name, fabric, routing, probe, run: () => ringSteps(topology, router, routing, sizeOf) });
    }
  }
}

const summary = await runBenny(`fabric ring-step (maxMin, ${ROUNDS} rounds)`, cases, quick);

const rows = cases.map((c) => {
  const result = summary.results.find((r) => r.name === c.name);
  const wallMs = result.details.mean * 1000;
  const solver = c.probe.work.solver;
  return [
    c.name,
    c.fabric.spec,
    wallMs.toFixed(1),
    `±${result.margin.toFixed(1)}%`,
    result.samples,
    c.probe.events,
    Math.round(c.probe.events / (wallMs / 1000)).toLocaleString('en-US'),
    (c.probe.simNs / 1e3).toFixed(1),
    solver.solves,
    solver.variablesTouched.toLocaleString('en-US'),
    solver.variablesLiveAtSolves.toLocaleString('en-US'),
    (solver.variablesTouched / solver.solves).toFixed(1),
    solver.ratesChanged.toLocaleString('en-US'),
    c.probe.work.flowRateChanges.toLocaleString('en-US'),
  ];
});
const header = ['case', 'topology', 'wall ms/run', 'margin', 'samples', 'transfer events', 'events/s', 'sim µs', 're-solves', 'variables touched', 'full re-solve would touch', 'touched/solve', 'var rate changes', 'flow rate changes'];
const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
const report = [
  '# fabric ring-step benchmark',
  '',
  machineLine(loadAtStart),
  `command: \`node benchmarks/fabric-ring-step.bench.mjs${quick ? ' --quick' : ''}${outFile ? ` --out ${outFile}` : ''}\` (after \`npx tsc -b packages/fabric/tsconfig.json\`)`,
  '',
  `Pattern: every host i sends to host (i+1) mod H at once; the next round starts when all are delivered; ${ROUNDS} rounds. uniform: ${BYTES / 2 ** 20} MiB each; staggered: ${BYTES / 2 ** 20} MiB × (1 + (i mod 8)/8). Model maxMin, qps 1, seed 1. Wall time is the mean of one whole run (network creation included, router caches warm). Transfer events = sent + delivered. "full re-solve would touch" sums the live variables at each solve: the work without incremental solving.`,
  '',
  table,
  '',
  'Reading the table:',
  '- Fabrics: 256 hosts = 16 leaves × 16 hosts, 8 spines; 1024 hosts = 32 leaves × 32 hosts, 16 spines; both non-blocking (oversubscription 1), preset default link rates and latencies.',
  '- uniform: every flow starts and ends at the same instants, so each round is two solves (all starts, all ends) and incremental solving saves nothing: touched = full.',
  '- staggered: eight end times per round. Ring flows inside a leaf share no link, and under ECMP a cross-leaf flow rarely shares one, so a finishing flow dirties links nobody else uses: the solver touches each variable once (when it starts) instead of at every solve — the gap between "variables touched" and "full re-solve would touch".',
  '- adaptive adds one variable per equal-cost path for the cross-leaf flows (8 or 16 spines), all linked through the spines into one component; it costs more per run than ECMP.',
  '- Wall times were taken on a machine shared with other jobs; the margin column is benny\'s relative margin of error.',
  '',
];
console.log(report.join('\n'));
if (outFile) writeFileSync(outFile, report.join('\n'));
