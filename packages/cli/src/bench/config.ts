/**
 * `weft bench`'s configuration: the flag table and schema of schema.ts as commander's
 * options, and the validated flags plus algorithms (BenchConfig) the sweep, the formatters
 * and the report read.
 */
import { Option, type Command } from 'commander';
import type { Algorithm, CollectiveName, DType, NcclEnvironment, ReduceOp } from '@weft/collectives';
import type { RoutingName } from '@weft/fabric';
import { WeftInputError } from '@weft/sim';
import { CLI_COLLECTIVES, orList } from '../names.js';
import { readInputFile } from '../input-file.js';
import { BENCH_FLAGS, benchSchema, flagLabel, issueLine, type BenchFlags, type Flag, type FlagKey } from './schema.js';

export { BENCH_FLAGS, DEFAULT_JOB, MAX_CHUNKS_PER_MESSAGE, PROTOS, flagLabel, type BenchFlags } from './schema.js';

/** The one schema, with `--scenario` read from disk. */
export const BENCH_SCHEMA = benchSchema(readInputFile);

/** Flags that were renamed: given, they fail with one line naming the new spelling. */
const RETIRED_FLAGS: readonly { readonly flags: string; readonly now: string }[] = [
  { flags: '--model <name>', now: '--network (alphaBeta or maxMin); --model is the ML model in weft train' },
];

/**
 * nccl-tests' flags that have no counterpart here: given (as an nccl-tests user types them),
 * each fails with one line saying why and what to use, instead of commander's bare
 * "unknown option". (-T, its watchdog, is --timeout's short form.)
 */
const NCCL_TESTS_ONLY: readonly { readonly flags: string; readonly why: string; readonly noop?: string }[] = [
  { flags: '-t, --nthreads <n>', noop: '1', why: 'weft has no host threads to set; ranks are the topology\'s GPUs: --topology dgx-h100:nodes=1 (8 H100s) or --ranks N (switch:N)' },
  { flags: '-g, --ngpus <n>', noop: '1', why: 'weft has no local GPUs to count; ranks are the topology\'s GPUs: --topology dgx-h100:nodes=1 (8 H100s) or --ranks N (switch:N)' },
  { flags: '-m, --agg_iters <n>', noop: '1', why: 'aggregated launches are not modelled; each iteration is one collective (-n sets how many are timed)' },
  { flags: '-p, --parallel_init <0|1>', noop: '0', why: 'there is no communicator set-up to parallelize; the emulated ranks start together' },
  { flags: '-z, --blocking <0|1>', noop: '0', why: 'there is no host stream to block on; time is the simulated completion of the collective' },
  { flags: '-y, --stream_null <0|1>', noop: '0', why: 'there is no CUDA stream to choose; time is the simulated completion of the collective' },
  { flags: '-G, --cudagraph <n>', noop: '0', why: 'CUDA graphs are not modelled; every collective is charged its launch latency (--proto, NCCL\'s tuning.cc)' },
  { flags: '-C, --report_cputime <0|1>', noop: '0', why: 'time is simulated; the wall column already gives how long weft took' },
  { flags: '-a, --average <0|1|2|3>', noop: '1', why: 'time is the collective\'s own, from its start to when its last rank ends; there are no per-rank times to average' },
  { flags: '-R, --local_register <0|1|2>', noop: '0', why: 'buffer registration is not modelled' },
  { flags: '-N, --run_cycles <n>', noop: '1', why: 'results are deterministic: one cycle gives them; -n sets the timed iterations' },
  { flags: '-F, --output_file <file>', why: 'weft writes its results with --out FILE.csv (or FILE.json, or --format csv on stdout)' },
  // Newer nccl-tests (its common.cu longopts): JSON output, timestamps, NCCL's device API and CTA controls, memory report.
  { flags: '-J, --output_file_json <file>', why: 'weft writes JSON with --out FILE.json (or --format json on stdout; schema: docs/bench-json.md)' },
  { flags: '-S, --report_timestamps <0|1>', noop: '0', why: 'time is simulated: a row has no wall-clock timestamp (the wall column gives how long weft took)' },
  { flags: '-x, --cta_policy <n>', noop: '0', why: 'NCCL\'s CTA policies are not modelled; channels are: --channels N' },
  { flags: '-D, --device_implementation <n>', noop: '0', why: 'NCCL\'s device-initiated (device API) kernels are not modelled' },
  { flags: '-V, --device_cta_count <n>', why: 'CTA counts are not modelled; channels are (NCCL nChannels): --channels N' },
  { flags: '-M, --memory <0|1>', noop: '0', why: 'GPU memory use is not modelled (data mode says when the run would not fit this machine\'s memory)' },
];

const COMMANDER_KEYS = new Map<FlagKey, string>(
  Object.entries(BENCH_FLAGS).map(([key, f]) => [key as FlagKey, new Option(f.flags).attributeName()]),
);

/** One algorithm a sweep runs: a registered or user algorithm, or `auto` (picked per size). */
export interface BenchAlgorithm {
  /** As printed in the table (`auto` rows print `auto(<picked>)`). */
  readonly name: string;
  readonly algorithm: Algorithm | 'auto';
  /** Came from `all` rather than by name: skipped (and listed) where it cannot run. */
  readonly fromAll: boolean;
  /** A user's module (`--algo ./x.mjs`): its path, as given. */
  readonly modulePath?: string;
}

/** Everything a benchmark sweep needs, validated; `--routing auto` resolved against the topology (commands/bench.ts benchConfig). */
export interface BenchConfig extends Omit<BenchFlags, 'routing' | 'dtype' | 'op'> {
  /** One type: `-d all` runs one sweep per type (commands/bench.ts). */
  readonly dtype: DType;
  /** One op: `-o all` runs one sweep per op (commands/bench.ts). */
  readonly op: ReduceOp;
  readonly routing: RoutingName;
  readonly collective: CollectiveName;
  readonly algorithms: readonly BenchAlgorithm[];
  /** NCCL_ALGO, NCCL_PROTO and the other NCCL_* variables, as they apply to this run (bench/nccl-env.ts). */
  readonly ncclEnv?: NcclEnvironment;
}

/** Commander's attribute name for a flag (`--ranks-per-worker` → ranksPerWorker). */
export function flagAttribute(key: FlagKey): string {
  return COMMANDER_KEYS.get(key)!;
}

/** Adds every bench flag (and, hidden, the retired ones and nccl-tests' flags weft has no use for) to `command`. */
export function addBenchFlags(command: Command): Command {
  for (const f of Object.values(BENCH_FLAGS) as Flag[]) {
    const option = new Option(f.flags, f.help).default(f.fallback);
    if (f.repeat) option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
    command.addOption(option);
  }
  const refused: { flags: string; line: string; noop?: string | undefined }[] = [
    ...RETIRED_FLAGS.map((retired) => ({ flags: retired.flags, line: `${flagLabel(retired.flags)} is now ${retired.now}` })),
    ...NCCL_TESTS_ONLY.map((only) => ({ flags: only.flags, line: `${flagLabel(only.flags)} (nccl-tests): ${only.why}`, noop: only.noop })),
  ];
  for (const { flags, line, noop } of refused) {
    command.addOption(
      new Option(flags).hideHelp().argParser((value: string) => {
        // nccl-tests' own default changes nothing here: a ported command line (`-g 1 -z 0`) runs as is.
        if (noop !== undefined && value === noop) return undefined;
        throw new WeftInputError(line);
      }),
    );
  }
  return command;
}

/** The bench flags given on the command line (not filled from their defaults). */
export function givenFlags(command: Command): ReadonlySet<FlagKey> {
  return new Set([...COMMANDER_KEYS].filter(([, attribute]) => command.getOptionValueSource(attribute) === 'cli').map(([key]) => key));
}

/** Commander's option values (keyed by its attribute names) for `collective`, validated. */
export function parseBenchFlags(collective: string, options: Readonly<Record<string, unknown>>): BenchFlags {
  const input: Record<string, unknown> = { collective };
  for (const [key, attribute] of COMMANDER_KEYS) input[key] = options[attribute];
  // jitless: zod would otherwise compile (new Function) a fast path for this object schema,
  // which costs more than the one parse a run makes (≈ 4 ms of a 150 ms start-up; smpi.md §35).
  const result = BENCH_SCHEMA.safeParse(input, { jitless: true });
  if (!result.success) throw new WeftInputError(issueLine(result.error.issues[0]!));
  return result.data;
}

/** The collective argument's help: every collective the table has. */
export const COLLECTIVE_HELP = `one of: ${orList(CLI_COLLECTIVES.names)} (nccl-tests' binary names too: all_reduce_perf, all_reduce)`;
