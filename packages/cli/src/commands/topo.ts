import { formatChannels, formatGraphs, searchChannelCount, searchGraphs } from '@weft/collectives';
import { alphaBetaCost, formatTopologySummary, rankLayout, summarizeTopology, topologyToDot } from '@weft/fabric';
import { WeftInputError } from '@weft/sim';
import { assertDistinct, assertWritable, writeFileAtomic } from '../output.js';
import { loadTopology, topologyInputs } from '../topology.js';

export interface TopoOptions {
  dot?: string;
  json?: boolean;
  channels?: boolean;
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
  const topology = loadTopology(specOrFile);
  if (dotToStdout) {
    process.stdout.write(topologyToDot(topology));
    return;
  }
  const summary = summarizeTopology(topology);
  process.stdout.write(options.json ? JSON.stringify(summary, null, 2) + '\n' : formatTopologySummary(summary) + '\n');
  if (options.channels === true) {
    // NCCL_DEBUG=INFO's view: each pattern's searched graph (what NCCL's tuner reads), then the
    // rings and trees of every channel the topology search finds.
    const layout = rankLayout(topology);
    const nranks = topology.ranks.length;
    const cost = alphaBetaCost(topology);
    const channels = searchChannelCount(layout, nranks, cost);
    process.stdout.write([...formatGraphs(searchGraphs(layout, nranks, cost)), ...formatChannels(layout, nranks, channels)].join('\n') + '\n');
  }
  if (options.dot !== undefined) writeFileAtomic(options.dot, topologyToDot(topology));
}
