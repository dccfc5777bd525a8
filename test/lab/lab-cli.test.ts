/** `weft lab` as a user runs it: bad flags, --export, and the server's headers and confinement. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUsageError, weft } from '../cli/run-weft.js';
import { startLab, type LabServer } from './lab-browser.js';

describe('weft lab', () => {
  it('refuses a bad --port in one line with exit code 2', () => {
    expectUsageError(weft(['lab', '--port', 'http']), /--port/);
    expectUsageError(weft(['lab', '--port', '70000']), /--port/);
  });

  it('--export writes the static site with its isolation fallbacks, and refuses a non-empty directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-lab-export-'));
    const site = join(dir, 'site');
    const run = weft(['lab', '--export', site]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const file of ['index.html', 'coi-serviceworker.js', '_headers']) expect(existsSync(join(site, file))).toBe(true);
    expect(readFileSync(join(site, '_headers'), 'utf8')).toContain('Cross-Origin-Embedder-Policy: require-corp');
    writeFileSync(join(dir, 'file.txt'), 'x');
    expectUsageError(weft(['lab', '--export', dir]), /--export: '.*' exists and is not an empty directory/);
  });

  describe('the server', () => {
    let server: LabServer;
    beforeAll(async () => {
      server = await startLab();
    });
    afterAll(() => server?.process.kill());

    it('listens on loopback and sends COOP/COEP with every file', async () => {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(server.url);
      expect(page.status).toBe(200);
      expect(page.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    });

    it('serves only files under the site, only to GET and HEAD', async () => {
      expect((await fetch(`${server.url}..%2f..%2fpackage.json`)).status).toBe(404);
      expect((await fetch(`${server.url}no-such-file.js`)).status).toBe(404);
      expect((await fetch(server.url, { method: 'POST', body: 'x' })).status).toBe(405);
    });
  });
});
