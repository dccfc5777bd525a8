/**
 * Loading a user-written algorithm: an ES module whose default export (or export named
 * `algorithm`) has the shape of a built-in `Algorithm` (packages/collectives/src/types.ts).
 * Its shape is checked with zod, one line naming what is missing; a module that does not
 * import is one line with its path and the error.
 */
import { statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { COLLECTIVES, type Algorithm } from '@weft/collectives';
import { WeftInputError } from '@weft/sim';
import { notRegularFile } from '../input-file.js';
import { loadInSandbox } from './sandbox.js';

/** Packages a user module may import by name, pointed at the CLI's own copies. */
const SHARED_PACKAGES = ['@weft/collectives'] as const;

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

/**
 * Imports `path` (relative to the working directory) in a thread of its own and returns its
 * algorithm, or one clear line. `timeoutMs` bounds the import and every call (--timeout).
 */
export async function loadUserAlgorithm(path: string, flag: string, timeoutMs?: number): Promise<Algorithm> {
  // Node's own words for a directory name Node's internals (a directory import, the bundle's path).
  const stat = statSync(path, { throwIfNoEntry: false });
  const problem = stat === undefined ? 'no such file' : notRegularFile(stat, 'the module file (.mjs)');
  if (problem !== undefined) throw new WeftInputError(`${flag}: cannot load '${path}': ${problem}`);
  const redirects = SHARED_PACKAGES.map((name) => [name, import.meta.resolve(name)] as const);
  const loaded = await loadInSandbox(pathToFileURL(resolvePath(path)).href, redirects, `${flag} ${path}`, timeoutMs);
  if (!('call' in loaded)) throw new WeftInputError(`${flag}: cannot load '${path}': ${loaded.report.message}`);
  const { exportNames, algorithm: fields, functions } = loaded.report;
  if (fields === null) {
    const found = exportNames.length > 0 ? `it exports ${exportNames.join(', ')}` : 'it exports nothing';
    throw new WeftInputError(`${flag}: '${path}' has no algorithm (${found}); ${CONTRACT}`);
  }
  // The algorithm as the CLI sees it: its data fields, and for each function a synchronous call into its thread.
  const exported: Record<string, unknown> = { ...fields };
  for (const name of functions) exported[name] = (...args: unknown[]) => loaded.call(name, args);
  const shape = ALGORITHM_SHAPE.safeParse(exported);
  if (!shape.success) {
    throw new WeftInputError(`${flag}: '${path}': its algorithm ${shapeProblems(shape.error.issues, exported)}; ${CONTRACT}`);
  }
  return exported as unknown as Algorithm;
}
