#!/usr/bin/env node
/**
 * weft's busbw (ghost mode, its defaults unless the published run forced NCCL_ALGO) beside
 * published NCCL busbw on the same hardware (benchmarks/nccl-anchors.mjs, each figure with its
 * source): all-reduce, and all-gather / reduce-scatter in runs of their own. Prints the markdown
 * tables of benchmarks/results/nccl-vs-weft.md and a summary: the geometric-mean |error| of
 * weft/NCCL per run, overall and at ≥ 1 GiB.
 *
 *   npx -y pnpm@10.34.8 build && node benchmarks/nccl-vs-weft.mjs [--only TOPOLOGY] [--collective NAME] [--skip-heavy] [--tuner auto|nccl|weft]
 *
 * --collective: only the runs of one collective (allreduce, allgather, reducescatter, alltoall).
 *
 * --tuner: the rule auto's runs pick (algorithm, protocol) by (`weft bench --tuner`): NCCL's
 * own tuning model (the default on GPU presets, `auto`) or weft's predictions. Runs that force NCCL_ALGO are unchanged.
 *
 * The heavy run (nvl72 racks=20, 1,440 GPUs) runs exactly (--fast-forward auto finds no recurrence
 * in an NVL72 ring: benchmarks/results/speed.md §30): expect hours of CPU; its recorded 2 GiB figure
 * was fast-forwarded by the old extrapolation (§29).
 *
 * None of the published figures is an input of weft (weft's inputs are the cited link rates
 * and NCCL's latencies in packages/fabric/src/presets/hardware.json and
 * packages/collectives/src/protocols.ts), so a ratio is a check, not a fit.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RUNS, SOURCES, geomeanError, publishedValue } from './nccl-anchors.mjs';

const CLI = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
const GIB = 2 ** 30;
const MIB = 2 ** 20;

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const skipHeavy = args.includes('--skip-heavy');
const tuner = args.includes('--tuner') ? args[args.indexOf('--tuner') + 1] : null;
const onlyCollective = args.includes('--collective') ? args[args.indexOf('--collective') + 1] : null;

/** The run's collective as `weft bench` names it; anchors without one are all-reduce's. */
const collectiveOf = (run) => run.collective ?? 'allreduce';

function bench(collective, topology, algo, [b, e, f]) {
  const flags = ['bench', collective, '--topology', topology, '--mode', 'ghost', '--format', 'json', '-b', b, '-e', e, '-f', f];
  if (algo !== 'auto') flags.push('--algo', algo);
  else if (tuner !== null) flags.push('--tuner', tuner);
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, [CLI, ...flags], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`weft ${flags.join(' ')} failed: ${run.stderr.trim()}`);
  return { rows: JSON.parse(run.stdout).rows, wallS: Number(process.hrtime.bigint() - started) / 1e9 };
}

const human = (bytes) => (bytes >= GIB ? `${bytes / GIB}G` : bytes >= MIB ? `${bytes / MIB}M` : bytes >= 1024 ? `${bytes / 1024}K` : String(bytes));
const gbs = (x) => (x >= 100 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const pct = (e) => (e === undefined ? '—' : `${(e * 100).toFixed(1)} %`);
const runName = (run) => `${collectiveOf(run) === 'allreduce' ? '' : `${collectiveOf(run)} `}${run.topology}, ${run.algo === 'auto' ? 'defaults (auto)' : `--algo ${run.algo}`}`;
const used = new Set();
/** Every compared point: run name, bytes, weft/NCCL. */
const points = [];

const out = [];
for (const run of RUNS) {
  if (only !== null && run.topology !== only) continue;
  if (skipHeavy && run.heavy) continue;
  if (onlyCollective !== null && collectiveOf(run) !== onlyCollective) continue;
  const rows = [];
  let wallS = 0;
  for (const sizes of [run.sizes, ...(run.extra ?? []).map(([b, e]) => [b, e, '2'])]) {
    const r = bench(collectiveOf(run), run.topology, run.algo, sizes);
    rows.push(...r.rows);
    wallS += r.wallS;
  }
  const command = `weft bench ${collectiveOf(run)} --topology ${run.topology}${run.algo === 'auto' ? (tuner !== null ? ` --tuner ${tuner}` : '') : ` --algo ${run.algo}`} --mode ghost -b ${run.sizes[0]} -e ${run.sizes[1]} -f ${run.sizes[2]}`;
  out.push(`### ${runName(run)}`, '', `\`${command}\`${run.extra ? ` (and -b ${run.extra[0][0]} -e ${run.extra[0][1]})` : ''}; wall ${wallS.toFixed(0)} s`, '');
  out.push('| size (B) | weft ran | time (us) | weft busbw (GB/s) | NCCL busbw (GB/s) | weft / NCCL | source |', '|---:|---|---:|---:|---:|---:|---|');
  for (const row of rows) {
    const pub = run.published?.[row.bytes];
    let nccl = '—';
    let ratio = '';
    let source = '';
    if (pub) {
      const [value, key] = pub;
      const [lo, hi] = Array.isArray(value) ? value : [value, value];
      nccl = lo === hi ? gbs(lo) : `${lo}–${hi}`;
      ratio = lo === hi ? (row.busBwGBps / lo).toFixed(2) : `${(row.busBwGBps / hi).toFixed(2)}–${(row.busBwGBps / lo).toFixed(2)}`;
      source = key;
      used.add(key);
      points.push({ run: runName(run), collective: collectiveOf(run), bytes: row.bytes, ratio: row.busBwGBps / publishedValue(value) });
    }
    const ran = `${row.algorithm.replace(/^auto\((.*)\)$/, '$1')}/${row.protocol}`;
    out.push(`| ${human(row.bytes)} | ${ran} | ${row.timeUs >= 100 ? row.timeUs.toFixed(0) : row.timeUs.toFixed(2)} | ${gbs(row.busBwGBps)} | ${nccl} | ${ratio} | ${source} |`);
  }
  out.push('');
}

const ratiosOf = (list) => list.map((p) => p.ratio);
const summary = ['### Summary: geometric-mean |error| of weft / NCCL', '', '| run | points | all sizes | < 1 MiB | 1 MiB – < 1 GiB | ≥ 1 GiB |', '|---|---:|---:|---:|---:|---:|'];
const bands = (list) => [
  geomeanError(ratiosOf(list)),
  geomeanError(ratiosOf(list.filter((p) => p.bytes < MIB))),
  geomeanError(ratiosOf(list.filter((p) => p.bytes >= MIB && p.bytes < GIB))),
  geomeanError(ratiosOf(list.filter((p) => p.bytes >= GIB))),
];
for (const name of [...new Set(points.map((p) => p.run))]) {
  const list = points.filter((p) => p.run === name);
  summary.push(`| ${name} | ${list.length} | ${bands(list).map(pct).join(' | ')} |`);
}
// Each collective's points together (all-reduce's are the figure earlier sections of
// nccl-vs-weft.md report as "every point"), then all of them.
for (const collective of [...new Set(points.map((p) => p.collective))]) {
  const list = points.filter((p) => p.collective === collective);
  summary.push(`| every ${collective} point | ${list.length} | ${bands(list).map(pct).join(' | ')} |`);
}
summary.push(`| **every point** | ${points.length} | ${bands(points).map((e) => `**${pct(e)}**`).join(' | ')} |`);
summary.push('', 'Error of one point: |ln(weft / NCCL)| (a published range counts at its geometric midpoint); a row\'s figure is exp(mean of them) − 1.', '');
out.push(...summary, 'Sources:', '', ...[...used].map((k) => `- ${k}: ${SOURCES[k]}`));
process.stdout.write(out.join('\n') + '\n');
