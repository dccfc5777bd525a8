/**
 * `weft lab`: serves the browser lab (packages/lab, built to packages/lab/site) on loopback
 * with the cross-origin isolation headers, offline; `--export DIR` writes the static site for
 * any host instead (its coi-serviceworker.js isolates the page where headers cannot be set,
 * and a `_headers` file sets them on hosts that read one). Files only, nothing else.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { WeftInputError } from '@weft/sim';
import { parseInteger } from '../names.js';
import { fsReason } from '../output.js';

/** The built site: packages/lab/site beside this package (cli/dist/commands → lab/site). */
export const LAB_SITE = fileURLToPath(new URL('../../../lab/site/', import.meta.url));

/** What every response carries: isolation (SharedArrayBuffer), no sniffing, no caching across builds. */
export const LAB_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-cache',
};

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.yaml': 'text/yaml; charset=utf-8',
};

interface LabOptions {
  port: string;
  open?: boolean;
  export?: string;
}

function siteRoot(): string {
  if (!existsSync(join(LAB_SITE, 'index.html'))) {
    throw new WeftInputError(`the lab is not built (no ${join(LAB_SITE, 'index.html')}); run: npx -y pnpm@10.34.8 run build`);
  }
  return LAB_SITE;
}

/** A file server for `root`: GET and HEAD of files under it, with LAB_HEADERS. */
export function labServer(root: string): Server {
  return createServer((request, response) => {
    const headers = { ...LAB_HEADERS };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      response.writeHead(400, headers).end();
      return;
    }
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(resolve(root) + sep) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    const body = readFileSync(file);
    response.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': body.length });
    response.end(request.method === 'HEAD' ? undefined : body);
  });
}

/** Opens `url` in the desktop's browser, if there is one; never fails the command. */
function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(command, [url], { detached: true, stdio: 'ignore' });
  child.on('error', () => process.stderr.write(`weft lab: could not open a browser (${command}); open ${url} yourself\n`));
  child.unref();
}

/** Writes the site to `dir` (new or empty) through a sibling temporary directory: never half a site. */
function exportSite(dir: string): void {
  if (dir.trim() === '') throw new WeftInputError('--export: the directory name is empty; name a new or empty directory');
  const target = resolve(dir);
  if (existsSync(target) && !statSync(target).isDirectory()) throw new WeftInputError(`--export: '${dir}' is a file; name a new or empty directory`);
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new WeftInputError(`--export: '${dir}' exists and is not an empty directory; name a new or empty one`);
  }
  if (!existsSync(dirname(target))) throw new WeftInputError(`--export: the parent of '${dir}' does not exist`);
  if (!statSync(dirname(target)).isDirectory()) throw new WeftInputError(`--export: the parent of '${dir}' is not a directory`);
  const root = siteRoot();
  const staging = `${target}.weft-tmp-${process.pid}`;
  try {
    cpSync(root, staging, { recursive: true });
    // Netlify / Cloudflare Pages read this; elsewhere coi-serviceworker.js isolates the page.
    writeFileSync(join(staging, '_headers'), `/*\n${Object.entries(LAB_HEADERS).map(([k, v]) => `  ${k}: ${v}`).join('\n')}\n`);
    if (existsSync(target)) rmSync(target, { recursive: true });
    renameSync(staging, target);
  } catch (error) {
    try {
      rmSync(staging, { recursive: true, force: true });
    } catch {
      // Nothing was written there (the cause below says why).
    }
    // A parent that refuses new entries (read-only, /proc, no permission) or a disk that fills: one line, nothing left.
    throw new WeftInputError(`--export: cannot write '${dir}': ${fsReason(error)}; name a directory you can write to`);
  }
  process.stdout.write(`weft lab: wrote the static site to ${target} (serve it from any static host; open index.html over http)\n`);
}

async function runLab(options: LabOptions): Promise<void> {
  const port = parseInteger('--port', options.port, 0, 65535);
  if (options.export !== undefined) {
    if (options.open === true) throw new WeftInputError('--open: not with --export, which writes the site and serves nothing to open; serve the directory, or drop --export');
    exportSite(options.export);
    return;
  }
  const server = labServer(siteRoot());
  await new Promise<void>((ok, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'EADDRINUSE'
          ? new WeftInputError(`--port: ${port} is in use; pick another, or 0 for any free port`)
          : error.code === 'EACCES'
            ? new WeftInputError(`--port: ${port} needs privileges on this machine; pick one from 1024, or 0 for any free port`)
            : error,
      ),
    );
    server.listen(port, '127.0.0.1', ok);
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}/`;
  process.stdout.write(`weft lab: serving ${url} (loopback only; Ctrl-C to stop)\n`);
  if (options.open === true) openBrowser(url);
  await new Promise<void>((done) => {
    const stop = () => server.close(() => done());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export function registerLab(program: Command): void {
  program
    .command('lab')
    .description('serve the browser lab on 127.0.0.1 (watch, predict, write and grade collectives)')
    .option('--port <n>', 'port on 127.0.0.1 (0: any free port)', '5178')
    .option('--open', 'open it in the default browser')
    .option('--export <dir>', 'write the static site to DIR (new or empty) instead of serving it')
    .action((options: LabOptions) => runLab(options));
}
