#!/usr/bin/env node
/**
 * Predicted against simulated time for every (algorithm, protocol) candidate `auto` weighs, on
 * the presets a user compares with a real cluster: `weft bench allreduce --explain` at each
 * size, ghost mode, defaults (channels and chunk auto). Prints one markdown table per preset
 * (sim / pred per candidate, the chosen one marked) and the rows off by more than 10 %.
 *
 *   npx -y pnpm@10.34.8 build && node benchmarks/predictor-error-presets.mjs [--presets A;B] [--sizes 1M,8M] [--json FILE]
 *
 * Presets are separated by ';' (a spec holds commas). One process per preset and size, so a
 * slow size does not hold the others; WEFT_CAP_S (default 600) caps each one's wall time.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
const DEFAULT_PRESETS = {
  'dgx-h100:nodes=2': ['1M', '4M', '8M', '16M', '64M', '256M'],
  'dgx-h100:nodes=4': ['1M', '4M', '16M', '64M', '256M'],
  'dgx-h100:nodes=16': ['1M', '8M', '64M'],
  'hgx-a100:nodes=2': ['1M', '8M', '64M', '256M'],
  nvl72: ['1M', '8M', '64M', '512M'],
};

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const presets = option('--presets', null)?.split(';') ?? Object.keys(DEFAULT_PRESETS);
const sizesFor = (preset) => option('--sizes', null)?.split(',') ?? DEFAULT_PRESETS[preset] ?? ['1M', '64M'];
const capS = Number(process.env.WEFT_CAP_S ?? 600);

function explain(preset, size) {
  const run = spawnSync(process.execPath, [CLI, 'bench', 'allreduce', '--topology', preset, '--mode', 'ghost', '-b', size, '-e', size, '--explain', '--format', 'json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    timeout: capS * 1000,
  });
  if (run.status !== 0) return { error: run.error ? `over ${capS} s` : run.stderr.trim().split('\n')[0] };
  return JSON.parse(run.stdout).rows[0];
}

const fmt = (us) => (us >= 100 ? us.toFixed(1) : us.toFixed(2));
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
