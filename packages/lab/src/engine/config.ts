/**
 * A lab run's configuration (what a scenario file, the form and a shared URL hold) and the
 * `weft bench` configuration it stands for: the lab runs the CLI's own sweep (cli/bench/sweep),
 * so a lab run and `weft bench --format json` with the same flags give the same numbers.
 */
import type { CollectiveName, ProtocolName } from '@weft/collectives';
import type { BenchAlgorithm, BenchConfig } from '@weft/cli';
import type { ModelName, RoutingName } from '@weft/fabric';

/**
 * Faults as `weft bench --scenario FILE` reads them (the CLI's fault schema, times in ns once
 * parsed): links down or degraded, late ranks, crashes. A scenario's `fault`, `straggler` and
 * `crash` lists take the flags' own text (`link=gpu0->switch0,down@50us`).
 */
export type LabFaults = BenchConfig['faultScenario'];

export interface LabConfig {
  /** A preset spec (`switch:8`, `dgx-h100:nodes=2`, `leafspine:hosts=16,leaves=4,spines=2`). */
  readonly topology: string;
  readonly collective: CollectiveName;
  /** Built-in algorithm names for the collective. */
  readonly algorithms: readonly string[];
  /** Sizes of the busbw sweep, in bytes. */
  readonly sizesBytes: readonly number[];
  /** The size whose run the topology, timeline and buffer views show. */
  readonly focusBytes: number;
  readonly network: ModelName;
  readonly routing: RoutingName;
  readonly qps: number;
  readonly seed: number;
  /** 0: each algorithm's own count (`--channels auto`). */
  readonly channels: number;
  /** Pipelining chunk size; 'auto': each algorithm's own (`--chunk auto`). */
  readonly chunkBytes: number | 'auto';
  /** `--mode`: ghost (byte counts) or data (real bytes in the page's worker; small sizes). */
  readonly mode: 'ghost' | 'data';
  /**
   * `--proto`: the NCCL protocol ring and tree run (LL, LL128, Simple); absent: auto (per size,
   * as NCCL's tuner picks). Absent rather than 'auto' so that runs, links and scenario
   * exercises' keys from before the field are unchanged.
   */
  readonly proto?: ProtocolName;
  readonly faults?: LabFaults;
}

/**
 * The lab's defaults: `weft bench`'s (packages/cli/src/bench/schema.ts) where the lab has no reason
 * to differ; one channel, 2 MiB chunks, ghost mode and ECMP where it does (one ring a student can
 * follow, in the browser's time; the page's CLI line spells them out). packages/lab/README.md says so.
 */
export const DEFAULT_CONFIG: LabConfig = {
  topology: 'switch:8',
  collective: 'allReduce',
  algorithms: ['ring', 'tree'],
  sizesBytes: [1024, 16384, 262144, 4194304, 67108864],
  focusBytes: 262144,
  network: 'maxMin',
  routing: 'ecmp',
  qps: 1,
  seed: 1,
  channels: 1,
  chunkBytes: 2 * 1024 * 1024,
  mode: 'ghost',
};

/** The CLI's name of a collective (`allReduce` → `allreduce`). */
export const cliName = (collective: CollectiveName): string => collective.toLowerCase();

/**
 * `-b/-e/-f` for sizes `weft bench` steps through itself: ascending, each the one before times
 * the same whole factor (the form's sweeps and the default are); null for any other list.
 */
export function sweepFlags(sizes: readonly number[]): string[] | null {
  const first = sizes[0];
  if (first === undefined) return null;
  const factor = sizes.length > 1 ? sizes[1]! / first : 2;
  if (!Number.isInteger(factor) || factor < 2 || sizes.some((s, i) => i > 0 && s !== sizes[i - 1]! * factor)) return null;
  return ['-b', String(first), '-e', String(sizes.at(-1)), ...(sizes.length > 1 ? ['-f', String(factor)] : [])];
}

/** Each fault as the text of its `weft bench` flag (`--fault link=gpu1->switch0,down@50000ns`): the CLI line's and the form's list. */
export function faultFlags(faults: LabFaults | undefined): { readonly flag: '--fault' | '--straggler' | '--crash'; readonly text: string }[] {
  return [
    ...(faults?.links ?? []).map((f) => ({ flag: '--fault' as const, text: 'down' in f ? `link=${f.link},down@${f.down}ns` : `link=${f.link},degrade=${f.degrade}@${f.at ?? 0}ns` })),
    ...(faults?.stragglers ?? []).map((s) => ({ flag: '--straggler' as const, text: 'slow' in s ? `rank=${s.rank},slow=${s.slow}x` : `rank=${s.rank},delay=${s.delay}ns` })),
    ...(faults?.crashes ?? []).map((c) => ({ flag: '--crash' as const, text: `rank=${c.rank}@${c.at}ns` })),
  ];
}

/**
 * The `weft bench` flags this run corresponds to (the same-numbers test runs them): at `bytes`,
 * or 'sweep' for the whole busbw table when sweepFlags can express it (else the focus size).
 */
export function cliArgs(config: LabConfig, bytes: number | 'sweep', algorithms: readonly string[] = config.algorithms): string[] {
  const at = (b: number) => ['-b', String(b), '-e', String(b)];
  const sizes = bytes === 'sweep' ? (sweepFlags(config.sizesBytes) ?? at(config.focusBytes)) : at(bytes);
  return [
    'bench', cliName(config.collective), '--topology', config.topology, '--algo', algorithms.join(','),
    ...sizes, '--network', config.network, '--routing', config.routing,
    '--qps', String(config.qps), '--seed', String(config.seed), '--channels', config.channels === 0 ? 'auto' : String(config.channels),
    '--chunk', String(config.chunkBytes), '--mode', config.mode,
    ...(config.proto !== undefined ? ['--proto', config.proto] : []),
    // The lab runs the exact engine (benchConfig below); weft bench's default fast-forward agrees only to ~1e-14
    // (64 MiB ring on switch:8: 2642.2405907973534 vs 2642.2405907973516 µs). Data mode takes no such flag.
    ...(config.mode === 'ghost' ? ['--fast-forward', 'off'] : []),
    '--format', 'json',
    ...faultFlags(config.faults).flatMap(({ flag, text }) => [flag, text]),
  ];
}

/** Characters a POSIX shell takes literally in a word (`--fault link=leaf0->spine0,…` has a `>`, a redirection). */
const SHELL_SAFE = /^[A-Za-z0-9_./:=,@%+-]+$/;

/** `args` as one line a POSIX shell (bash, zsh) reads back as the same words: single quotes where one is needed. */
export function shellLine(args: readonly string[]): string {
  return args.map((arg) => (SHELL_SAFE.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`)).join(' ');
}

/** The sweep's configuration, as `weft bench` would have parsed it from cliArgs. */
export function benchConfig(config: LabConfig, algorithms: readonly BenchAlgorithm[], sizesBytes: readonly number[]): BenchConfig {
  return {
    collective: config.collective,
    collectiveCliName: cliName(config.collective),
    topologySpec: config.topology,
    sizesBytes: [...sizesBytes],
    algorithms,
    algo: algorithms.map((a) => a.name),
    minBytes: Math.min(...sizesBytes),
    maxBytes: Math.max(...sizesBytes),
    stepFactor: 2,
    stepBytes: undefined,
    iters: 1,
    warmupIters: 0,
    check: config.mode === 'data',
    dtype: 'float32',
    op: 'sum',
    root: 0,
    topology: config.topology,
    ranks: undefined,
    network: config.network,
    routing: config.routing,
    qps: config.qps,
    mode: config.mode,
    seed: config.seed,
    channels: config.channels,
    chunkBytes: config.chunkBytes,
    ranksPerWorker: undefined,
    format: 'json',
    out: undefined,
    trace: undefined,
    plot: undefined,
    links: 0,
    faultScenario: config.faults ?? { links: [], stragglers: [], crashes: [] },
    timeoutS: 0,
    proto: config.proto ?? 'auto',
    tuner: 'auto', // auto by NCCL's tuner where the fabric names its GPUs, as `weft bench` does by default
    explain: false,
    exactLimit: 0, // unused: the lab never --explains
    // The lab shows every event of a run (timeline, links): the exact engine, never a fast-forward.
    fastForward: 'off',
    // The packet model's defaults (the lab offers alphaBeta and maxMin; these are unused there).
    mtu: 4096,
    cell: undefined,
    cc: 'none',
    delivery: 'ooo',
    pfc: true,
    staleness: 0,
    sched: { classScheduler: 'strict', classWeights: [1, 1] },
  } satisfies BenchConfig;
}
