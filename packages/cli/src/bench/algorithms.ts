import { realpathSync } from 'node:fs';
import { listAlgorithms, ncclRowOf, type CollectiveName } from '@weft/collectives';
import { WeftInputError } from '@weft/sim';
import { orList } from '../names.js';
import { isModulePath } from '../user-algorithm/module-path.js';
import type { BenchAlgorithm, BenchFlags } from './config.js';

/**
 * Refuses a user's algorithm named like a built-in of its collective (or `auto`, `all`): rows and
 * reports name algorithms, and `--algo NAME` would be ambiguous. `weft algos --check` says so too.
 */
export function assertOwnName(flag: string, path: string, algorithm: { readonly name: string; readonly collective: CollectiveName }): void {
  if (listAlgorithms(algorithm.collective).some((a) => a.name === algorithm.name) || algorithm.name === 'auto' || algorithm.name === 'all') {
    throw new WeftInputError(`${flag}: '${path}' is named '${algorithm.name}', like a built-in; give it a name of its own`);
  }
}

/**
 * `--algo`'s list as algorithms: registered names, `all` (every registered one; those that
 * cannot run here are skipped, not errors), `auto`, and module paths (a user's algorithm,
 * loaded and symbolically checked first). Each appears once, in the order first asked for.
 */
export async function resolveAlgorithms(flags: BenchFlags): Promise<BenchAlgorithm[]> {
  const known = listAlgorithms(flags.collective);
  const resolved = new Map<string, BenchAlgorithm>();
  const add = (entry: BenchAlgorithm) => {
    const earlier = resolved.get(entry.name);
    // Named explicitly anywhere wins over coming from `all`.
    resolved.set(entry.name, earlier ? { ...earlier, fromAll: earlier.fromAll && entry.fromAll } : entry);
  };
  for (const item of flags.algo) {
    if (item === 'all') {
      for (const algorithm of known) add({ name: algorithm.name, algorithm, fromAll: true });
    } else if (item === 'auto') {
      add({ name: 'auto', algorithm: 'auto', fromAll: false });
    } else if (isModulePath(item)) {
      // Loaded only for a module path: built-in algorithms need none of the loader (see module-path.ts).
      const { loadCheckedAlgorithm } = await import('../user-algorithm/index.js');
      const { algorithm } = await loadCheckedAlgorithm(item, '--algo', flags.timeoutS * 1000);
      if (algorithm.collective !== flags.collective) {
        throw new WeftInputError(`--algo: '${item}' is for ${algorithm.collective}, not ${flags.collective}`);
      }
      assertOwnName('--algo', item, algorithm);
      // Rows, the report and --explain tell algorithms apart by name: a second module of one name would vanish.
      const earlier = resolved.get(algorithm.name);
      if (earlier?.modulePath !== undefined && !sameFile(earlier.modulePath, item)) {
        throw new WeftInputError(`--algo: '${item}' is named '${algorithm.name}', as '${earlier.modulePath}' is; give each module a name of its own`);
      }
      add({ name: algorithm.name, algorithm, fromAll: false, modulePath: item });
    } else {
      const algorithm = known.find((a) => a.name === item);
      if (algorithm === undefined) {
        const accepted = orList([...known.map((a) => a.name), 'all', 'auto', 'a module path (./my-algo.mjs)']);
        throw new WeftInputError(`--algo: '${item}' is not accepted for ${flags.collectiveCliName}; use ${accepted}`);
      }
      add({ name: algorithm.name, algorithm, fromAll: false });
    }
  }
  // --tuner picks auto's algorithm and NCCL's algorithms' protocol: asked for where neither is
  // chosen it would change nothing, silently.
  const chooses = resolved.has('auto') || [...resolved.values()].some((a) => a.algorithm !== 'auto' && ncclRowOf(flags.collective, a.algorithm.name) !== undefined && flags.proto === 'auto');
  if (flags.tuner !== 'auto' && !chooses) {
    throw new WeftInputError(`--tuner ${flags.tuner}: chooses what --algo auto runs and the protocol of NCCL's algorithms (--proto auto); --algo ${flags.algo.join(',')}${flags.proto !== 'auto' ? ` --proto ${flags.proto}` : ''} leaves it nothing to choose (add auto, or drop --tuner)`);
  }
  return [...resolved.values()];
}

/** Whether two module paths name one file (`./x.mjs` and `x.mjs`, or a link to it): the module once, as `ring,ring` is. */
function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return a === b;
  }
}
