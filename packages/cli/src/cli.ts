import { Command, CommanderError } from 'commander';
import { WeftInputError, isWeftInputError } from '@weft/sim';
import { closeSandboxes } from './user-algorithm/threads.js';
import { WEFT_VERSION } from './version.js';
import { closedPipe, stdoutFailure } from './entry.js';

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
      .action(async (options: { check?: string; timeout: string }, command: Command) => {
        // Typed without --check it would bound nothing: refused rather than silently ignored.
        if (options.check === undefined && command.getOptionValueSource('timeout') === 'cli') {
          throw new WeftInputError('--timeout: bounds the calls --check makes into a module; give --check FILE.mjs (weft algos alone only lists)');
        }
        process.stdout.write(options.check !== undefined ? await checkAlgorithmFile(options.check, options.timeout) : formatAlgorithms());
      });
  },
  async topo(program) {
    const { runTopo } = await import('./commands/topo.js');
    program
      .command('topo')
      .argument('<spec|file>', 'preset spec or JSON/YAML topology file')
      .option('--dot <file>', "write the topology as Graphviz DOT (.dot or .gv); '-': on stdout, alone")
      .option('--json', 'print the summary as JSON')
      .option('--channels', 'also print the channels the topology search finds (rings and trees, as NCCL_DEBUG=INFO; with --json, a channels field)')
      .option('--save <file>', "write the topology as a topology file (.json, .yaml or .yml) that --topology loads back, to edit; '-': YAML on stdout, alone")
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

/**
 * commander's error as our one-line usage error: its "(Did you mean --format?)" line joined to
 * the first, and where to look when it has no suggestion: the commands, or the command's options.
 */
export function usageLine(text: string, command: string | undefined, args: readonly string[] = []): string {
  const parts = text.replace(/^error: /, '').split('\n').map((part) => part.trim()).filter((part) => part !== '');
  let line = `weft: ${parts.join(' ')}`;
  if (!line.includes('Did you mean')) {
    if (/^weft: unknown command /.test(line)) line += `; commands: ${Object.keys(COMMANDS).join(', ')}`;
    else if (/^weft: unknown option /.test(line)) line += `; weft ${command ?? ''}${command ? ' ' : ''}--help lists the options`;
  }
  // `weft bench --links allreduce`: --links takes an optional count, so commander read the
  // collective as that count and then missed the collective.
  const taken = args.findIndex((arg, i) => i > 0 && args[i - 1] === '--links' && !arg.startsWith('-'));
  if (/missing required argument 'collective'/.test(line) && taken > 0) {
    line += ` ('${args[taken]}' right after --links was read as its count: put the collective before the options, e.g. weft bench ${args[taken]} … --links)`;
  }
  return line + '\n';
}

/** The program with the command `args` names, or with every command (for help, suggestions, unknown names). */
async function buildProgram(args: readonly string[]): Promise<Command> {
  const command = args[0] !== undefined && Object.hasOwn(COMMANDS, args[0]) ? args[0] : undefined;
  const program = new Command('weft')
    .description('Emulate the collective-communication layer of a GPU training cluster')
    .exitOverride()
    .configureOutput({
      // commander's own errors ("unknown option") become our one-line usage errors.
      outputError: (text, write) => write(usageLine(text, command, args)),
    });
  // Before a command only: after one, `-V` is that command's (nccl-tests' -V, device_cta_count, which
  // printed weft's version and ran nothing, exit 0).
  if (command === undefined) program.version(`weft ${WEFT_VERSION}`, '-V, --version', 'print the version');
  const named = command !== undefined ? [command] : Object.keys(COMMANDS);
  for (const name of named) await COMMANDS[name]!(program);
  if (command === undefined) {
    // `weft --help`: say what `weft` alone does (every command is loaded for this help anyway).
    const { DEFAULT_JOB: job } = await import('./bench/schema.js');
    program.addHelpText('after', `\nWith no command, weft runs the main job: weft bench ${job.collective} --topology ${job.topology} --algo ${job.algo} -b ${job.minbytes} -e ${job.maxbytes} (real data in worker threads).`);
  }
  return program;
}

/** The main job: `weft` with no arguments runs the default benchmark. */
async function defaultArgs(): Promise<string[]> {
  const { DEFAULT_JOB } = await import('./commands/bench.js');
  return ['bench', DEFAULT_JOB.collective, '--topology', DEFAULT_JOB.topology, '--algo', DEFAULT_JOB.algo,
    '-b', DEFAULT_JOB.minbytes, '-e', DEFAULT_JOB.maxbytes];
}

let pipeWatched = false;

/**
 * A reader that stopped reading (`weft bench … | head`): stdout's next write fails with EPIPE,
 * an 'error' event no one handled, which Node reports with a stack. End quietly instead, as a
 * tool killed by SIGPIPE does (exit status 128 + 13): nothing more can reach the reader, and
 * output files are written only at the end of a run, so none is left half written.
 */
function endOnClosedPipe(): void {
  if (pipeWatched) return;
  pipeWatched = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') {
        // Output files still to write: finish the run for them (entry.ts closedPipe), then 141.
        if (stream === process.stdout && closedPipe.keepRunning) {
          closedPipe.closed = true;
          return;
        }
        process.exit(141);
      }
      // Any other failure (a full disk under `> results.json`): one line, exit 1.
      if (stream === process.stdout) process.stderr.write(stdoutFailure(error));
      process.exit(1);
    });
  }
}

export async function runCli(argv: readonly string[]): Promise<number> {
  endOnClosedPipe();
  const args = argv.length === 0 ? await defaultArgs() : [...argv];
  // `weft help NAME` for a NAME that is no command: commander would print the whole help and exit 2.
  if (args[0] === 'help' && args[1] !== undefined && !Object.hasOwn(COMMANDS, args[1])) {
    process.stderr.write(usageLine(`error: unknown command '${args[1]}'`, undefined));
    return EXIT_USAGE;
  }
  const program = await buildProgram(args);
  try {
    await program.parseAsync(args, { from: 'user' });
    return closedPipe.closed ? 141 : 0;
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
