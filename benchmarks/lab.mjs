// The weft lab's figures: size of the built site and of what the page fetches before its first
// run, page load to first rendered run in headless Chromium (the default run, and a ring on 8
// ranks end to end in ghost and data mode), time to simulate the default run in the page's worker, ring on 64 ranks at 1 GiB
// in the page's worker vs in Node (the same engine code), and the animation's frame rate at
// 64 ranks. Needs a build (`npx -y pnpm@10.34.8 run build`) and /usr/bin/chromium.
//   node benchmarks/lab.mjs [--out benchmarks/results/lab.md]
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { DEFAULT_CONFIG, runLab } from '@weft/lab';

const SITE = fileURLToPath(new URL('../packages/lab/site/', import.meta.url));
const MAIN = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
const out = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : null;
const REPEATS = 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function files(dir) {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
}
const site = files(SITE).map((f) => ({ f: f.slice(SITE.length), bytes: statSync(f).size, gzip: gzipSync(readFileSync(f)).length }));
const kib = (b) => (b / 1024).toFixed(0);

const RING_64 = { ...DEFAULT_CONFIG, topology: 'switch:64', algorithms: ['ring'], sizesBytes: [1 << 30], focusBytes: 64 * 1024 };
const RING_8 = { ...DEFAULT_CONFIG, algorithms: ['ring'], sizesBytes: [256 * 1024], focusBytes: 256 * 1024 };
const ANIMATE_64 = { ...DEFAULT_CONFIG, topology: 'switch:64', algorithms: ['ring'], sizesBytes: [1 << 20], focusBytes: 256 * 1024 };
const query = (config) => `?s=${Buffer.from(JSON.stringify({ config })).toString('base64url')}`;

const server = spawn(process.execPath, [MAIN, 'lab', '--port', '0']);
const url = await new Promise((ok) => server.stdout.on('data', (d) => { const m = /serving (\S+)/.exec(String(d)); if (m) ok(m[1]); }));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
const loads = [];
const ring8 = { ghost: [], data: [] };
let firstFetch = [];
const defaultRuns = [];
const ring64Page = [];
let fps = 0;
try {
  for (let i = 0; i < REPEATS; i++) {
    const page = await browser.newPage();
    // What the page fetches until its first run renders (the engine worker's module included).
    const fetched = [];
    page.on('request', (request) => fetched.push(new URL(request.url()).pathname.replace(/^\//, '')));
    await page.goto(url);
    await page.waitForFunction(() => window.weftLab?.firstRenderMs != null, null, { timeout: 60_000 });
    firstFetch = [...new Set(fetched)];
    loads.push(await page.evaluate(() => window.weftLab.firstRenderMs));
    defaultRuns.push(await page.evaluate(() => window.weftLab.run.wallMs));
    for (const mode of ['ghost', 'data']) {
      // A ring on 8 ranks end to end: a fresh page, navigation to the rendered run.
      const fresh = await browser.newPage();
      await fresh.goto(url + query({ ...RING_8, mode }));
      await fresh.waitForFunction(() => window.weftLab?.firstRenderMs != null, null, { timeout: 60_000 });
      ring8[mode].push(await fresh.evaluate(() => window.weftLab.firstRenderMs));
      await fresh.close();
    }
    await page.goto(url + query(RING_64));
    await page.waitForFunction(() => window.weftLab?.run != null, null, { timeout: 120_000 });
    ring64Page.push(await page.evaluate(() => window.weftLab.run.rows[0].wallMs));
    await page.close();
  }
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(url + query(ANIMATE_64) + '&play');
  await page.waitForFunction(() => window.weftLab?.run != null, null, { timeout: 60_000 });
  fps = await page.evaluate(() => new Promise((done) => {
    let frames = 0;
    const start = performance.now();
    requestAnimationFrame(function tick(now) {
      frames += 1;
      if (now - start < 3000) requestAnimationFrame(tick);
      else done((frames * 1000) / (now - start));
    });
  }));
} finally {
  await browser.close();
  server.kill();
}
const ring64Node = [];
const defaultNode = [];
for (let i = 0; i < REPEATS; i++) {
  ring64Node.push((await runLab(RING_64)).rows[0].wallMs);
  defaultNode.push((await runLab(DEFAULT_CONFIG)).wallMs);
}

const total = site.reduce((s, x) => s + x.bytes, 0);
const beforeRun = site.filter((x) => firstFetch.includes(x.f));
const fetchedBytes = beforeRun.reduce((s, x) => s + x.bytes, 0);
const fetchedGzip = beforeRun.reduce((s, x) => s + x.gzip, 0);
const totalGzip = site.reduce((s, x) => s + x.gzip, 0);
const report = `# weft lab

machine: ${cpus().length} CPUs (nproc), ${cpus()[0].model}, node ${process.version}, Debian chromium (headless, --disable-gpu); 1-min load average at start ${loadavg()[0].toFixed(2)}; ${new Date().toISOString().slice(0, 10)}
command: \`node benchmarks/lab.mjs --out benchmarks/results/lab.md\` (after \`npx -y pnpm@10.34.8 run build\`); medians of ${REPEATS}

| figure | value |
| --- | --- |
| built site (packages/lab/site) | ${kib(total)} KiB (${kib(totalGzip)} KiB gzipped), ${site.length} files |
| fetched by the time the first run has rendered (${beforeRun.map((x) => x.f.replace(/^assets\//, '')).join(', ')}) | ${kib(fetchedBytes)} KiB (${kib(fetchedGzip)} KiB gzipped) |
| page load to first rendered run (default: ring + tree on switch:8, 5 sizes) | ${median(loads).toFixed(0)} ms |
| a ring on 8 ranks end to end (switch:8, 256 KiB, fresh page to rendered run) | ghost ${median(ring8.ghost).toFixed(0)} ms; data (real bytes, grid read from them) ${median(ring8.data).toFixed(0)} ms |
| simulate the default run in the page's worker (sweep + traced runs) | ${median(defaultRuns).toFixed(0)} ms (Node: ${median(defaultNode).toFixed(0)} ms) |
| ring on 64 ranks at 1 GiB (switch:64, one channel, 2 MiB chunks), one run's wall time | page worker ${median(ring64Page).toFixed(0)} ms; Node ${median(ring64Node).toFixed(0)} ms |
| animation frame rate at 64 ranks (switch:64 ring, playing) | ${fps.toFixed(1)} frames/s |

Files:

| file | KiB | gzipped KiB |
| --- | --- | --- |
${site.map((x) => `| ${x.f} | ${kib(x.bytes)} | ${kib(x.gzip)} |`).join('\n')}

Reading: the page's first run includes starting the engine worker and loading its module (the
plots', compare's and exercises' small chunks start loading as it renders; CodeMirror waits
until the editor scrolls into view); data mode keeps every rank's bytes in the engine worker and
reads the buffer grid from them after every round, ghost mode replays the schedule instead; the
1 GiB ring moves no bytes (ghost mode: the lab simulates, as \`weft bench --mode ghost\` does),
so its wall time is the coordinator's and the fabric's work, the same code in both; the frame
rate is of a headless browser without a GPU on a shared 2-core machine (the load average above
says how shared); the views that do not follow the clock are rendered once per run, not per
frame (before that change: 6.8 frames/s at 64 ranks).
`;
process.stdout.write(report);
// The code split's before/after (benchmarks/lab-split.mjs, run by hand against an older build) is kept.
const KEPT = '\n## Code split';
const kept = out && existsSync(out) ? readFileSync(out, 'utf8') : '';
if (out) writeFileSync(out, report + (kept.includes(KEPT) ? kept.slice(kept.indexOf(KEPT)) : ''));
