import { Command, CommanderError } from 'commander';
import { isWeftInputError } from '@weft/sim';
import { escapeControl } from '@weft/fabric';
import { COLLECTIVE_HELP } from './bench/config.js';
import { DEFAULT_JOB, registerBench } from './commands/bench.js';
import { checkAlgorithmFile, formatAlgorithms } from './commands/algos.js';
import { runTopo, type TopoOptions } from './commands/topo.js';
import { registerTrain } from './commands/train.js';
import { registerLab } from './commands/lab.js';

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

  registerBench(
    program
      .command('bench')
      .argument('<collective>', COLLECTIVE_HELP)
      .description('nccl-tests for an emulated cluster: time, algbw, busbw, #wrong per size'),
  );

  program
    .command('algos')
    .description('list the collective algorithms with their descriptions and constraints')
    .option('--check <file.mjs>', 'load a user-written algorithm module and check it symbolically (docs/writing-an-algorithm.md)')
    .action(async (options: { check?: string }) => {
      process.stdout.write(options.check !== undefined ? await checkAlgorithmFile(options.check) : formatAlgorithms());
    });

  program
    .command('topo')
    .argument('<spec|file>', 'preset spec or JSON/YAML topology file')
    .option('--dot <file>', 'write the topology as Graphviz DOT')
    .option('--json', 'print the summary as JSON')
    .option('--channels', 'also print the channels the topology search finds (rings and trees, as NCCL_DEBUG=INFO)')
    .description('summarize a topology: nodes, links, bandwidths, bisection')
    .action((spec: string, options: TopoOptions) => runTopo(spec, options));

  registerTrain(program);
  registerLab(program);

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
      // One line, whatever the message quotes (a file's node id, a flag's text): control
      // characters, newlines included, are escaped so nothing can forge output lines.
      process.stderr.write(`weft: ${escapeControl((error as Error).message)}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
}
