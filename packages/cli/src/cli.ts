import { Command, CommanderError } from 'commander';
import { isWeftInputError } from '@weft/sim';
import { closeSandboxes } from './user-algorithm/threads.js';

/** Exit codes: 0 ok, 1 internal error (stack kept), 2 bad input (one line, no stack). */
export const EXIT_USAGE = 2;

/**
 * Each command's definition, loaded on demand: a run imports only the modules its command
 * needs (`weft algos` never loads the topology parsers, zod, the runtime or the plotter),
 * which is most of the CLI's start-up time. In help order.
 */
const COMMANDS: Record<string, (program: Command) => Promise<void>> = {
  async bench(program) {
    const [{ COLLECTIVE_HELP }, { registerBench }] = await Promise.all([import('./bench/config.js'), import('./commands/bench.js')]);
    registerBench(
      program
        .command('bench')
        .argument('<collective>', COLLECTIVE_HELP)
        .description('nccl-tests for an emulated cluster: time, algbw, busbw, #wrong per size'),
    );
  },
  async algos(program) {
    const { checkAlgorithmFile, formatAlgorithms } = await import('./commands/algos.js');
    program
      .command('algos')
      .description('list the collective algorithms with their descriptions and constraints')
      .option('--check <file.mjs>', 'load a user-written algorithm module and check it symbolically (docs/writing-an-algorithm.md)')
      .option('--timeout <seconds>', 'with --check: a call into the module that does not return for this long (wall time) is stopped and named; 0 = none', '300')
      .action(async (options: { check?: string; timeout: string }) => {
        process.stdout.write(options.check !== undefined ? await checkAlgorithmFile(options.check, options.timeout) : formatAlgorithms());
      });
  },
  async topo(program) {
    const { runTopo } = await import('./commands/topo.js');
    program
      .command('topo')
      .argument('<spec|file>', 'preset spec or JSON/YAML topology file')
      .option('--dot <file>', 'write the topology as Graphviz DOT')
      .option('--json', 'print the summary as JSON')
      .option('--channels', 'also print the channels the topology search finds (rings and trees, as NCCL_DEBUG=INFO)')
      .description('summarize a topology: nodes, links, bandwidths, bisection')
      .action(runTopo);
  },
  async train(program) {
    (await import('./commands/train.js')).registerTrain(program);
  },
  async lab(program) {
    (await import('./commands/lab.js')).registerLab(program);
  },
};

/** The program with the command `args` names, or with every command (for help, suggestions, unknown names). */
async function buildProgram(args: readonly string[]): Promise<Command> {
  const program = new Command('weft')
    .description('Emulate the collective-communication layer of a GPU training cluster')
    .exitOverride()
    .configureOutput({
      // commander's own errors ("unknown option") become our one-line usage errors.
      outputError: (text, write) => write(text.replace(/^error: /, 'weft: ').split('\n')[0] + '\n'),
    })
    .showSuggestionAfterError(false);
  const named = args[0] !== undefined && Object.hasOwn(COMMANDS, args[0]) ? [args[0]] : Object.keys(COMMANDS);
  for (const name of named) await COMMANDS[name]!(program);
  return program;
}

/** The main job: `weft` with no arguments runs the default benchmark. */
async function defaultArgs(): Promise<string[]> {
  const { DEFAULT_JOB } = await import('./commands/bench.js');
  return ['bench', DEFAULT_JOB.collective, '--topology', DEFAULT_JOB.topology, '--algo', DEFAULT_JOB.algo,
    '-b', DEFAULT_JOB.minbytes, '-e', DEFAULT_JOB.maxbytes];
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const args = argv.length === 0 ? await defaultArgs() : [...argv];
  const program = await buildProgram(args);
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
      // (Imported here: the fabric package is not loaded by commands that do not need it.)
      const { escapeControl } = await import('@weft/fabric');
      process.stderr.write(`weft: ${escapeControl((error as Error).message)}\n`);
      return EXIT_USAGE;
    }
    throw error;
  } finally {
    // Threads of user modules (--algo ./x.mjs) end with the command.
    await closeSandboxes();
  }
}
