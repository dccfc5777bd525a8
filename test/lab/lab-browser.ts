/**
 * Helpers for the lab's browser tests: `weft lab --port 0` as a user starts it, and Debian's
 * chromium driven by playwright-core (`.ci/run` installs it when /usr/bin/chromium is missing).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { WEFT_MAIN } from '../cli/run-weft.js';

export const CHROMIUM = process.env.WEFT_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
export const hasChromium = existsSync(CHROMIUM);

export interface LabServer {
  readonly url: string;
  readonly process: ChildProcess;
}

/** Starts `weft lab --port 0` and resolves with the URL it prints. */
export function startLab(): Promise<LabServer> {
  const child = spawn(process.execPath, [WEFT_MAIN, 'lab', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += String(chunk);
      const match = /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (match) resolve({ url: match[1]!, process: child });
    });
    child.stderr!.on('data', (chunk) => reject(new Error(`weft lab: ${String(chunk)}`)));
    child.on('exit', (code) => reject(new Error(`weft lab exited with ${code} before serving`)));
  });
}

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });

/** `?s=` for a scenario, as the page's "Share" builds it (base64url JSON). */
export const scenarioQuery = (scenario: unknown): string => `?s=${Buffer.from(JSON.stringify(scenario)).toString('base64url')}`;

/** Opens the lab at `query` and waits for its first rendered run, and every view that loads on demand (ui/lazy.tsx marks its placeholder aria-busy). */
export async function openLab(page: Page, server: LabServer, query = ''): Promise<void> {
  await page.goto(server.url + query);
  await page.waitForFunction(() => (window as unknown as { weftLab?: { run: unknown } }).weftLab?.run != null && document.querySelector('[aria-busy=true]') === null, null, { timeout: 30_000 });
}

/** WEFT_LAB_SCREENSHOTS=1: the tests save each view to docs/lab/ (the README shows them). */
export const SHOTS = process.env.WEFT_LAB_SCREENSHOTS === '1' ? fileURLToPath(new URL('../../docs/lab/', import.meta.url)) : null;

/** Saves the section labelled `label` as docs/lab/NAME.png when SHOTS is set. */
export async function shot(page: Page, label: string, name: string): Promise<void> {
  if (SHOTS === null) return;
  mkdirSync(SHOTS, { recursive: true });
  // The timeline's control bar is sticky (top: 0): in a shot scrolled to the view it would cover the view's heading.
  await page.getByLabel(label, { exact: true }).first().screenshot({ path: `${SHOTS}${name}.png`, style: '.timeline-controls { position: static !important; }' });
}

/** What each browser test file starts once: `weft lab --port 0`, Chromium, and a laptop-sized page. */
export interface LabSession {
  readonly server: LabServer;
  readonly browser: Browser;
  readonly page: Page;
}

export async function startSession(): Promise<LabSession> {
  const [server, browser] = await Promise.all([startLab(), launchChromium()]);
  return { server, browser, page: await browser.newPage({ viewport: { width: 1280, height: 900 } }) };
}

export async function stopSession(session: Partial<LabSession>): Promise<void> {
  await session.browser?.close();
  session.server?.process.kill();
}

/** A describe block's session, started before its tests and stopped after: read its fields inside tests. */
export function useLabSession(): LabSession & { open: (query?: string) => Promise<void> } {
  const session = { open: (query = '') => openLab(session.page, session.server, query) } as LabSession & { open: (query?: string) => Promise<void> };
  beforeAll(async () => void Object.assign(session, await startSession()));
  afterAll(() => stopSession(session));
  return session;
}

/** The ring all-reduce docs/writing-an-algorithm.md teaches (my-ring.mjs), as a student would paste it. */
export const myRing = (): string =>
  [...readFileSync(fileURLToPath(new URL('../../docs/writing-an-algorithm.md', import.meta.url)), 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.startsWith('// my-ring.mjs'))!;
