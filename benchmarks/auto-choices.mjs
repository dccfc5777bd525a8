// auto's (algorithm, protocol) per size on DGX H100, beside the candidate that simulated
// fastest (ghost mode: --explain simulates every candidate). Prints the markdown table of
// benchmarks/results/auto-choices.md:
//   node benchmarks/auto-choices.mjs
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
const TOPOLOGIES = process.argv.length > 2 ? process.argv.slice(2) : ['dgx-h100:nodes=1', 'dgx-h100:nodes=2'];
const ARGS = ['--algo', 'auto', '--mode', 'ghost', '-b', '8', '-e', '1G', '-f', '4', '--explain', '--exact-limit', String(Number.MAX_SAFE_INTEGER), '--format', 'json'];  // every candidate simulated, however long

const us = (x) => (x < 100 ? x.toFixed(1) : x.toFixed(0));
const human = (bytes) => (bytes >= 2 ** 30 ? `${bytes / 2 ** 30}G` : bytes >= 2 ** 20 ? `${bytes / 2 ** 20}M` : bytes >= 2 ** 10 ? `${bytes / 2 ** 10}K` : String(bytes));
const range = (a, b, f = (x) => x) => (a === b ? f(a) : `${f(a)} – ${f(b)}`);

const lines = ['| topology | size (B) | auto ran | time (us) | predicted (us) | fastest simulated candidate |', '|---|---:|---|---:|---:|---|'];
let runs = 0;
let fastestRuns = 0;
for (const topology of TOPOLOGIES) {
  const { rows } = JSON.parse(execFileSync(process.execPath, [CLI, 'bench', 'allreduce', '--topology', topology, ...ARGS], { encoding: 'utf8', maxBuffer: 1 << 26 }));
  const groups = [];
  for (const row of rows) {
    const ran = `${row.algorithm.replace(/^auto\((.*)\)$/, '$1')}/${row.protocol}`;
    const simulated = row.candidates.filter((c) => c.simulatedUs !== null);
    const best = simulated.reduce((a, c) => (c.simulatedUs < a.simulatedUs ? c : a));
    const bestName = `${best.algorithm}/${best.protocol}`;
    runs += 1;
    if (bestName === ran) fastestRuns += 1;
    const fastest = bestName === ran ? ran : `${bestName} (${us(best.simulatedUs)})`;
    const last = groups.at(-1);
    if (last && last.ran === ran && last.fastest === fastest && bestName === ran) last.rows.push(row);
    else groups.push({ ran, fastest, rows: [row] });
  }
  for (const g of groups) {
    const first = g.rows[0];
    const end = g.rows.at(-1);
    lines.push(
      `| ${topology} | ${range(first.bytes, end.bytes, human)} | ${g.ran} | ${range(first.timeUs, end.timeUs, us)} | ${range(first.predictedUs, end.predictedUs, us)} | ${g.fastest} |`,
    );
  }
}
lines.push('', `auto ran the fastest simulated candidate at ${fastestRuns} of ${runs} sizes.`);
process.stdout.write(lines.join('\n') + '\n');
