/**
 * Tensor backend for training: tfjs-node (native TensorFlow) where its addon loads, else
 * the WebAssembly backend (its .wasm files ship inside the npm package), else plain
 * JavaScript. `--backend` forces one. The coordinator resolves the choice once, then
 * every rank worker loads that exact backend, so a run never mixes backends.
 *
 * train's own loader, beside runtime's (backends/tfjs.ts), which cannot serve here as it
 * is: it has no forced choice (ranks must load exactly the coordinator's backend), loads
 * once per thread whatever is asked, takes tfjs-node as its own tfjs module, sets no wasm
 * paths, and reports other names and skip reasons (train prints them in its header).
 * To fold the two, runtime would export the loop below — `loadTfjs(order)` resolving to
 * { tf, name, skipped: {name, reason}[] } — and this file keep the choices, the gradient
 * registration (tfjs-layers) and the one-line error for a forced backend.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { WeftInputError } from '@weft/sim';

type TfModule = typeof import('@tensorflow/tfjs-core');

/**
 * TensorFlow.js is imported on first use (~300 ms), so commands that never train — and
 * ghost-mode runs, which never touch tensors — do not pay for it.
 */
async function importTf(): Promise<TfModule> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  // tfjs-core's Node bundle registers no gradient functions (the @tensorflow/tfjs union
  // package does it through core's ESM-only register_all_gradients). tfjs-layers' Node
  // bundle registers all of them into the same process-global registry on import, which
  // is the one thing this package needs from it.
  await import('@tensorflow/tfjs-layers');
  return tf;
}

export type Tf = TfModule;

/** tfjs's own backend names: 'tensorflow' is what tfjs-node registers. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendChoice = 'auto' | 'node' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'node', 'wasm', 'cpu'];

export interface LoadedBackend {
  readonly tf: Tf;
  readonly name: BackendName;
  /** Backends tried before this one, with why each did not load. */
  readonly skipped: readonly { readonly name: BackendName; readonly reason: string }[];
}

const CHOICE_TO_NAME: ReadonlyMap<string, BackendName> = new Map([['node', 'tensorflow'], ['wasm', 'wasm'], ['cpu', 'cpu']]);

/** The error's first line, at most 200 characters; a cut one ends in '…' so it does not read as whole. */
function oneLine(error: unknown): string {
  const line = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
  return line.length <= 200 ? line : `${line.slice(0, 199)}…`;
}

async function tryTensorflow(tf: Tf): Promise<void> {
  // Not a dependency: its install step downloads libtensorflow, which many machines
  // cannot. Installed next to @weft/train, it is picked up here.
  const moduleName = '@tensorflow/tfjs-node';
  await import(moduleName);
  if (tf.findBackendFactory('tensorflow') === undefined) {
    throw new Error('tfjs-node loaded but registered its backend with another copy of @tensorflow/tfjs-core');
  }
}

let wasmPathSet = false;
async function prepareWasm(): Promise<void> {
  if (wasmPathSet) return;
  const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  // The package's main entry is dist/tf-backend-wasm.node.js, beside the .wasm binaries.
  setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
  wasmPathSet = true;
}

/** Runs `body` with console.log/warn/error collected (first line of each call), not printed. */
async function collectConsole<T>(body: () => Promise<T>): Promise<{ value: T; said: string[] }> {
  const said: string[] = [];
  const saved = { log: console.log, warn: console.warn, error: console.error };
  const collect = (...args: unknown[]) => void said.push(args.map(String).join(' ').split('\n')[0]!);
  Object.assign(console, { log: collect, warn: collect, error: collect });
  try {
    return { value: await body(), said };
  } finally {
    Object.assign(console, saved);
  }
}

async function activate(tf: Tf, name: BackendName): Promise<void> {
  if (name === 'tensorflow') await tryTensorflow(tf);
  if (name === 'wasm') await prepareWasm();
  // setBackend resolves false when initialisation fails, after printing why on the console
  // (wasm out of memory: four lines): that is kept for the reason instead, one line.
  const { value: ok, said } = await collectConsole(() => tf.setBackend(name));
  if (!ok) throw new Error(`tf.setBackend('${name}') failed${said.length > 0 ? ` (${said[0]})` : ''}`);
  for (const line of said) console.warn(line);
  await tf.ready();
  // PROD silences tfjs's console advice (the cpu backend's "install tfjs-node" banner),
  // which would otherwise land on every run's stderr once per rank.
  tf.env().set('PROD', true);
}

/** Loads `choice` (or the first that works, for 'auto') in the calling thread. */
export async function loadBackend(choice: BackendChoice): Promise<LoadedBackend> {
  const forced = CHOICE_TO_NAME.get(choice);
  if (choice !== 'auto' && forced === undefined) throw new WeftInputError(`--backend: '${choice}' is not accepted; use one of ${BACKEND_CHOICES.join(', ')}`);
  const order: BackendName[] = forced === undefined ? ['tensorflow', 'wasm', 'cpu'] : [forced];
  const skipped: { name: BackendName; reason: string }[] = [];
  const tf = await importTf();
  for (const name of order) {
    try {
      await activate(tf, name);
      return { tf, name, skipped };
    } catch (error) {
      skipped.push({ name, reason: oneLine(error) });
    }
  }
  if (choice !== 'auto') {
    // 'auto' finds whichever loads; listing the one that just failed as accepted would send the user round in circles.
    const others = BACKEND_CHOICES.filter((c) => c !== choice);
    throw new WeftInputError(`--backend ${choice}: it does not load here (${skipped[0]!.reason}); use ${others.join(', ')} (auto takes the first that loads)`);
  }
  throw new Error(`no TensorFlow.js backend loads: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

/** 'tensorflow' → 'node', the CLI spelling, for forcing the resolved backend in workers. */
export function choiceFor(name: BackendName): Exclude<BackendChoice, 'auto'> {
  return name === 'tensorflow' ? 'node' : name;
}
