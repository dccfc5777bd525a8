#!/usr/bin/env node
/**
 * Predicted against simulated time for every (algorithm, protocol) candidate `auto` weighs, on
 * the presets a user compares with a real cluster: `weft bench allreduce --explain` at each
 * size, ghost mode, defaults (channels and chunk auto). Prints one markdown table per preset
 * (sim / pred per candidate, the chosen one marked) and the rows off by more than 10 %.
 *
 *   npx -y pnpm@10.34.8 build && node benchmarks/predictor-error-presets.mjs [--presets A;B] [--sizes 1M,8M] [--json FILE]
 *   node benchmarks/predictor-error-presets.mjs --compare BEFORE.json AFTER.json
 *
 * --compare prints, from two --json files, each candidate whose prediction or simulation
 * moved or that is off by more than 10 % (before → after), each preset's geomean |error|,
 * and per size whether auto's choice is the fastest simulated candidate.
 *
 * Presets are separated by ';' (a spec holds commas). One process per preset and size, so a
 * slow size does not hold the others; WEFT_CAP_S (default 600) caps each one's wall time.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
const DEFAULT_PRESETS = {
  'dgx-h100:nodes=2': ['1M', '4M', '8M', '16M', '64M', '256M'],
  'dgx-h100:nodes=4': ['1M', '4M', '16M', '64M', '256M'],
  'dgx-h100:nodes=16': ['1M', '8M', '64M'],
  'hgx-a100:nodes=2': ['1M', '8M', '64M', '256M'],
  nvl72: ['1M', '8M', '64M', '512M'],
};

const fmt = (us) => (us >= 100 ? us.toFixed(1) : us.toFixed(2));
const args = process.argv.slice(2);
if (args[0] === '--compare') {
  compare(JSON.parse(readFileSync(args[1], 'utf8')), JSON.parse(readFileSync(args[2], 'utf8')));
  process.exit(0);
}
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const presets = option('--presets', null)?.split(';') ?? Object.keys(DEFAULT_PRESETS);
const sizesFor = (preset) => option('--sizes', null)?.split(',') ?? DEFAULT_PRESETS[preset] ?? ['1M', '64M'];
const capS = Number(process.env.WEFT_CAP_S ?? 600);

function explain(preset, size) {
  const run = spawnSync(process.execPath, [CLI, 'bench', 'allreduce', '--topology', preset, '--mode', 'ghost', '-b', size, '-e', size, '--explain', '--exact-limit', String(Number.MAX_SAFE_INTEGER), '--format', 'json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    timeout: capS * 1000,
  });
  if (run.status !== 0) return { error: run.error ? `over ${capS} s` : run.stderr.trim().split('\n')[0] };
  return JSON.parse(run.stdout).rows[0];
}

const results = [];
const out = [];
for (const preset of presets) {
  out.push(`### ${preset}`, '', '| size | algorithm | protocol | predicted (µs) | simulated (µs) | sim / pred |', '|---:|---|---|---:|---:|---:|');
  for (const size of sizesFor(preset)) {
    const row = explain(preset, size);
    if (row.error) {
      out.push(`| ${size} | — | — | — | — | ${row.error} |`);
      continue;
    }
    for (const c of row.candidates ?? []) {
      if (!(c.predictedUs > 0) || !(c.simulatedUs > 0)) continue;
      const ratio = c.simulatedUs / c.predictedUs;
      results.push({ preset, size, ...c, ratio });
      const mark = Math.abs(Math.log(ratio)) > Math.log(1.1) ? ' **' : '';
      out.push(`| ${size} | ${c.algorithm}${c.chosen ? ' (auto)' : ''} | ${c.protocol} | ${fmt(c.predictedUs)} | ${fmt(c.simulatedUs)} | ${ratio.toFixed(3)}${mark} |`);
    }
  }
  const mine = results.filter((r) => r.preset === preset);
  const geo = Math.exp(mine.reduce((s, r) => s + Math.abs(Math.log(r.ratio)), 0) / Math.max(1, mine.length));
  out.push('', `Geomean |error| ${((geo - 1) * 100).toFixed(1)} % over ${mine.length} candidates; off by more than 10 %: ${mine.filter((r) => Math.abs(Math.log(r.ratio)) > Math.log(1.1)).length}.`, '');
}
console.log(out.join('\n'));
const json = option('--json', null);
if (json !== null) writeFileSync(json, JSON.stringify(results, null, 1));

function compare(before, after) {
  const key = (r) => `${r.preset}|${r.size}|${r.algorithm}|${r.protocol}`;
  const was = new Map(before.map((r) => [key(r), r]));
  const off = (r) => r !== undefined && Math.abs(Math.log(r.ratio)) > Math.log(1.1);
  const lines = ['| preset | size | candidate | predicted (µs) | simulated (µs) | sim / pred |', '|---|---:|---|---:|---:|---:|'];
  for (const r of after) {
    const b = was.get(key(r));
    const moved = b === undefined || Math.abs(b.predictedUs - r.predictedUs) > 1e-6 || Math.abs(b.simulatedUs - r.simulatedUs) > 1e-6;
    if (!moved && !off(r)) continue;
    const arrow = (x, y, f) => (x === undefined || Math.abs(x - y) < 1e-6 ? f(y) : `${f(x)} → ${f(y)}`);
    lines.push(`| ${r.preset} | ${r.size} | ${r.algorithm}/${r.protocol} | ${arrow(b?.predictedUs, r.predictedUs, fmt)} | ${arrow(b?.simulatedUs, r.simulatedUs, fmt)} | ${arrow(b?.ratio, r.ratio, (x) => x.toFixed(3))} |`);
  }
  lines.push('', '| preset | geomean \\|error\\| before → after | off by > 10 % before → after |', '|---|---:|---:|');
  const geo = (rows) => (Math.exp(rows.reduce((s, r) => s + Math.abs(Math.log(r.ratio)), 0) / Math.max(1, rows.length)) - 1) * 100;
  for (const preset of [...new Set(after.map((r) => r.preset))]) {
    const a = after.filter((r) => r.preset === preset);
    const b = before.filter((r) => r.preset === preset);
    lines.push(`| ${preset} | ${geo(b).toFixed(1)} % → ${geo(a).toFixed(1)} % | ${b.filter(off).length} → ${a.filter(off).length} |`);
  }
  lines.push('', '| preset | size | auto before (sim µs) | auto after (sim µs) | fastest simulated |', '|---|---:|---|---|---|');
  const choice = (rows, preset, size) => {
    const here = rows.filter((r) => r.preset === preset && r.size === size);
    const chosen = here.find((r) => r.chosen);
    const fastest = here.reduce((x, r) => (x === undefined || r.simulatedUs < x.simulatedUs ? r : x), undefined);
    return { chosen, fastest };
  };
  for (const [preset, size] of [...new Set(after.map((r) => `${r.preset}|${r.size}`))].map((k) => k.split('|'))) {
    const b = choice(before, preset, size);
    const a = choice(after, preset, size);
    const name = (r) => (r === undefined ? '—' : `${r.algorithm}/${r.protocol} (${fmt(r.simulatedUs)})`);
    lines.push(`| ${preset} | ${size} | ${name(b.chosen)} | ${name(a.chosen)} | ${a.chosen === a.fastest ? 'yes' : `no: ${name(a.fastest)}`} |`);
  }
  console.log(lines.join('\n'));
}
