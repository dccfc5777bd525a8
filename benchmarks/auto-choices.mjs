// auto's (algorithm, protocol) per size under weft's rule (--tuner weft: weft's predictions)
// and under NCCL's rule (NCCL's own tuning model, the default on GPU presets; packages/collectives/src/
// nccl-tuner.ts), beside the candidate that simulated fastest (ghost mode: --explain simulates
// every candidate and marks NCCL's pick). Prints the markdown table of
// benchmarks/results/auto-choices.md:
//   node benchmarks/auto-choices.mjs [--exact-limit N] [TOPOLOGY …]
// --exact-limit: candidates whose runs post more transfers are not simulated (default: all are).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
const argv = process.argv.slice(2);
const limitAt = argv.indexOf('--exact-limit');
const exactLimit = limitAt >= 0 ? argv.splice(limitAt, 2)[1] : String(Number.MAX_SAFE_INTEGER);
const TOPOLOGIES = argv.length > 0 ? argv : ['dgx-h100:nodes=1', 'dgx-h100:nodes=2'];
// Runs under weft's rule; NCCL's pick is read from the candidates (ncclChoice) of the same run.
const ARGS = ['--algo', 'auto', '--tuner', 'weft', '--mode', 'ghost', '-b', '8', '-e', '1G', '-f', '4', '--explain', '--exact-limit', exactLimit, '--format', 'json'];

const us = (x) => (x === null || x === undefined ? '—' : x < 100 ? x.toFixed(1) : x.toFixed(0));
const human = (bytes) => (bytes >= 2 ** 30 ? `${bytes / 2 ** 30}G` : bytes >= 2 ** 20 ? `${bytes / 2 ** 20}M` : bytes >= 2 ** 10 ? `${bytes / 2 ** 10}K` : String(bytes));
const range = (a, b, f = (x) => x) => (a === b ? f(a) : `${f(a)} – ${f(b)}`);
const nameOf = (c) => `${c.algorithm}/${c.protocol}`;

const lines = [
  '| topology | size (B) | weft rule ran | time (us) | NCCL rule ran | time (us) | fastest simulated candidate |',
  '|---|---:|---|---:|---|---:|---|',
];
const tally = { runs: 0, weftFastest: 0, ncclFastest: 0, agree: 0, logRatio: 0, ratioRuns: 0 };
for (const topology of TOPOLOGIES) {
  const { rows } = JSON.parse(execFileSync(process.execPath, [CLI, 'bench', 'allreduce', '--topology', topology, ...ARGS], { encoding: 'utf8', maxBuffer: 1 << 26 }));
  const groups = [];
  for (const row of rows) {
    const ran = `${row.algorithm.replace(/^auto\((.*)\)$/, '$1')}/${row.protocol}`;
    const simulated = row.candidates.filter((c) => c.simulatedUs !== null);
    const best = simulated.reduce((a, c) => (c.simulatedUs < a.simulatedUs ? c : a));
    const nccl = row.candidates.find((c) => c.ncclChoice);
    const ncclName = nccl ? nameOf(nccl) : '—';
    tally.runs += 1;
    if (nameOf(best) === ran) tally.weftFastest += 1;
    if (nccl && nameOf(best) === ncclName) tally.ncclFastest += 1;
    if (ncclName === ran) tally.agree += 1;
    if (nccl && nccl.simulatedUs !== null) {
      tally.logRatio += Math.log(nccl.simulatedUs / row.timeUs);
      tally.ratioRuns += 1;
    }
    const fastest = nameOf(best) === ran ? 'weft rule' : nameOf(best) === ncclName ? 'NCCL rule' : `${nameOf(best)} (${us(best.simulatedUs)})`;
    const last = groups.at(-1);
    if (last && last.ran === ran && last.nccl === ncclName && last.fastest === fastest) last.rows.push({ row, nccl });
    else groups.push({ ran, nccl: ncclName, fastest, rows: [{ row, nccl }] });
  }
  for (const g of groups) {
    const first = g.rows[0];
    const end = g.rows.at(-1);
    const ncclTimes = g.nccl === g.ran ? 'same' : range(first.nccl?.simulatedUs ?? null, end.nccl?.simulatedUs ?? null, us);
    lines.push(
      `| ${topology} | ${range(first.row.bytes, end.row.bytes, human)} | ${g.ran} | ${range(first.row.timeUs, end.row.timeUs, us)} | ${g.nccl === g.ran ? 'same' : g.nccl} | ${ncclTimes} | ${g.fastest} |`,
    );
  }
}
const geomean = tally.ratioRuns > 0 ? Math.exp(tally.logRatio / tally.ratioRuns) : Number.NaN;
lines.push(
  '',
  `${tally.runs} sizes: the rules agree at ${tally.agree}; weft's rule ran the fastest simulated candidate at ${tally.weftFastest}, NCCL's rule's pick is it at ${tally.ncclFastest}; ` +
    `NCCL's pick / weft's pick, simulated, geometric mean over ${tally.ratioRuns} sizes: ${geomean.toFixed(3)}.`,
);
process.stdout.write(lines.join('\n') + '\n');
