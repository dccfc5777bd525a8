// The energy and confidential-computing table of benchmarks/results/energy.md, from the built CLI:
//   node benchmarks/energy.mjs --out benchmarks/results/energy.md
// Every figure is `weft bench allreduce --mode ghost --energy [--confidential] --format json`
// (simulated time, deterministic): joules per operation and busbw per watt, from the cited
// per-bit link and switch energy and GPU idle power in packages/fabric/src/presets/hardware.json.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
const TOPOLOGIES = ['dgx-h100:nodes=1', 'dgx-h100:nodes=2', 'dgx-h100:nodes=16', 'nvl72'];
const SIZES = ['1M', '64M', '1G'];

function run(topology, size, confidential) {
  const args = ['bench', 'allreduce', '--topology', topology, '--mode', 'ghost', '-b', size, '-e', size, '--energy', ...(confidential ? ['--confidential'] : []), '--format', 'json'];
  const report = JSON.parse(execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 }));
  return { report, row: report.rows[0], command: `weft ${args.slice(0, -2).join(' ')}` };
}

const lines = [];
const notes = new Map();
/** [topology, size] → { plain, cc } runs, for the findings below. */
const runs = new Map();
for (const topology of TOPOLOGIES) {
  for (const size of SIZES) {
    const plain = run(topology, size, false);
    const cc = run(topology, size, true);
    const cell = (r) => `${r.row.algorithm} ${r.row.protocol ?? ''}`.trim();
    lines.push(
      `| ${topology} | ${size} | ${cell(plain)} | ${plain.row.busBwGBps.toFixed(2)} | ${plain.row.energy.joules.toExponential(3)} | ${plain.row.energy.busBwGBpsPerW.toFixed(4)} | ${cell(cc)} | ${cc.row.busBwGBps.toFixed(2)} | ${cc.row.energy.joules.toExponential(3)} | ${cc.row.energy.busBwGBpsPerW.toFixed(4)} |`,
    );
    runs.set(`${topology} ${size}`, { plain: plain.row, cc: cc.row });
    const e = plain.report.energy;
    notes.set(topology, { missing: e.missing, assumptions: e.assumptions, sources: e.sources, split: plain.row.energy });
    process.stderr.write(`${topology} ${size} done\n`);
  }
}

const out = [
  '# Energy per all-reduce, with and without confidential computing',
  '',
  `Regenerate: \`pnpm run build && node benchmarks/energy.mjs --out benchmarks/results/energy.md\` (machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; ghost mode, simulated time, so the figures do not depend on the machine).`,
  'Each cell is one run of `weft bench allreduce --topology T --mode ghost -b S -e S --energy [--confidential]` (auto algorithm and protocol, maxMin network).',
  '',
  '| topology | size | algorithm | busbw (GB/s) | J / op | busbw GB/s per W | CC: algorithm | CC: busbw (GB/s) | CC: J / op | CC: busbw GB/s per W |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...lines,
  '',
  '## What the estimate counts',
  '',
  '- Links: every byte each directed link carried (the `--links` counters) × the per-bit energy of its class: NVLink 1.3 pJ/bit (NVIDIA, NVLink4; assumed for NVLink5), PCIe 6.5 pJ/bit (NVLink is "5× more efficient than PCIe Gen5"), NIC port 19.375 pJ/bit (400G OSFP 8 W + half of an 800G twin-port OSFP 15 W, each ÷ 2 × rate), switch port 18.75 pJ/bit (two twin-port modules).',
  '- Switches: every byte entering an NVSwitch × 27.78 pJ/bit (first-generation NVSwitch, 100 W ÷ 3.6 Tb/s: an upper-bound estimate for later generations), a leaf/spine × 9.77 pJ/bit (Spectrum-4, 500 W ÷ 51.2 Tb/s).',
  '- GPUs: idle power × participating GPUs × simulated time (H100/H200 80.3 W, a measured H200 figure; no cited Blackwell figure, so nvl72 rows leave the GPU term out and are not comparable with the DGX rows).',
  '- Confidential computing: GPU↔NIC links ÷ 12.69 (the lower bound of the measured 12.69–33.53× CPU↔GPU cost on H100 TEEs: no GPUDirect RDMA, AES-GCM bounce buffers in system memory); NVLink unchanged (Hopper protected-PCIe mode trusts NVLink; Blackwell encrypts NVLink inline at nearly full throughput).',
  '',
  '## Findings',
  '',
  ...findings(),
  '',
  '## Per topology',
  '',
  ...[...notes].flatMap(([topology, n]) => [
    `- ${topology}: sources ${n.sources.join(', ')}; at 1 GiB without CC links ${n.split.linksJ.toExponential(3)} J, switches ${n.split.switchesJ.toExponential(3)} J, GPUs ${n.split.gpusJ.toExponential(3)} J${n.missing.length ? `; missing: ${n.missing.join('; ')}` : ''}${n.assumptions.length ? `; assumes: ${n.assumptions.join('; ')}` : ''}`,
  ]),
  '',
];
const text = out.join('\n');

/** What the table says, computed from its runs. */
function findings() {
  const at = (topology, size) => runs.get(`${topology} ${size}`);
  const share = (row, part) => `${((100 * row.energy[part]) / row.energy.joules).toFixed(0)} %`;
  const big2 = at('dgx-h100:nodes=2', '1G');
  const big16 = at('dgx-h100:nodes=16', '1G');
  const capGBps = (8 * 64e9 * 0.75) / 12.69 / 1e9;
  return [
    `- Without CC, at 1 GiB on dgx-h100:nodes=2 the GPUs' idle power is ${share(big2.plain, 'gpusJ')} of the energy, switching ${share(big2.plain, 'switchesJ')} (mostly the NVSwitch upper-bound estimate) and the links ${share(big2.plain, 'linksJ')}: the estimate is dominated by how long the GPUs wait, so a faster algorithm is also the cheaper one.`,
    `- With CC, every inter-node byte crosses the GPU↔NIC path at 48 GB/s ÷ 12.69 = ${(capGBps / 8).toFixed(2)} GB/s per NIC: ring busbw is capped at 8 NICs × that = ${capGBps.toFixed(2)} GB/s (${big16.cc.busBwGBps.toFixed(2)} on 16 nodes at 1 GiB, against ${big16.plain.busBwGBps.toFixed(2)} without CC), and the op costs ${(big16.cc.energy.joules / big16.plain.energy.joules).toFixed(1)}× the joules, nearly all of it GPUs waiting.`,
    '- NVLink-only runs (dgx-h100:nodes=1, nvl72) are identical with and without CC, as the sources say NVLink is (Hopper protected-PCIe mode: plain text over NVLink; Blackwell: inline NVLink encryption at nearly full throughput).',
  ];
}
const at = process.argv.indexOf('--out');
if (at > 0) writeFileSync(process.argv[at + 1], text);
else process.stdout.write(text);
