#!/usr/bin/env node
// The packet network model (issue #11): (1) effective all-reduce bandwidth on a 64-host
// non-blocking leaf-spine under ECMP with qps 1/2/4/8, per-packet adaptive routing and
// oblivious spraying, against maxMin and the public claims; (2) the packet model's speed:
// events/s and wall time of a 64 MiB ring all-reduce on 64 hosts, and larger rings.
// Usage: node benchmarks/packet.mjs [--quick] [--out benchmarks/results/packet.md]   (after `pnpm build`)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { createNetwork, createRouter, parseTopologySpec, TopologyBuilder } from '@weft/fabric';

const root = fileURLToPath(new URL('..', import.meta.url));
const weftMain = join(root, 'packages/cli/dist/main.js');
const quick = process.argv.includes('--quick');
const outIndex = process.argv.indexOf('--out');
const out = outIndex > 0 ? process.argv[outIndex + 1] : undefined;

const topology = 'leafspine:hosts=64,leaves=8,spines=8';
const size = quick ? '4M' : '16M';
const hostPayloadGBps = 400 / 8 * 0.98037; // leafspine host port: 400 Gb/s x RoCE efficiency (presets/hardware.json)

function bench(args) {
  const run = spawnSync(process.execPath, [weftMain, 'bench', 'allreduce', '--topology', topology, '--mode', 'ghost', '-b', size, '-e', size, '--format', 'json', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`weft ${args.join(' ')}: ${run.stderr}`);
  const row = JSON.parse(run.stdout).rows[0];
  return { busBwGBps: row.busBwGBps, wallMs: row.wallMs };
}

const routings = [
  ['maxMin, ecmp qps 1 (fluid reference)', ['--network', 'maxMin', '--routing', 'ecmp', '--qps', '1']],
  ['maxMin, adaptive (fluid reference)', ['--network', 'maxMin', '--routing', 'adaptive']],
  ['packet, ecmp qps 1', ['--network', 'packet', '--routing', 'ecmp', '--qps', '1']],
  ['packet, ecmp qps 2', ['--network', 'packet', '--routing', 'ecmp', '--qps', '2']],
  ['packet, ecmp qps 4', ['--network', 'packet', '--routing', 'ecmp', '--qps', '4']],
  ['packet, ecmp qps 8', ['--network', 'packet', '--routing', 'ecmp', '--qps', '8']],
  ['packet, adaptive (per packet, ooo)', ['--network', 'packet', '--routing', 'adaptive']],
  ['packet, spray (ooo)', ['--network', 'packet', '--routing', 'spray']],
];
// The textbook ring (rank order, one channel, α-β hops): this table compares routing. NCCL's
// `ring` on 64 one-GPU servers pays NCCL's NET step latency (14 µs Simple, 4 µs LL128) on each of
// its 126 steps, which at 16 MiB hides what routing does (every row within 1 % of the others).
const algos = ['ring-rankorder', 'rhd'];
const lines = [];
const log = (line) => {
  lines.push(line);
  console.log(line);
};

log('# Packet network model: routing on a leaf-spine, and speed');
log('');
log(`Machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores (shared with other jobs), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.`);
log(`Command: \`node benchmarks/packet.mjs${quick ? ' --quick' : ''}\` (after \`pnpm build\`).`);
log('');
log(`## Effective all-reduce bandwidth, ${topology} (non-blocking), ${size}B, ghost mode`);
log('');
log(`busbw in GB/s, and as a fraction of the host port's payload rate (${hostPayloadGBps.toFixed(2)} GB/s). Each row is \`weft bench allreduce --topology ${topology} -b ${size} -e ${size} --algo ALGO ...flags\`. \`ring-rankorder\` is the textbook ring: NCCL's \`ring\` on 64 one-GPU servers pays NCCL's NET step latency on each of its 126 steps, which at 16 MiB hides what routing does.`);
log('');
log(`| network, routing | ${algos.map((a) => `${a} busbw (GB/s) | ${a} % of port`).join(' | ')} | wall (s) |`);
log(`|---|${algos.map(() => '---:|---:').join('|')}|---:|`);
for (const [label, flags] of routings) {
  const cells = [];
  let wallMs = 0;
  for (const algo of algos) {
    const r = bench(['--algo', algo, ...flags]);
    cells.push(r.busBwGBps.toFixed(2), `${((100 * r.busBwGBps) / hostPayloadGBps).toFixed(1)} %`);
    wallMs += r.wallMs;
  }
  log(`| ${label} | ${cells.join(' | ')} | ${(wallMs / 1000).toFixed(1)} |`);
}

// ---- congestion: a 2-to-1 incast and a victim flow, driven on the network directly ----------

/** Hosts a0..a2 on leaf0, b0..b1 on leaf1, one spine; hosts 50 GB/s, leaf-spine 100 GB/s, 500 ns per link. */
function victimFabric() {
  const b = new TopologyBuilder();
  b.addNode('s', 'spine');
  for (const leaf of ['leaf0', 'leaf1']) {
    b.addNode(leaf, 'leaf');
    b.addDuplex(leaf, 's', 100e9, 500);
  }
  for (const [host, leaf] of [['a0', 'leaf0'], ['a1', 'leaf0'], ['a2', 'leaf0'], ['b0', 'leaf1'], ['b1', 'leaf1']]) {
    b.addNode(host, 'host');
    b.addDuplex(host, leaf, 50e9, 500);
  }
  return b.build('victim', ['a0', 'a1', 'a2', 'b0', 'b1']);
}

function congestion(model, cc) {
  const topo = victimFabric();
  const net = createNetwork(topo, { model, routing: 'ecmp', qps: 1, seed: 1, packet: { cc } }, createRouter(topo));
  const flows = [['a0', 'b0', 32e6], ['a1', 'b0', 32e6], ['a2', 'b1', 16e6]];
  flows.forEach(([srcNode, dstNode, bytes], flowKey) => net.startTransfer({ srcNode, dstNode, bytes, flowKey }, 0));
  const done = [];
  for (let t = net.nextEventTimeNs(); t !== Infinity; t = net.nextEventTimeNs()) {
    net.advanceTo(t);
    for (const e of net.takeEvents()) if (e.kind === 'delivered') done[e.transferId] = e.timeNs;
  }
  if (model !== 'packet') return { done };
  const stats = net.packetStats();
  const queue = net.portStats().find((p) => p.linkId === 'leaf1->b0').peakQueueBytes;
  return { done, stats, queue };
}

log('');
log('## Congestion: a 2-to-1 incast beside a victim flow');
log('');
log('a0 and a1 send 32 MB each to b0 (incast on leaf1->b0); a2 sends 16 MB to b1, whose port is idle. Hosts 50 GB/s, leaf-spine 100 GB/s, 500 ns per link, one spine. Max-min gives the incast 25 GB/s each and the victim its full 50 GB/s. Times in us; latency is one-way per packet.');
log('');
log('| model, cc | incast done (us) | victim done (us) | peak queue leaf1->b0 (B) | ECN marks | PFC pauses | drops | packet p50 / p99 (us) |');
log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const [model, cc] of [['maxMin', undefined], ['packet', 'none'], ['packet', 'dcqcn'], ['packet', 'telemetry']]) {
  const r = congestion(model, cc);
  const us = (ns) => (ns / 1000).toFixed(1);
  const tail = r.stats ? `${r.queue} | ${r.stats.ecnMarks} | ${r.stats.pauses} | ${r.stats.drops} | ${us(r.stats.latencyP50Ns)} / ${us(r.stats.latencyP99Ns)}` : '- | - | - | - | -';
  log(`| ${model}${cc ? `, ${cc}` : ''} | ${us(Math.max(r.done[0], r.done[1]))} | ${us(r.done[2])} | ${tail} |`);
}

// ---- receivers: out-of-order placement vs go-back-N under spraying -----------------------

function permutation(delivery, routing) {
  const topo = parseTopologySpec('leafspine:hosts=8,leaves=2,spines=4');
  const net = createNetwork(topo, { model: 'packet', routing, qps: 1, seed: 1, packet: { delivery } }, createRouter(topo));
  for (let h = 0; h < 4; h++) net.startTransfer({ srcNode: topo.ranks[h], dstNode: topo.ranks[h + 4], bytes: 4e6, flowKey: h }, 0);
  let lastNs = 0;
  for (let t = net.nextEventTimeNs(); t !== Infinity; t = net.nextEventTimeNs()) {
    net.advanceTo(t);
    for (const e of net.takeEvents()) lastNs = Math.max(lastNs, e.timeNs);
  }
  return { lastNs, stats: net.packetStats() };
}

log('');
log('## Receivers under per-packet routing: out-of-order placement vs go-back-N');
log('');
log('leafspine:hosts=8,leaves=2,spines=4 (non-blocking); each host on leaf 0 sends 4 MB to its peer on leaf 1. Line rate alone: 4 MB / 49.02 GB/s = 81.6 us.');
log('');
log('| routing, delivery | last delivery (us) | packets sent | out-of-order discards | retransmitted |');
log('|---|---:|---:|---:|---:|');
for (const [routing, delivery] of [['ecmp', 'ooo'], ['spray', 'ooo'], ['adaptive', 'ooo'], ['spray', 'inorder'], ['adaptive', 'inorder']]) {
  const r = permutation(delivery, routing);
  log(`| ${routing}, ${delivery} | ${(r.lastNs / 1000).toFixed(1)} | ${r.stats.packetsSent} | ${r.stats.outOfOrderDiscards} | ${r.stats.retransmittedPackets} |`);
}

// ---- speed: a ring all-reduce driven directly on the network ------------------------------

/** 2(n-1) steps; in each, every host sends bytes/n to the next host and the step ends when all have arrived. */
function ringAllReduce(hosts, bytes, cellBytes) {
  const topo = parseTopologySpec(`leafspine:hosts=${hosts},leaves=${hosts / 8},spines=8`);
  const net = createNetwork(topo, { model: 'packet', routing: 'ecmp', qps: 1, seed: 1, record: 'summary', packet: { cellBytes } }, createRouter(topo));
  const chunk = bytes / hosts;
  const start = performance.now();
  for (let step = 0; step < 2 * (hosts - 1); step++) {
    const now = net.nowNs;
    for (let r = 0; r < hosts; r++) net.startTransfer({ srcNode: topo.ranks[r], dstNode: topo.ranks[(r + 1) % hosts], bytes: chunk, flowKey: 0 }, now);
    let delivered = 0;
    while (delivered < hosts) {
      net.advanceTo(net.nextEventTimeNs());
      for (const e of net.takeEvents()) if (e.kind === 'delivered') delivered++;
    }
  }
  const wallS = (performance.now() - start) / 1000;
  const stats = net.packetStats();
  const busBwGBps = (2 * (hosts - 1) / hosts) * bytes / net.nowNs;
  return { hosts, cellBytes, wallS, events: stats.events, eventsPerSec: stats.events / wallS, packets: stats.packetsSent, simUs: net.nowNs / 1000, busBwGBps };
}

log('');
log('## Speed: ring all-reduce of 64 MiB, driven on the packet network directly (no workers)');
log('');
log('Ring in rank order on leafspine:hosts=N,leaves=N/8,spines=8 (ECMP, qps 1, PFC on, no CC); every step waits for all its transfers. Events are the packet model\'s (serialization ends, arrivals, pauses, ...).');
log('');
log('| hosts | cell (B) | events | packets | events/s | wall (s) | simulated (us) | busbw (GB/s) |');
log('|---:|---:|---:|---:|---:|---:|---:|---:|');
const speedCases = quick ? [[16, 4096]] : [[64, 4096], [64, 65536], [128, 4096], [256, 4096], [256, 65536], [512, 65536]];
for (const [hosts, cell] of speedCases) {
  const r = ringAllReduce(hosts, 64 * 2 ** 20, cell);
  log(`| ${r.hosts} | ${r.cellBytes} | ${r.events} | ${r.packets} | ${Math.round(r.eventsPerSec)} | ${r.wallS.toFixed(2)} | ${r.simUs.toFixed(1)} | ${r.busBwGBps.toFixed(2)} |`);
}
// Hand-written notes below this marker in an existing result file are kept.
const NOTES = '<!-- notes: hand-written, kept by reruns -->';
if (out) {
  const previous = existsSync(out) ? readFileSync(out, 'utf8') : '';
  const notes = previous.includes(NOTES) ? previous.slice(previous.indexOf(NOTES)) : '';
  writeFileSync(out, lines.join('\n') + '\n' + (notes ? `\n${notes}` : ''));
}
