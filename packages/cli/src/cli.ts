import { Command, CommanderError } from 'commander';
import { isWeftInputError } from '@weft/sim';
import { addBenchOptions, DEFAULT_JOB, runBench, type BenchOptions } from './commands/bench.js';
import { formatAlgorithms } from './commands/algos.js';
import { runTopo, type TopoOptions } from './commands/topo.js';
import { registerTrain } from './commands/train.js';
import { COLLECTIVE_NAMES } from './names.js';

/** Exit codes: 0 ok, 1 internal error (stack kept), 2 bad input (one line, no stack). */
export const EXIT_USAGE = 2;

function buildProgram(): Command {
  const program = new Command('weft')
    .description('Emulate the collective-communication layer of a GPU training cluster')
    .exitOverride()
    .configureOutput({
      // commander's own errors ("unknown option") become our one-line usage errors.
      outputError: (text, write) => write(text.replace(/^error: /, 'weft: ').split('\n')[0] + '\n'),
    })
    .showSuggestionAfterError(false);

  addBenchOptions(
    program
      .command('bench')
      .argument('<collective>', `one of: ${Object.keys(COLLECTIVE_NAMES).join(', ')}`)
      .description('nccl-tests for an emulated cluster: time, algbw, busbw, #wrong per size'),
  ).action((collective: string, options: BenchOptions) => runBench(collective, options));

  program
    .command('algos')
    .description('list the collective algorithms with their descriptions and constraints')
    .action(() => {
      process.stdout.write(formatAlgorithms());
    });

  program
    .command('topo')
    .argument('<spec|file>', 'preset spec or JSON/YAML topology file')
    .option('--dot <file>', 'write the topology as Graphviz DOT')
    .option('--json', 'print the summary as JSON')
    .description('summarize a topology: nodes, links, bandwidths, bisection')
    .action((spec: string, options: TopoOptions) => runTopo(spec, options));

  registerTrain(program);

  return program;
}

/** The main job: `weft` with no arguments runs the default benchmark. */
function defaultArgs(): string[] {
  return ['bench', DEFAULT_JOB.collective, '--topology', DEFAULT_JOB.topology, '--algo', DEFAULT_JOB.algo,
    '-b', DEFAULT_JOB.minbytes, '-e', DEFAULT_JOB.maxbytes];
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const args = argv.length === 0 ? defaultArgs() : [...argv];
  const program = buildProgram();
  try {
    await program.parseAsync(args, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; everything else commander rejects is bad input.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (isWeftInputError(error)) {
      process.stderr.write(`weft: ${(error as Error).message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
