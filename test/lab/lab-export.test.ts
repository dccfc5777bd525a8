/**
 * `weft lab --export` on a static host that sets no headers (GitHub Pages and the like): the
 * exported site's service worker (coi-serviceworker.js) re-serves it with COOP/COEP, so the
 * page becomes cross-origin isolated after one reload, and runs. A plain node:http server on
 * 127.0.0.1 stands in for the host; headless Chromium loads it.
 */
import { createReadStream, existsSync, mkdtempSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { weft } from '../cli/run-weft.js';
import { hasChromium, launchChromium } from './lab-browser.js';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png', '.yaml': 'text/yaml', '.txt': 'text/plain',
};

/** Serves `root` as a static host does, with content types only: no COOP/COEP headers. */
function plainHost(root: string): Server {
  return createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://host').pathname);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root) || !existsSync(file) || statSync(file).isDirectory()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
}

describe.skipIf(!hasChromium)('the exported lab on a host without isolation headers', () => {
  let host: Server;
  let url: string;
  let browser: Browser;
  let site: string;

  beforeAll(async () => {
    site = join(mkdtempSync(join(tmpdir(), 'weft-lab-host-')), 'site');
    const run = weft(['lab', '--export', site]);
    expect(run.code, run.stderr).toBe(0);
    host = plainHost(site);
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(host.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    host?.close();
  });

  it('is not isolated by the host, becomes isolated through its service worker, and runs', async () => {
    const direct = await fetch(url);
    expect(direct.headers.get('cross-origin-embedder-policy')).toBeNull();
    expect(direct.headers.get('cross-origin-opener-policy')).toBeNull();
    const page = await browser.newPage();
    await page.goto(url);
    // The first load registers the worker and reloads once; poll across that reload.
    let isolated = false;
    for (const started = Date.now(); !isolated && Date.now() - started < 30_000; ) {
      isolated = await page.evaluate(() => window.crossOriginIsolated).catch(() => false);
      if (!isolated) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(isolated).toBe(true);
    await page.waitForFunction(() => (window as unknown as { weftLab?: { run: unknown } }).weftLab?.run != null, null, { timeout: 30_000 });
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  });

  it('says it must be served over http when index.html is opened from disk', async () => {
    const page = await browser.newPage();
    await page.goto(`file://${join(site, 'index.html')}`);
    expect(await page.getByTestId('error').textContent()).toMatch(/^The weft lab must be served over http, not opened as a file: run weft lab, or serve this folder/);
    await page.close();
  });
});
