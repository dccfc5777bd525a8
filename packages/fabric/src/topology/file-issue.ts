/**
 * A topology file's first schema issue as one line: the field's path, what was there (missing,
 * or the value), which node or link it belongs to, and what the field accepts, phrased as the
 * file's other errors are (`nodes[2].kind: unknown kind "router"; accepted: gpu, …`). zod's own
 * text (`Invalid input: expected string, received undefined`) names neither the node nor what
 * a user may write.
 */
import type { z } from 'zod';
import { COMPUTE_CAPABILITY_RANGE } from '../types.js';
import { BANDWIDTH_UNITS_HELP } from '../units.js';
import { BANDWIDTH_RANGE_BYTES_PER_SEC, NODE_KINDS } from './validate.js';

/** What each field accepts, by its path with list indices as `[]`. Fields not listed (bandwidth, latency) carry their own message in the schema. */
const ACCEPTED: Readonly<Record<string, string>> = {
  name: 'a non-empty name',
  nodes: 'a list of at least one node, each { id, kind }',
  links: 'a list of links, each { from, to, bandwidth, latency }',
  ranks: 'a list of gpu or host node ids',
  'ranks[]': 'a gpu or host node id',
  sources: 'a list of texts (where the numbers come from)',
  'sources[]': 'a text (where a number comes from)',
  deviceMemoryBandwidth: `${BANDWIDTH_UNITS_HELP}, or a number of B/s, within ${BANDWIDTH_RANGE_BYTES_PER_SEC.text}`,
  computeCapability: `a number from ${COMPUTE_CAPABILITY_RANGE.text}, e.g. 9.0 (H100)`,
  routing: 'ecmp or adaptive (what --routing auto runs on this fabric)',
  'nodes[]': 'a node, { id, kind }',
  'nodes[].id': 'a non-empty name, e.g. gpu0',
  'nodes[].kind': `one of ${NODE_KINDS.join(', ')}`,
  'nodes[].group': 'a non-empty name (the server the node belongs to)',
  'nodes[].reduction': 'true or false',
  'nodes[].reductionEfficiency': 'a number, 0 < x <= 1',
  'links[]': 'a link, { from, to, bandwidth, latency }',
  'links[].from': 'the id of a node in nodes',
  'links[].to': 'the id of a node in nodes',
  'links[].duplex': 'true or false',
};

/** The longest value text a message repeats. */
const SHOWN_CHARS = 40;

/** `nodes[1].kind: missing for node "gpu1"; expected one of gpu, host, …`, or undefined for an issue whose own message says it. */
export function describeFileIssue(raw: unknown, issue: z.core.$ZodIssue, path: string): string | undefined {
  if (issue.code === 'unrecognized_keys' || issue.code === 'custom') return undefined;
  const key = issue.path.map((part) => (typeof part === 'number' ? '[]' : `.${String(part)}`)).join('').replace(/^\./, '');
  const accepted = ACCEPTED[key];
  if (accepted === undefined) return undefined;
  const value = valueAt(raw, issue.path);
  const got = value === undefined ? 'missing' : `cannot use ${shown(value)}`;
  return `${path}: ${got}${ownerOf(raw, issue.path)}; expected ${accepted}`;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let at = raw;
  for (const part of path) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<PropertyKey, unknown>)[part];
  }
  return at;
}

/** ` for node "gpu1"` / ` for link gpu0 → sw0` when the issue is inside one that says who it is. */
function ownerOf(raw: unknown, path: readonly PropertyKey[]): string {
  if (path.length < 3 || typeof path[1] !== 'number') return '';
  const item = valueAt(raw, path.slice(0, 2)) as Record<string, unknown> | undefined;
  if (path[0] === 'nodes' && typeof item?.id === 'string' && item.id !== '') return ` for node ${shown(item.id)}`;
  if (path[0] === 'links' && typeof item?.from === 'string' && typeof item.to === 'string') return ` for link ${shown(item.from)} → ${shown(item.to)}`;
  return '';
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS - 1)}…` : text;
}
