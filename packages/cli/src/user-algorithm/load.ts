/**
 * Loading a user-written algorithm: an ES module whose default export (or export named
 * `algorithm`) has the shape of a built-in `Algorithm` (packages/collectives/src/types.ts).
 * Its shape is checked with zod, one line naming what is missing; a module that does not
 * import is one line with its path and the error.
 */
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { COLLECTIVES, type Algorithm } from '@weft/collectives';
import { WeftInputError } from '@weft/sim';

/** `--algo` items and `algos --check` arguments that name a module rather than an algorithm. */
export function isModulePath(text: string): boolean {
  return /[\\/]/.test(text) || /\.(mjs|js)$/i.test(text);
}

/** Packages a user module may import by name, pointed at the CLI's own copies. */
const SHARED_PACKAGES = ['@weft/collectives'] as const;

let hooksRegistered = false;

function registerResolveHooks(): void {
  if (hooksRegistered) return;
  hooksRegistered = true;
  register(new URL('./resolve-hooks.js', import.meta.url), {
    data: { redirects: SHARED_PACKAGES.map((name) => [name, import.meta.resolve(name)] as const) },
  });
}

const fn = (signature: string) =>
  z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', { message: `must be a function ${signature}` });

/** The shape every algorithm has, built-in or not. */
const ALGORITHM_SHAPE = z.object({
  name: z.string({ message: 'must be a string' }).regex(/^[A-Za-z][\w.-]*$/, 'must be a word (letters, digits, - . _)'),
  collective: z.enum(COLLECTIVES, { message: `must be one of ${COLLECTIVES.join(', ')}` }),
  description: z.string({ message: 'must be a string (one sentence, printed by weft algos)' }),
  constraints: z.string({ message: 'must be a string (e.g. "any rank count")' }),
  unsupported: fn('(params) returning null or a reason'),
  plan: fn('(params) returning a Schedule'),
  predictNs: fn('(params, cost) returning nanoseconds'),
});

/** What to export, said in every error about the module's exports. */
const CONTRACT = 'export default { name, collective, description, constraints, unsupported(params), plan(params), predictNs(params, cost) }';

/** The algorithm's shape problems, one line: missing fields first, then wrong ones. */
function shapeProblems(issues: readonly z.core.$ZodIssue[], value: Record<string, unknown>): string {
  const missing = issues.filter((i) => value[String(i.path[0])] === undefined).map((i) => String(i.path[0]));
  const wrong = issues.filter((i) => value[String(i.path[0])] !== undefined).map((i) => `${String(i.path[0])} ${i.message}`);
  return [
    ...(missing.length > 0 ? [`lacks ${missing.join(', ')}`] : []),
    ...wrong,
  ].join('; ');
}

/** Imports `path` (relative to the working directory) and returns its algorithm, or one clear line. */
export async function loadUserAlgorithm(path: string, flag: string): Promise<Algorithm> {
  if (!existsSync(path)) throw new WeftInputError(`${flag}: cannot load '${path}': no such file`);
  registerResolveHooks();
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolvePath(path)).href)) as Record<string, unknown>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new WeftInputError(`${flag}: cannot load '${path}': ${message.split('\n')[0]}`);
  }
  const exported = module.default ?? module.algorithm;
  if (exported === null || typeof exported !== 'object') {
    const names = Object.keys(module);
    const found = names.length > 0 ? `it exports ${names.join(', ')}` : 'it exports nothing';
    throw new WeftInputError(`${flag}: '${path}' has no algorithm (${found}); ${CONTRACT}`);
  }
  const shape = ALGORITHM_SHAPE.safeParse(exported);
  if (!shape.success) {
    throw new WeftInputError(`${flag}: '${path}': its algorithm ${shapeProblems(shape.error.issues, exported as Record<string, unknown>)}; ${CONTRACT}`);
  }
  return exported as Algorithm;
}
