/**
 * Topology files (JSON or YAML), for fabrics no preset describes:
 *
 *   name: my-fabric                       # optional, defaults to the file name
 *   nodes:
 *     - { id: gpu0, kind: gpu, group: node0 }
 *     - { id: sw0, kind: switch, reduction: true }
 *   links:
 *     - { from: gpu0, to: sw0, bandwidth: 400Gbps, latency: 1us }   # duplex by default
 *     - { from: sw0, to: gpu1, bandwidth: 5e10, latency: 500, duplex: false }
 *   ranks: [gpu0, gpu1]                   # optional: all gpu/host nodes in file order
 *   sources: ["where the numbers come from"]
 *   deviceMemoryBandwidth: 3.35TB/s      # optional: one GPU's HBM, for device-local copies (default H100's)
 *   computeCapability: 9.0                # optional: the GPUs' CUDA compute capability (NCCL's channel search,
 *                                         #   its tuner, and an NVSwitch's default NVLS efficiency); without it
 *                                         #   `auto` picks by weft's own predictions
 *   routing: adaptive                     # optional: what --routing auto runs here (ecmp or adaptive; default ecmp)
 *
 * Bandwidth: a unit string ("400Gbps", "50GB/s") or a number in bytes/s. Latency: a unit
 * string ("1us") or a number in ns. A duplex link becomes two directed links, from→to then
 * to→from. Bandwidths are used as written (no efficiency factor is applied). A node with
 * `reduction: true` reduces in the switch at `reductionEfficiency` of its links' rate (0 < x <= 1);
 * an NVSwitch without one takes NCCL's nvlsEfficiency for the file's GPU generation
 * (computeCapability 9.x: 0.85, 10.x and later: 0.74; hardware.json nvls.*Efficiency), as the
 * presets do, else 1. Every error names the field path, e.g. `links[3].bandwidth: must be > 0, got 0`.
 */
import { WeftInputError } from '@weft/sim';
import { parseDocument as parseYamlDocument, stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import { COMPUTE_CAPABILITY_RANGE, ENDPOINT_KINDS, type NodeKind, type Topology } from '../types.js';
import { parseBandwidth, parseLatency, BANDWIDTH_UNITS_HELP, LATENCY_UNITS_HELP } from '../units.js';
import { hardwareFactor } from '../presets/hardware.js';
import { TopologyBuilder } from './builder.js';
import { describeFileIssue } from './file-issue.js';
import { yamlProblemLine } from './yaml-problem.js';
import { BANDWIDTH_RANGE_BYTES_PER_SEC, LATENCY_RANGE_NS, NODE_KINDS, validateTopology } from './validate.js';

/**
 * The file's schema, built at first use: a run on a preset never builds it, nor has V8 compile
 * the zod code only it uses (z.object and its checks; benchmarks/results/smpi.md §36).
 */
function buildFileSchema() {
  const NodeSchema = z
    .object({ id: z.string().min(1), kind: z.string(), group: z.string().min(1).optional(), reduction: z.boolean().optional(), reductionEfficiency: z.number().gt(0).lte(1).optional() })
    .strict();
  /** What a link's bandwidth and latency accept, said when a value is missing, NaN or infinite. */
  const bandwidthField = z.union([z.string(), z.number()], {
    message: `missing or not a bandwidth; expected ${BANDWIDTH_UNITS_HELP}, or a finite number of B/s, within ${BANDWIDTH_RANGE_BYTES_PER_SEC.text}`,
  });
  const latencyField = z.union([z.string(), z.number()], {
    message: `missing or not a latency; expected ${LATENCY_UNITS_HELP}, or a finite number of ns, within ${LATENCY_RANGE_NS.text}`,
  });
  const LinkSchema = z
    .object({
      from: z.string().min(1),
      to: z.string().min(1),
      bandwidth: bandwidthField,
      latency: latencyField,
      duplex: z.boolean().optional(),
    })
    .strict();
  return z
    .object({
      name: z.string().min(1).optional(),
      nodes: z.array(NodeSchema).min(1),
      links: z.array(LinkSchema),
      ranks: z.array(z.string()).optional(),
      sources: z.array(z.string()).optional(),
      deviceMemoryBandwidth: z.union([z.string(), z.number()]).optional(),
      computeCapability: z.number().min(COMPUTE_CAPABILITY_RANGE.min).max(COMPUTE_CAPABILITY_RANGE.max).optional(),
      routing: z.enum(FILE_ROUTINGS).optional(),
    })
    .strict();
}

/** The routings a file may name as its default (`spray` is a packet-model choice, not a fabric's default). */
export const FILE_ROUTINGS = ['ecmp', 'adaptive'] as const;

let fileSchema: ReturnType<typeof buildFileSchema> | undefined;

export type TopologyFile = z.infer<ReturnType<typeof buildFileSchema>>;

const FIELD_HELP: Readonly<Record<string, string>> = {
  '': `top-level keys: name, nodes, links, ranks, sources, deviceMemoryBandwidth, computeCapability (${COMPUTE_CAPABILITY_RANGE.text}), routing (${FILE_ROUTINGS.join(' or ')})`,
  nodes: 'node keys: id, kind, group, reduction, reductionEfficiency (0 < x <= 1)',
  links: 'link keys: from, to, bandwidth, latency, duplex',
};

/** Parses and validates a topology file's text; `fileName` picks the format and names errors. */
export function parseTopologyText(text: string, fileName: string): Topology {
  const raw = parseConfigText(text, fileName);
  // An empty file (or one holding only comments) parses to null: say so, and what a file holds.
  if (raw === null || raw === undefined) throw new WeftInputError(`${fileName}: the file is empty; a topology file is an object with ${FIELD_HELP['']}`);
  const result = (fileSchema ??= buildFileSchema()).safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = formatPath(issue.path);
    const section = typeof issue.path[0] === 'string' && issue.path.length <= 2 ? issue.path[0] : '';
    const hint = issue.code === 'unrecognized_keys' ? `; accepted ${FIELD_HELP[section] ?? ''}` : '';
    throw new WeftInputError(`${fileName}: ${describeFileIssue(raw, issue, path) ?? `${path || '(top level)'}: ${issue.message}${hint}`}`);
  }
  try {
    return buildFromFile(result.data, fileName);
  } catch (error) {
    if (error instanceof WeftInputError) throw new WeftInputError(`${fileName}: ${error.message}`);
    throw error;
  }
}

/** A JSON or YAML document (by `fileName`'s extension) as plain data; one-line errors naming the file. */
export function parseConfigText(text: string, fileName: string): unknown {
  if (/\.json$/i.test(fileName)) {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new WeftInputError(`${fileName}: invalid JSON: ${firstLine((error as Error).message)}`);
    }
  }
  if (/\.ya?ml$/i.test(fileName)) {
    // Warnings (an unknown tag such as !!js/function) are refused like errors: the yaml
    // package would otherwise print them on stderr and go on with the tag dropped.
    const document = parseYamlDocument(text, { logLevel: 'silent', prettyErrors: false });
    const problem = document.errors[0] ?? document.warnings[0];
    if (problem !== undefined) throw new WeftInputError(`${fileName}: invalid YAML: ${yamlProblemLine(problem, text)}`);
    try {
      return document.toJS({ maxAliasCount: 1000 });
    } catch (error) {
      throw new WeftInputError(`${fileName}: invalid YAML: ${firstLine((error as Error).message)}`);
    }
  }
  throw new WeftInputError(`${fileName}: unknown file type; accepted extensions: .json, .yaml, .yml`);
}

/**
 * NCCL's nvlsEfficiency for GPUs of `computeCapability` (hardware.json, as the presets carry it on
 * their NVSwitch), or undefined before Hopper or unnamed. Without it a hand-written DGX H100 ran
 * NVLS at the full link rate: 545 GB/s busbw where the preset (and NCCL, ≈ 480) gives 464.
 */
function nvlsEfficiencyOf(computeCapability: number | undefined): number | undefined {
  if (computeCapability === undefined || computeCapability < 9) return undefined;
  return hardwareFactor(computeCapability >= 10 ? 'nvls.blackwellEfficiency' : 'nvls.hopperEfficiency');
}

function buildFromFile(file: TopologyFile, fileName: string): Topology {
  const b = new TopologyBuilder();
  const seen = new Set<string>();
  file.nodes.forEach((node, i) => {
    if (!NODE_KINDS.includes(node.kind as NodeKind)) {
      throw new WeftInputError(`nodes[${i}].kind: unknown kind "${node.kind}"; accepted: ${NODE_KINDS.join(', ')}`);
    }
    if (seen.has(node.id)) throw new WeftInputError(`nodes[${i}].id: duplicate node id "${node.id}"; node ids must be unique`);
    seen.add(node.id);
    const options: { group?: string; reduction?: boolean; reductionEfficiency?: number } = {};
    if (node.group !== undefined) options.group = node.group;
    if (node.reduction !== undefined) options.reduction = node.reduction;
    if (node.reductionEfficiency !== undefined) options.reductionEfficiency = node.reductionEfficiency;
    else if (node.kind === 'nvswitch' && node.reduction === true) {
      const efficiency = nvlsEfficiencyOf(file.computeCapability);
      if (efficiency !== undefined) options.reductionEfficiency = efficiency;
    }
    b.addNode(node.id, node.kind as NodeKind, options);
  });
  file.links.forEach((link, i) => {
    for (const end of ['from', 'to'] as const) {
      if (!seen.has(link[end])) throw new WeftInputError(`links[${i}].${end}: unknown node "${link[end]}"; links must name nodes declared in nodes`);
    }
    if (link.from === link.to) throw new WeftInputError(`links[${i}]: link from "${link.from}" to itself; a link must join two different nodes`);
    const bandwidth = readBandwidth(link.bandwidth, `links[${i}].bandwidth`);
    const latency = readLatency(link.latency, `links[${i}].latency`);
    if (link.duplex === false) b.addLink(link.from, link.to, bandwidth, latency);
    else b.addDuplex(link.from, link.to, bandwidth, latency);
  });
  const kindOf = new Map(file.nodes.map((n) => [n.id, n.kind]));
  const ranks = file.ranks ?? file.nodes.filter((n) => ENDPOINT_KINDS.includes(n.kind as NodeKind)).map((n) => n.id);
  if (file.ranks) {
    file.ranks.forEach((id, r) => {
      const kind = kindOf.get(id);
      if (kind === undefined) throw new WeftInputError(`ranks[${r}]: unknown node "${id}"; ranks must name ${ENDPOINT_KINDS.join('/')} nodes`);
      if (!ENDPOINT_KINDS.includes(kind as NodeKind)) throw new WeftInputError(`ranks[${r}]: node "${id}" is a ${kind}; ranks must be endpoints (${ENDPOINT_KINDS.join(', ')})`);
    });
  }
  const built = b.build(file.name ?? fileName, ranks, file.sources);
  return validateTopology({
    ...built,
    ...(file.deviceMemoryBandwidth !== undefined ? { deviceMemoryBandwidthBytesPerSec: readBandwidth(file.deviceMemoryBandwidth, 'deviceMemoryBandwidth') } : {}),
    ...(file.computeCapability !== undefined ? { computeCapability: file.computeCapability } : {}),
    ...(file.routing !== undefined ? { defaultRouting: file.routing } : {}),
  });
}

function readBandwidth(value: string | number, path: string): number {
  if (typeof value === 'number' && (!(value > 0) || !Number.isFinite(value))) {
    throw new WeftInputError(`${path}: must be > 0, got ${value}; expected bytes per second or ${BANDWIDTH_UNITS_HELP}`);
  }
  const bytesPerSec = typeof value === 'string' ? parseBandwidth(value, path) : value;
  return inRange(bytesPerSec, BANDWIDTH_RANGE_BYTES_PER_SEC, path, `${bytesPerSec} B/s`);
}

function readLatency(value: string | number, path: string): number {
  if (typeof value === 'number' && (!(value >= 0) || !Number.isFinite(value))) {
    throw new WeftInputError(`${path}: must be >= 0, got ${value}; expected nanoseconds or ${LATENCY_UNITS_HELP}`);
  }
  const latencyNs = typeof value === 'string' ? parseLatency(value, path) : value;
  return inRange(latencyNs, LATENCY_RANGE_NS, path, `${latencyNs} ns`);
}

/** The value, or a one-line error naming the field (the file's own path) and the physical range. */
export function inRange(value: number, range: { readonly min: number; readonly max: number; readonly text: string }, what: string, shown: string): number {
  if (value >= range.min && value <= range.max) return value;
  throw new WeftInputError(`${what}: ${shown} is outside the physical range ${range.text}`);
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

/**
 * A topology as a file object that parses back to an identical topology: numbers in
 * bytes/s and ns; a link immediately followed by its exact reverse is written once as
 * duplex (preserving link order, hence link ids).
 */
export function topologyToFile(topology: Topology): TopologyFile {
  const links: TopologyFile['links'] = [];
  const all = topology.links;
  for (let i = 0; i < all.length; i++) {
    const link = all[i]!;
    const next = all[i + 1];
    const isReverse = next !== undefined && next.from === link.to && next.to === link.from && next.bandwidthBytesPerSec === link.bandwidthBytesPerSec && next.latencyNs === link.latencyNs;
    links.push({ from: link.from, to: link.to, bandwidth: link.bandwidthBytesPerSec, latency: link.latencyNs, duplex: isReverse });
    if (isReverse) i++;
  }
  const file: TopologyFile = {
    name: topology.name,
    nodes: topology.nodes.map((n) => ({ id: n.id, kind: n.kind, ...(n.group !== undefined ? { group: n.group } : {}), ...(n.reduction ? { reduction: true } : {}), ...(n.reductionEfficiency !== undefined ? { reductionEfficiency: n.reductionEfficiency } : {}) })),
    links,
    ranks: [...topology.ranks],
  };
  if (topology.sources && topology.sources.length > 0) file.sources = [...topology.sources];
  if (topology.deviceMemoryBandwidthBytesPerSec !== undefined) file.deviceMemoryBandwidth = topology.deviceMemoryBandwidthBytesPerSec;
  if (topology.computeCapability !== undefined) file.computeCapability = topology.computeCapability;
  if (topology.defaultRouting === 'ecmp' || topology.defaultRouting === 'adaptive') file.routing = topology.defaultRouting;
  return file;
}

/** JSON text for `topologyToFile`. */
export function topologyToJson(topology: Topology): string {
  return JSON.stringify(topologyToFile(topology), null, 2) + '\n';
}

/** YAML text for `topologyToFile`. */
export function topologyToYaml(topology: Topology): string {
  return stringifyYaml(topologyToFile(topology));
}
