import { channelRings, channelTrees, formatChannels, formatGraphs, searchChannelCount, searchGraphs } from '@weft/collectives';
import { alphaBetaCost, formatTopologySummary, rankLayout, summarizeTopology, topologyToDot, topologyToJson, topologyToYaml, type TopoLink, type Topology } from '@weft/fabric';
import { WeftInputError } from '@weft/sim';
import { assertDistinct, assertWritable, writeFileAtomic } from '../output.js';
import { loadTopology, topologyInputs } from '../topology.js';

export interface TopoOptions {
  dot?: string;
  json?: boolean;
  channels?: boolean;
  save?: string;
}

/** `weft topo SPEC|FILE`: a summary of the topology, optionally as JSON, or a DOT file. */
export function runTopo(specOrFile: string, options: TopoOptions): void {
  // `--dot -`: the DOT alone on stdout (a summary beside it would not parse as DOT).
  const dotToStdout = options.dot === '-';
  if (dotToStdout) {
    const other = options.json ? '--json' : options.channels ? '--channels' : undefined;
    if (other !== undefined) throw new WeftInputError(`--dot: '-' puts the DOT alone on stdout; not with ${other} (write the DOT to a file instead)`);
  } else if (options.dot !== undefined) {
    if (!/\.(dot|gv)$/i.test(options.dot)) throw new WeftInputError(`--dot: '${options.dot}' must end in .dot or .gv (or be '-' for stdout)`);
    assertWritable('--dot', options.dot);
    assertDistinct([['--dot', options.dot]], topologyInputs(specOrFile));
  }
  if (options.save !== undefined) checkSave(options, specOrFile);
  const topology = loadTopology(specOrFile, '<spec|file>');
  if (options.save === '-') {
    process.stdout.write(topologyToYaml(topology));
    return;
  }
  if (options.save !== undefined) writeFileAtomic(options.save, /\.json$/i.test(options.save) ? topologyToJson(topology) : topologyToYaml(topology));
  if (dotToStdout) {
    process.stdout.write(topologyToDot(topology));
    return;
  }
  const summary = summarizeTopology(topology);
  const channels = options.channels === true ? searchedChannels(topology) : undefined;
  if (options.json) {
    // One JSON document: every link by the id --fault names it by, and the channels as a field,
    // not NCCL's text lines after it.
    const document = { ...summary, links: topology.links.map(linkJson), ...(channels === undefined ? {} : { channels: channels.json() }) };
    process.stdout.write(JSON.stringify(document, null, 2) + '\n');
  } else {
    process.stdout.write(formatTopologySummary(summary) + '\n');
    if (channels !== undefined) process.stdout.write(channels.lines().join('\n') + '\n');
  }
  if (options.dot !== undefined) writeFileAtomic(options.dot, topologyToDot(topology));
}

/**
 * `--save FILE`: the topology as a topology file (.json, .yaml or .yml; '-': YAML on stdout, alone)
 * that `--topology FILE` loads back to the same topology: a preset to start editing from (NICs per
 * server, uplinks), where `--json` is a summary that does not load.
 */
function checkSave(options: TopoOptions, specOrFile: string): void {
  const save = options.save!;
  if (save === '-') {
    const other = options.json ? '--json' : options.channels ? '--channels' : options.dot === '-' ? '--dot -' : undefined;
    if (other !== undefined) throw new WeftInputError(`--save: '-' puts the topology file alone on stdout; not with ${other} (save to a file instead)`);
    return;
  }
  if (!/\.(json|ya?ml)$/i.test(save)) throw new WeftInputError(`--save: '${save}' must end in .json, .yaml or .yml (or be '-' for YAML on stdout)`);
  assertWritable('--save', save);
  assertDistinct([['--save', save], ...(options.dot !== undefined && options.dot !== '-' ? [['--dot', options.dot] as const] : [])], topologyInputs(specOrFile));
}

/** A link as `--json` lists it: its id (what `--fault link=ID` takes), ends, bandwidth and latency. */
function linkJson(link: TopoLink): object {
  const { id, from, to, bandwidthBytesPerSec, latencyNs, bufferBytes } = link;
  return { id, from, to, bandwidthBytesPerSec, latencyNs, ...(bufferBytes === undefined ? {} : { bufferBytes }) };
}

/**
 * What NCCL's topology search finds on `topology` (NCCL_DEBUG=INFO's view): each pattern's searched
 * graph (what NCCL's tuner reads), then the ring and tree of every channel; as NCCL's log lines, or
 * as data for --json (a tree: each rank's parent, -1 at the root, and children).
 */
function searchedChannels(topology: Topology): { lines(): string[]; json(): object } {
  const layout = rankLayout(topology);
  const nranks = topology.ranks.length;
  const cost = alphaBetaCost(topology);
  const count = searchChannelCount(layout, nranks, cost);
  const graphs = searchGraphs(layout, nranks, cost);
  return {
    lines: () => [...formatGraphs(graphs), ...formatChannels(layout, nranks, count)],
    json: () => ({
      count,
      graphs,
      rings: channelRings(layout, nranks, count),
      trees: channelTrees(layout, nranks, count).map((tree) => ({ root: tree.root, parent: tree.parent, children: tree.children })),
    }),
  };
}
