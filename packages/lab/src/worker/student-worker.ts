/**
 * Runs a student's algorithm module: loads it from text, proves it with the CLI's symbolic
 * check (cli/user-algorithm/check), then times it. Only ever in a dedicated worker, which the
 * page terminates when one call into the student's code outlasts the time limit (CallMessage),
 * so a runaway loop never touches the page.
 */
import * as collectives from '@weft/collectives';
import type { Algorithm } from '@weft/collectives';
import { checkPlanned, checkUserAlgorithm } from '@weft/cli/check';
import { expose } from 'comlink';
import { gradeAlgorithm } from '../engine/exercises.js';
import type { Grade } from '../engine/grade.js';
import { withGrids } from '../engine/buffers.js';

/** A line the student's code printed, posted to the page as it is printed. */
export interface PrintedMessage {
  readonly weftPrinted: string;
}

/**
 * Posted as the grader calls into the student's code (`weftCall`: which call, as the student
 * would name it) and as that call returns (null). The page's time limit watches these calls
 * only, each on its own (ui/workers.ts): the grader's own work between them (the symbolic
 * checks, the timed runs) counts against no limit of the student's.
 */
export interface CallMessage {
  readonly weftCall: string | null;
}

let depth = 0;
const enter = (call: string) => {
  if (depth++ === 0) postMessage({ weftCall: call } satisfies CallMessage);
};
const leave = () => {
  if (--depth === 0) postMessage({ weftCall: null } satisfies CallMessage);
};

/** `params` as the student reads them in a call's name: its numbers (nranks, count, …). */
function callName(key: string, args: readonly unknown[]): string {
  const params = args[0];
  if (params === null || typeof params !== 'object') return `${key}()`;
  const shown = Object.entries(params).filter(([, v]) => typeof v === 'number' || typeof v === 'string').slice(0, 4).map(([k, v]) => `${k} ${String(v)}`);
  return `${key}(${shown.length > 0 ? `{ ${shown.join(', ')} }` : '…'})`;
}

/** `algorithm` with each of its functions watched (a Proxy: a class instance keeps its prototype and `this`). */
function watched(algorithm: Algorithm): Algorithm {
  const wrappers = new Map<PropertyKey, unknown>();
  const proxy: Algorithm = new Proxy(algorithm, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      let wrapper = wrappers.get(key);
      if (wrapper === undefined || (wrapper as { original?: unknown }).original !== value) {
        const fn = value as (...args: unknown[]) => unknown;
        wrapper = Object.assign(function (this: unknown, ...args: unknown[]) {
          enter(callName(String(key), args));
          try {
            return fn.apply(this === undefined ? proxy : this, args);
          } finally {
            leave();
          }
        }, { original: value });
        wrappers.set(key, wrapper);
      }
      return wrapper;
    },
  });
  return proxy;
}

const FIELDS = ['name', 'collective', 'description', 'constraints', 'unsupported', 'plan', 'predictNs'] as const;

/** A module that re-exports this worker's @weft/collectives, for the student's import to name. */
function collectivesUrl(): string {
  (globalThis as Record<string, unknown>).__weftCollectives = collectives;
  const names = Object.keys(collectives).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k));
  const body = `const c = globalThis.__weftCollectives;\n${names.map((k) => `export const ${k} = c.${k};`).join('\n')}\n`;
  return URL.createObjectURL(new Blob([body], { type: 'text/javascript' }));
}

/** One console argument as text: strings as they are, the rest as JSON where it can be (a BigInt or a cycle cannot). */
function show(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Lines a student's code prints, kept for the page (a worker's console is out of a student's
 * sight), and posted to it as they are printed: code the time limit stops never returns its grade,
 * but what it printed before is the best clue to where it looped. (Comlink ignores messages without an id.)
 */
const MAX_PRINTED = 20;
let printed: string[] = [];
const keep = (line: string) => {
  printed.push(line);
  postMessage({ weftPrinted: line } satisfies PrintedMessage);
};
for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  console[level] = (...args: unknown[]) => {
    if (printed.length < MAX_PRINTED) keep(args.map(show).join(' ').slice(0, 300));
    else if (printed.length === MAX_PRINTED) keep(`… (only the first ${MAX_PRINTED} lines are kept)`);
  };
}
const withPrinted = <G extends Grade>(grade: G): G => (printed.length > 0 ? { ...grade, printed } : grade);

const firstLine = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).split('\n')[0]!;

async function load(code: string): Promise<Algorithm> {
  const shim = collectivesUrl();
  const source = code.replace(/from\s*(['"])@weft\/collectives\1/g, `from '${shim}'`);
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  let module: Record<string, unknown>;
  // The module's top level is the student's code too: it runs as the module is imported.
  enter("your module's top level");
  try {
    module = (await import(/* @vite-ignore */ url)) as Record<string, unknown>;
  } catch (error) {
    // The browser names modules by their blob: URLs; the student wrote '@weft/collectives' and their own module.
    throw new Error(`Your module does not load: ${firstLine(error).replaceAll(shim, '@weft/collectives').replaceAll(url, 'your module')}`);
  } finally {
    leave();
  }
  const algorithm = (module.default ?? module.algorithm) as Record<string, unknown> | undefined;
  if (algorithm === undefined || typeof algorithm !== 'object') throw new Error('Your module needs a default export (or an export named algorithm): the algorithm object.');
  const missing = FIELDS.filter((f) => algorithm[f] === undefined);
  if (missing.length > 0) throw new Error(`Your algorithm lacks ${missing.join(', ')}.`);
  return watched(algorithm as unknown as Algorithm);
}

const api = {
  async grade(code: string) {
    printed = [];
    depth = 0;
    let algorithm: Algorithm;
    try {
      algorithm = await load(code);
    } catch (error) {
      return withPrinted({ passed: false, score: 0, message: (error as Error).message } satisfies Grade);
    }
    try {
      const { run, ...grade } = await gradeAlgorithm(algorithm, { matrix: checkUserAlgorithm, planned: checkPlanned });
      return withPrinted({ ...grade, ...(run ? { run: withGrids(run) } : {}) });
    } catch (error) {
      return withPrinted({ passed: false, score: 0, message: `Your algorithm failed while it ran: ${firstLine(error)}` } satisfies Grade);
    }
  },
};

export type StudentApi = typeof api;
expose(api);

/** Posted once this module has loaded: an error event before it means the worker's file did not load (ui/workers.ts). */
export interface ReadyMessage {
  readonly weftReady: true;
}
postMessage({ weftReady: true } satisfies ReadyMessage);
