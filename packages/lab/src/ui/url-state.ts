/**
 * Scenarios in URLs: `?s=` holds one as base64url JSON, so a shared link replays the same run
 * (the engine is deterministic), and `?scenario=URL` fetches a JSON/YAML file. The engine
 * worker parses and checks them (engine/scenario.ts), so the page loads no schema code.
 */
import type { Scenario } from '../engine/scenario.js';
import { engineWorker } from './workers.js';

export type { Scenario } from '../engine/scenario.js';

const toBase64Url = (text: string): string =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

const fromBase64Url = (text: string): string =>
  new TextDecoder().decode(Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)));

export const encodeScenario = (scenario: Scenario): string => toBase64Url(JSON.stringify(scenario));

/** A scenario file's text (YAML or JSON), checked in the engine worker. */
export const parseScenarioText = (text: string, name: string): Promise<Scenario> => engineWorker().parseScenarioText(text, name);

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
    return engineWorker().parseScenario(json);
  }
  const url = params.get('scenario');
  if (url !== null) {
    const response = await fetch(url).catch(() => null);
    // Say why: a typo in the path (404) and an unreachable host read differently to a teacher.
    if (response === null) {
      // fetch says no more than "failed": from another site the usual cause is CORS, which the browser alone knows.
      let foreign = false;
      try {
        foreign = new URL(url, window.location.href).origin !== window.location.origin;
      } catch {
        // Not a URL at all: fetch failed on that, and "did not answer" stands.
      }
      const why = foreign ? 'the server did not answer, or does not allow other sites to read it (CORS: it must send Access-Control-Allow-Origin)' : 'the server did not answer';
      throw new Error(`The scenario file '${url}' could not be loaded (${why}).`);
    }
    if (!response.ok) throw new Error(`The scenario file '${url}' could not be loaded (HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}).`);
    return parseScenarioText(await response.text(), `The scenario file '${url}'`);
  }
  return null;
}

export function shareUrl(scenario: Scenario): string {
  const url = new URL(window.location.href);
  url.search = `?s=${encodeScenario(scenario)}`;
  return url.toString();
}
