/** `weft lab` as a user runs it: bad flags, --export, and the server's headers and confinement. */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEFT_MAIN, expectUsageError, weft } from '../cli/run-weft.js';
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
    expectUsageError(weft(['lab', '--export', join(dir, 'file.txt', 'site')]), /--export: the parent of '.*site' is not a directory/);
    expectUsageError(weft(['lab', '--export', '']), /--export: the directory name is empty/);
  });

  // What a user without privileges meets: a directory they cannot write, a port below 1024 (root runs these as nobody).
  const asRoot = process.getuid?.() === 0;
  const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];
  const unprivileged = (args: string[]) => {
    const run = asRoot
      ? spawnSync('/usr/bin/setpriv', [...NOBODY, process.execPath, WEFT_MAIN, ...args], { encoding: 'utf8', timeout: 20_000 })
      : spawnSync(process.execPath, [WEFT_MAIN, ...args], { encoding: 'utf8', timeout: 20_000 });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  };
  // As nobody, node must reach the bundle: a clone under a private directory (mktemp's 0700, /root)
  // cannot be run by nobody at all, which would test the checkout's permissions, not weft.
  const nobodyReachesWeft = (): boolean => !asRoot || (existsSync('/usr/bin/setpriv') && spawnSync('/usr/bin/setpriv', [...NOBODY, '/usr/bin/test', '-r', WEFT_MAIN]).status === 0);
  it.skipIf(process.platform !== 'linux' || !nobodyReachesWeft())('refuses an unwritable --export directory and a privileged --port in one line with exit code 2', () => {
    const locked = mkdtempSync(join(tmpdir(), 'weft-lab-locked-'));
    chmodSync(locked, 0o555);
    expectUsageError(unprivileged(['lab', '--export', join(locked, 'site')]), /^weft: --export: cannot write '.*site': .*\(EACCES\); name a directory you can write to$/);
    expect(readdirSync(locked)).toEqual([]);
    expectUsageError(unprivileged(['lab', '--port', '1']), /^weft: --port: 1 needs privileges on this machine/);
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
