/**
 * Scenarios in URLs and files. A scenario is a LabConfig (any subset; the rest from the
 * defaults) plus optional student code; `?s=` holds it as base64url JSON, so a shared link
 * replays the same run (the engine is deterministic), and `?scenario=URL` fetches one.
 * Validation names the field and what it accepts, in one sentence.
 */
import { listAlgorithms, type CollectiveName } from '@weft/collectives';
import { parseTopologySpec } from '@weft/fabric';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_CONFIG, type LabConfig } from '../engine/config.js';
import type { CustomExercise } from '../engine/exercise-list.js';

export interface Scenario {
  readonly config: LabConfig;
  readonly code?: string;
  /** An instructor's own exercise on this run: predict an algorithm's simulated time. */
  readonly exercise?: CustomExercise;
}

const toBase64Url = (text: string): string =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

const fromBase64Url = (text: string): string =>
  new TextDecoder().decode(Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)));

export const encodeScenario = (scenario: Scenario): string => toBase64Url(JSON.stringify(scenario));

const isPositiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

/** A scenario from untrusted JSON: defaults filled in, every field checked. Throws one sentence. */
export function parseScenario(value: unknown): Scenario {
  if (typeof value !== 'object' || value === null) throw new Error('A scenario is a JSON object with a "config" field.');
  const raw = value as Record<string, unknown>;
  const given = (raw.config ?? {}) as Record<string, unknown>;
  const config = { ...DEFAULT_CONFIG, ...given } as LabConfig;
  try {
    parseTopologySpec(config.topology);
  } catch (error) {
    throw new Error(`config.topology: ${(error as Error).message}`);
  }
  const names = listAlgorithms(config.collective as CollectiveName).map((a) => a.name);
  if (names.length === 0) throw new Error(`config.collective: '${String(config.collective)}' is not a collective weft knows.`);
  const unknown = config.algorithms.filter((a) => !names.includes(a));
  if (!Array.isArray(config.algorithms) || config.algorithms.length === 0 || unknown.length > 0) {
    throw new Error(`config.algorithms: ${unknown.length ? `'${unknown.join(', ')}' is not` : 'name at least one of'} ${config.collective}'s algorithms (${names.join(', ')}).`);
  }
  if (!Array.isArray(config.sizesBytes) || !config.sizesBytes.every(isPositiveInt)) throw new Error('config.sizesBytes: a list of whole numbers of bytes, each at least 1.');
  if (!isPositiveInt(config.focusBytes)) throw new Error('config.focusBytes: a whole number of bytes, at least 1.');
  if (!['ecmp', 'adaptive'].includes(config.routing)) throw new Error("config.routing: 'ecmp' or 'adaptive'.");
  if (!['maxMin', 'alphaBeta'].includes(config.network)) throw new Error("config.network: 'maxMin' or 'alphaBeta'.");
  if (!isPositiveInt(config.qps) || config.qps > 64) throw new Error('config.qps: a whole number from 1 to 64.');
  if (!Number.isInteger(config.channels) || config.channels < 0 || config.channels > 64) throw new Error('config.channels: 0 (auto) or a whole number up to 64.');
  return {
    config,
    ...(typeof raw.code === 'string' ? { code: raw.code } : {}),
    ...(raw.exercise !== undefined ? { exercise: parseExercise(raw.exercise, config) } : {}),
  };
}

function parseExercise(value: unknown, config: LabConfig): CustomExercise {
  const e = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof e.prompt !== 'string' || e.prompt.trim() === '') throw new Error('exercise.prompt: the text the student reads (a string).');
  const algorithm = e.algorithm ?? config.algorithms[0];
  if (typeof algorithm !== 'string' || !config.algorithms.includes(algorithm)) {
    throw new Error(`exercise.algorithm: one of the scenario's algorithms (${config.algorithms.join(', ')}).`);
  }
  const tolerance = e.tolerance ?? 0.1;
  if (typeof tolerance !== 'number' || !(tolerance > 0 && tolerance < 1)) throw new Error('exercise.tolerance: the relative error that passes, between 0 and 1 (0.1 is 10 %).');
  return { title: typeof e.title === 'string' ? e.title : 'Your instructor\u2019s exercise', prompt: e.prompt, algorithm, tolerance };
}

/** A scenario file's text: YAML or JSON (YAML reads both). */
export function parseScenarioText(text: string, name: string): Scenario {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new Error(`${name} is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  return parseScenario(value);
}

/** The scenario the page's URL names: `?s=` inline, `?scenario=` a URL to fetch, or none. */
export async function scenarioFromUrl(search: string): Promise<Scenario | null> {
  const params = new URLSearchParams(search);
  const inline = params.get('s');
  if (inline !== null) {
    let json: unknown;
    try {
      json = JSON.parse(fromBase64Url(inline));
    } catch {
      throw new Error('The link\u2019s scenario (?s=) is damaged: it is not base64url JSON. Ask for the link again.');
    }
    return parseScenario(json);
  }
  const url = params.get('scenario');
  if (url !== null) {
    const response = await fetch(url).catch(() => null);
    if (response === null || !response.ok) throw new Error(`The scenario file '${url}' could not be loaded.`);
    return parseScenarioText(await response.text(), `The scenario file '${url}'`);
  }
  return null;
}

export function shareUrl(scenario: Scenario): string {
  const url = new URL(window.location.href);
  url.search = `?s=${encodeScenario(scenario)}`;
  return url.toString();
}
