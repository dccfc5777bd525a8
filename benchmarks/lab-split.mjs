// Two builds of the lab's site side by side in headless Chromium, served as `weft lab` serves
// (its own labServer, COOP/COEP): what the page fetches before its first run renders, and
// page load to first rendered run (the default page; a ring on 8 ranks), alternating A and B
// so both see the same machine load. For the code split: A = the site before it, B = after.
//   node benchmarks/lab-split.mjs A_SITE_DIR B_SITE_DIR [--repeats N]
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { labServer } from '../packages/cli/dist/commands/lab.js';

const [dirA, dirB] = process.argv.slice(2, 4);
if (!dirA || !dirB) {
  process.stderr.write('usage: node benchmarks/lab-split.mjs A_SITE_DIR B_SITE_DIR [--repeats N]\n');
  process.exit(2);
}
const repeats = process.argv.includes('--repeats') ? Number(process.argv[process.argv.indexOf('--repeats') + 1]) : 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const RING_8 = { config: { topology: 'switch:8', algorithms: ['ring'], sizesBytes: [262144], focusBytes: 262144 } };
const QUERIES = { default: '', 'ring 8': `?s=${Buffer.from(JSON.stringify(RING_8)).toString('base64url')}` };

const listen = (root) => new Promise((ok) => { const s = labServer(root).listen(0, '127.0.0.1', () => ok(s)); });
const sites = { A: { dir: resolve(dirA) }, B: { dir: resolve(dirB) } };
for (const site of Object.values(sites)) {
  site.server = await listen(site.dir);
  site.url = `http://127.0.0.1:${site.server.address().port}/`;
  site.loads = Object.fromEntries(Object.keys(QUERIES).map((q) => [q, []]));
}
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
try {
  for (let i = 0; i < repeats; i++) {
    for (const [q, query] of Object.entries(QUERIES)) {
      for (const site of Object.values(sites)) {
        const page = await browser.newPage();
        const fetched = [];
        page.on('request', (request) => fetched.push(new URL(request.url()).pathname.slice(1)));
        await page.goto(site.url + query);
        await page.waitForFunction(() => window.weftLab?.firstRenderMs != null, null, { timeout: 60_000 });
        site.loads[q].push(await page.evaluate(() => window.weftLab.firstRenderMs));
        site.fetched ??= [...new Set(fetched)].filter((f) => f.endsWith('.js'));
        await page.close();
      }
    }
  }
} finally {
  await browser.close();
  for (const site of Object.values(sites)) site.server.close();
}
const kib = (b) => (b / 1024).toFixed(0);
for (const [name, site] of Object.entries(sites)) {
  const bytes = site.fetched.map((f) => readFileSync(join(site.dir, f)));
  const raw = bytes.reduce((s, b) => s + b.length, 0);
  const gz = bytes.reduce((s, b) => s + gzipSync(b).length, 0);
  const largest = Math.max(...site.fetched.map((f) => statSync(join(site.dir, f)).size));
  const loads = Object.entries(site.loads).map(([q, xs]) => `${q} ${median(xs).toFixed(0)} ms`).join(', ');
  process.stdout.write(`| ${name} | ${kib(largest)} KiB | ${site.fetched.length} files, ${kib(raw)} KiB (${kib(gz)} KiB gzipped) | ${loads} |\n`);
}
