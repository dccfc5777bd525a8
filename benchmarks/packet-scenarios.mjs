#!/usr/bin/env node
// The packet model's second slice (issue #11): (1) the isolation table for two tenants on one
// leaf-spine, by traffic class and class scheduler; (2) an all-reduce across two sites at 0, 1,
// 10 and 100 km, standard vs distance-aware congestion control and shallow vs deep long-haul
// buffers; (3) planes vs one fabric for the same 64 hosts.
// Usage: node benchmarks/packet-scenarios.mjs [--out benchmarks/results/packet.md]   (after `pnpm build`)
// With --out the tables replace the block between the scenario markers of that file.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const weftMain = join(root, 'packages/cli/dist/main.js');
const outIndex = process.argv.indexOf('--out');
const out = outIndex > 0 ? process.argv[outIndex + 1] : undefined;

function weft(args) {
  const started = performance.now();
  const run = spawnSync(process.execPath, [weftMain, ...args, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`weft ${args.join(' ')}: ${run.stderr}`);
  return { ...JSON.parse(run.stdout), wallS: (performance.now() - started) / 1000 };
}

const lines = [];
const log = (line = '') => {
  lines.push(line);
  console.log(line);
};
const f2 = (x) => x.toFixed(2);

log('## Tenants: the isolation table');
log('');
log(`Machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores (shared), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}. Command: \`node benchmarks/packet-scenarios.mjs --out benchmarks/results/packet.md\`.`);
log('');
const tenantFabric = ['--topology', 'leafspine:hosts=32,leaves=4,spines=4', '--network', 'packet'];
log(`Each row is \`weft bench ${tenantFabric.join(' ')} --tenant A --tenant B [--sched S]\`: each job alone on the fabric, then both together (shared/alone: busbw ratio for collectives, p99 ratio for requests). Requests: every third rank sends 4 KB to the next one in its set every 10 us, 30 times.`);
log('');
log('| bulk job (class 0) | second job | sched | bulk busbw alone → shared (GB/s) | second job alone → shared | second job shared/alone |');
log('|---|---|---|---:|---:|---:|');
const requests = (cls) => `job=requests,ranks=0-31/3,bytes=4K,every=10us,count=30,class=${cls}`;
const tenantCases = [
  ['alltoall', 'ranks=0-31', requests(0), 'strict'],
  ['alltoall', 'ranks=0-31', requests(1), 'strict'],
  ['alltoall', 'ranks=0-31', requests(1), 'wrr:4,1'],
  ['allreduce', 'ranks=0-15', 'job=alltoall,ranks=8-23,bytes=16M,class=0', 'strict'],
  ['allreduce', 'ranks=0-15', 'job=alltoall,ranks=8-23,bytes=16M,class=1', 'strict'],
  ['allreduce', 'ranks=0-15', 'job=alltoall,ranks=8-23,bytes=16M,class=1', 'wrr:1,1'],
];
for (const [collective, bulk, second, sched] of tenantCases) {
  const r = weft(['bench', collective, ...tenantFabric, '-e', '16M', '--tenant', bulk, '--tenant', second, '--sched', sched]);
  const [a, b] = r.tenants;
  const other = (o) => (o.busBwGBps !== null ? `${f2(o.busBwGBps)} GB/s` : `p50 ${f2(o.p50Us)} / p99 ${f2(o.p99Us)} us`);
  log(`| ${collective} 16 MB, ${a.rankText} | ${b.job} ${b.rankText}, class ${b.trafficClass} | ${sched} | ${f2(a.alone.busBwGBps)} → ${f2(a.shared.busBwGBps)} | ${other(b.alone)} → ${other(b.shared)} | ${b.isolation.toFixed(2)} |`);
}

log('');
log('## Multi-site: an all-reduce across two sites at 0, 1, 10 and 100 km');
log('');
const haulGBps = (16 * 400 * 0.98037) / 8 / 4;
log(`\`spectrumx-multisite:km=K,haulOversubscription=4\`: two sites of 16 hosts (2 leaves, 2 spines), one long-haul link of ${f2(haulGBps)} GB/s each way (a quarter of a site's host bandwidth), K x 5 us + 300 ns one way. rhd all-reduce of 16 MB (its cross-site steps put 16 flows on the haul; NCCL's ring in the last column crosses it with two), ghost mode, busbw in GB/s. Columns: congestion control and PFC scope. "standard": DCQCN (timers fixed for one data centre) with PFC on every link, lossless RoCE as one site runs it. "pfc local" (distance-aware PFC): no pauses across a link whose buffer cannot hold its PFC headroom (2 x bandwidth x one-way delay): the shallow long haul drops and the sender resends instead. "telemetry": weft's telemetry model, its reaction paced by each flow's own base RTT, long haul included (NVIDIA's distance-aware algorithm is not public). Shallow: the long-haul port has the model's 2.5 MiB port buffer; deep: haulBuffer = the headroom rounded up plus 3 MB.`);
log('');
const siteCases = [
  ['standard (dcqcn, pfc on)', ['--cc', 'dcqcn', '--pfc', 'on'], ''],
  ['dcqcn, pfc local', ['--cc', 'dcqcn', '--pfc', 'local'], ''],
  ['telemetry, pfc on', ['--cc', 'telemetry', '--pfc', 'on'], ''],
  ['telemetry, pfc local', ['--cc', 'telemetry', '--pfc', 'local'], ''],
  ['none, pfc on', ['--cc', 'none', '--pfc', 'on'], ''],
  ['dcqcn, pfc on, deep buffer', ['--cc', 'dcqcn', '--pfc', 'on'], 'deep'],
];
log(`| km | one way (us) | deep buffer (MB) | ${siteCases.map(([label]) => label).join(' | ')} | ring, dcqcn, pfc on |`);
log(`|---:|---:|---:|${siteCases.map(() => '---:').join('|')}|---:|`);
for (const km of [0, 1, 10, 100]) {
  const oneWayUs = km * 5 + 0.3;
  const deepMB = Math.ceil((2 * haulGBps * 1e9 * oneWayUs * 1e-6) / 1e6) + 3;
  const run = (flags, buffer, algo) =>
    weft(['bench', 'allreduce', '--topology', `spectrumx-multisite:km=${km},haulOversubscription=4${buffer === 'deep' ? `,haulBuffer=${deepMB}` : ''}`, '--network', 'packet', ...flags, '--mode', 'ghost', '--algo', algo, '-b', '16M', '-e', '16M']).rows[0].busBwGBps;
  const cells = siteCases.map(([, flags, buffer]) => f2(run(flags, buffer, 'rhd')));
  log(`| ${km} | ${oneWayUs.toFixed(1)} | ${deepMB} | ${cells.join(' | ')} | ${f2(run(['--cc', 'dcqcn'], '', 'ring'))} |`);
}

log('');
log('## Planes vs one fabric, 64 hosts');
log('');
log('The same 64 hosts of 400 Gb/s: one leaf-spine, or the NIC split into planes of 400/P Gb/s, each plane its own leaf-spine (leaves=1: a flat plane, one switch). 16 MB all-reduce, busbw in GB/s, ghost mode; ECMP hashes each connection onto one plane, adaptive routing picks per packet.');
log('');
const planeTopologies = [
  ['1 plane, 8 leaves x 8 spines', 'leafspine:hosts=64,leaves=8,spines=8'],
  ['2 planes, 4 leaves x 4 spines each', 'leafspine:hosts=64,leaves=4,spines=4,planes=2'],
  ['4 planes, 2 leaves x 2 spines each', 'leafspine:hosts=64,leaves=2,spines=2,planes=4'],
  ['4 flat planes, 1 switch each', 'leafspine:hosts=64,leaves=1,spines=1,planes=4'],
];
const planeRoutings = [['ecmp qps 1', ['--routing', 'ecmp', '--qps', '1']], ['ecmp qps 4', ['--routing', 'ecmp', '--qps', '4']], ['adaptive', ['--routing', 'adaptive']]];
log(`| fabric | ${planeRoutings.map(([label]) => `ring, ${label} | rhd, ${label}`).join(' | ')} |`);
log(`|---|${planeRoutings.map(() => '---:|---:').join('|')}|`);
for (const [label, topology] of planeTopologies) {
  const cells = [];
  for (const [, flags] of planeRoutings) {
    const r = weft(['bench', 'allreduce', '--topology', topology, '--network', 'packet', ...flags, '--mode', 'ghost', '--algo', 'ring,rhd', '-b', '16M', '-e', '16M']);
    cells.push(...r.rows.map((row) => f2(row.busBwGBps)));
  }
  log(`| ${label} (\`${topology}\`) | ${cells.join(' | ')} |`);
}

const BEGIN = '<!-- scenarios: begin (benchmarks/packet-scenarios.mjs) -->';
const END = '<!-- scenarios: end -->';
if (out) {
  const previous = existsSync(out) ? readFileSync(out, 'utf8') : '';
  const block = `${BEGIN}\n${lines.join('\n')}\n${END}`;
  const at = previous.indexOf(BEGIN);
  const next = at >= 0 ? previous.slice(0, at) + block + previous.slice(previous.indexOf(END) + END.length) : `${previous.trimEnd()}\n\n${block}\n`;
  writeFileSync(out, next);
}
