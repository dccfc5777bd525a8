/**
 * `weft bench`'s flags as data and the one zod schema that validates them (flag text in,
 * BenchFlags out). Browser-safe: no commander, no node:* (files are read by the reader the
 * caller passes), so the lab validates scenarios with the CLI's own messages; config.ts
 * turns the same table into commander's options.
 */
import { z } from 'zod';
import { COLLECTIVE_TABLE, PROTOCOL_NAMES, TUNER_NAMES, type ProtocolName, type TunerName } from '@weft/collectives';
import { isWeftInputError } from '@weft/sim';
import type { FastForwardMode } from '@weft/runtime/core';
import {
  CONGESTION, Choices, DELIVERY, DTYPES, readDtype, FORMATS, MODES, NETWORKS, ON_OFF, OPS, ROUTINGS, accept, orList, readCollective, readInteger, readNumber, type Read,
} from '../names.js';
import { readSizeBytes, sizeSweep } from '../sizes.js';
import { topologySpecFrom } from '../topology-spec.js';
import { readFaultFlags, type ReadInputFile } from '../fault-schema.js';
import { readSched, readTenant, TENANT_HELP } from './tenant-spec.js';
import { readCompare } from './compare.js';

export { DEGRADE_HELP, parseFaultScenario, type ReadInputFile } from '../fault-schema.js';
export { orList } from '../names.js';

/** The main job (`weft` with no arguments): what the README's first command runs. */
export const DEFAULT_JOB = {
  collective: 'allreduce',
  topology: 'dgx-h100:nodes=2',
  algo: 'auto',
  minbytes: '8',
  maxbytes: '128M',
} as const;

/**
 * One z.string() (and its optional and list forms) for every flag that takes text: zod schemas
 * are immutable (`.transform` and `.optional` return new ones), and building ~45 string schemas
 * at load was ≈ 1 ms of every `weft bench`'s start-up (benchmarks/results/smpi.md §37).
 */
const STRING = z.string();
const OPTIONAL_STRING = STRING.optional();
const OPTIONAL_STRINGS = z.array(STRING).optional();

/** A flag's text as its reader sees it; the issue names the flag and repeats the text. */
function text<T>(read: (text: string) => Read<T>) {
  return STRING.transform((value, ctx): T => {
    const result = read(value);
    if (result.ok) return result.value;
    ctx.addIssue({ code: 'custom', message: `'${value}' ${result.reason}` });
    return z.NEVER;
  });
}

const integer = (min: number, max?: number) => text((t) => readInteger(t, min, max));
const size = text(readSizeBytes);

/** `--algo`: comma list of names, `all`, `auto` or module paths (resolved by bench/algorithms.ts). */
const algoList = text((t) => {
  const names = t.split(',').map((name) => name.trim()).filter((name) => name !== '');
  return names.length > 0 ? accept(names) : { ok: false as const, reason: "names no algorithm; use a comma list of names, 'all', 'auto' or module paths" };
});

/** `--proto`: NCCL_PROTO's spellings, or `auto` (NCCL's tuner picks per size). */
export const PROTOS = Choices.of<ProtocolName | 'auto'>([...PROTOCOL_NAMES, 'auto']);
/** `--tuner`: which rule picks `auto`'s (algorithm, protocol). */
const TUNERS = Choices.of<TunerName>(TUNER_NAMES);

/** `--fast-forward`: steady-state fast-forward (runtime schedule/fast-forward.ts). */
const FAST_FORWARD = Choices.of<FastForwardMode>(['auto', 'on', 'off']);

/** `--pfc`: on, off, or local (not across a link that cannot be lossless). */
const PFC_MODES = new Choices<boolean | 'local'>([...ON_OFF.entries, ['local', 'local']]);

/** `--links [n]`: absent → 0, bare → 10, or a count. */
const linkCount = z.union([z.boolean(), STRING]).optional().transform((value, ctx): number => {
  if (value === undefined || value === false) return 0;
  if (value === true) return 10;
  const read = readInteger(value, 1, 1000);
  if (read.ok) return read.value;
  ctx.addIssue({ code: 'custom', message: `'${value}' ${read.reason}` });
  return z.NEVER;
});

export interface Flag {
  readonly flags: string;
  readonly help: string;
  readonly fallback?: string;
  readonly schema: z.ZodType;
  /** Given several times, the values collect into a list. */
  readonly repeat?: boolean;
}

/** The collectives that take `-r/--root`, by their CLI names. */
const ROOTED = COLLECTIVE_TABLE.filter((c) => c.rooted).map((c) => c.name.toLowerCase());

const flag = <S extends z.ZodType>(flags: string, help: string, fallback: string | undefined, schema: S) => ({ flags, help, fallback, schema });
const repeatable = (flags: string, help: string) => ({ flags, help, fallback: undefined, schema: OPTIONAL_STRINGS, repeat: true });

/** Every `weft bench` flag: the key is the config field it fills. */
export const BENCH_FLAGS = {
  minBytes: flag('-b, --minbytes <size>', 'smallest message size (K/M/G = 2^10/2^20/2^30)', DEFAULT_JOB.minbytes, size),
  maxBytes: flag('-e, --maxbytes <size>', 'largest message size', DEFAULT_JOB.maxbytes, size),
  stepFactor: flag('-f, --stepfactor <factor>', 'multiply the size by this between rows', '2', text(readNumber)),
  stepBytes: flag('-i, --stepbytes <size>', 'add this to the size between rows (instead of -f\'s default; a -f above 1 typed beside it wins, as in nccl-tests)', undefined, size.optional()),
  iters: flag('-n, --iters <n>', 'timed iterations per size, back to back, averaged as nccl-tests does (simulated time is deterministic: 1 times one call; more let each call overlap the last one\'s tail, as a real loop does)', '1', integer(1, 10_000)),
  warmupIters: flag('-w, --warmup_iters <n>', 'untimed iterations before the timed ones', '0', integer(0, 10_000)),
  // nccl-tests' -c is a count of checked iterations; each moves the same bytes through the same schedule here, so one stands for N.
  check: flag('-c, --check <n>', "check results (data mode): nccl-tests' check iteration count, 0 off, 1 or more on", '1', integer(0, 1_000_000).transform((v) => v >= 1)),
  dtype: flag('-d, --datatype <type>', `element type (nccl-tests' names; 'all': every type in turn): ${DTYPES.names.join(', ')}`, 'float', text((t) => readDtype(t))),
  op: flag('-o, --op <op>', `reduction ('all': every op in turn, as -d all does types): ${OPS.names.join(', ')}`, 'sum', text((t) => OPS.read(t))),
  root: flag('-r, --root <rank>', `root rank for rooted collectives (${ROOTED.join(', ')})`, '0', integer(0)),
  topology: flag('--topology <spec|file>', 'preset spec (e.g. dgx-h100:nodes=2, switch:8,linkBw=400Gbps) or a JSON/YAML file', undefined, OPTIONAL_STRING),
  ranks: flag('--ranks <n>', 'shorthand for --topology switch:N', undefined, OPTIONAL_STRING),
  algo: flag('--algo <names>', "algorithms: comma list of names or module paths (./my-ring.mjs), 'all' or 'auto'", 'auto', algoList),
  network: flag('--network <name>', `network model: ${NETWORKS.names.join(', ')}`, 'maxMin', text((t) => NETWORKS.read(t))),
  routing: flag('--routing <name>', `routing: ${ROUTINGS.names.join(', ')} (auto: adaptive on Spectrum-X and InfiniBand presets, whose switches route adaptively, else ecmp; spray: --network packet only)`, 'auto', text((t) => ROUTINGS.read(t))),
  mtu: flag('--mtu <size>', 'packet payload bytes (--network packet)', '4096', size),
  cell: flag('--cell <size>', 'simulate cells of this size, a multiple of --mtu (--network packet; coarser, faster)', undefined, size.optional()),
  cc: flag('--cc <name>', `congestion control (--network packet): ${CONGESTION.names.join(', ')}`, 'none', text((t) => CONGESTION.read(t))),
  delivery: flag('--delivery <mode>', 'receiver (--network packet): ooo (out-of-order placement) or inorder (go-back-N)', 'ooo', text((t) => DELIVERY.read(t))),
  pfc: flag('--pfc <on|off|local>', "PFC lossless mode (--network packet); local: off on links whose buffer cannot hold the PFC headroom (a shallow long haul), which drop instead", 'on', text((t) => PFC_MODES.read(t))),
  staleness: flag('--staleness <ns>', 'age of queue depths adaptive routing sees (--network packet)', '0', integer(0, 1e9)),
  sched: flag('--sched <strict|wrr:W0,W1>', 'how switch ports serve traffic classes 0 and 1 (--network packet): strict (class 1 first) or weighted round robin, e.g. wrr:1,4', 'strict', text(readSched)),
  tenant: { flags: '--tenant <spec>', help: TENANT_HELP, fallback: undefined, schema: z.array(text(readTenant)).optional(), repeat: true },
  qps: flag('--qps <n>', 'queue pairs per connection (ECMP hashes each separately)', '1', integer(1, 64)),
  mode: flag('--mode <mode>', 'data (real bytes in worker threads) or ghost (no payload)', 'data', text((t) => MODES.read(t))),
  seed: flag('--seed <n>', 'seed for ECMP hashing', '1', integer(0, 2 ** 32 - 1)),
  channels: flag(
    '--channels <n|auto>',
    "channels per algorithm (NCCL nChannels); 'auto': the topology search's count for NCCL's algorithms on searched channels (ring, tree), 1 for the textbook ones",
    'auto',
    text((t) => {
      if (t.trim().toLowerCase() === 'auto') return accept(0); // 0: each algorithm's own count (resolveDefaults)
      const read = readInteger(t, 1, 64);
      return read.ok ? read : { ok: false as const, reason: "is not accepted; use 'auto' or a whole number from 1 to 64" };
    }),
  ),
  chunkBytes: flag(
    '--chunk <size|auto>',
    "pipelining chunk size; 'auto': each algorithm's own (NCCL's: 2M for ring, 512K or less for tree/Simple, NVLS's 16K-128K per channel for nvls), else 2M",
    'auto',
    text((t): Read<number | 'auto'> => (t.trim().toLowerCase() === 'auto' ? accept('auto' as const) : readSizeBytes(t))),
  ),
  proto: flag(
    '--proto <name>',
    `NCCL protocol, like NCCL_PROTO: ${orList(PROTOS.names)} (auto: per size, as --tuner picks it, for NCCL's algorithms)`,
    'auto',
    text((t) => PROTOS.read(t)),
  ),
  energy: flag('--energy', 'estimate energy per operation (J, busbw GB/s per W) from cited per-bit link and switch energy and GPU idle power', undefined, z.boolean().optional()),
  confidential: flag('--confidential', 'confidential-computing mode: GPU↔NIC traffic staged through encrypted bounce buffers (cited cost); NVLink as the sources say', undefined, z.boolean().optional()),
  tuner: flag(
    '--tuner <rule>',
    `how auto picks (algorithm, protocol) per size: ${orList(TUNERS.names)} (nccl: NCCL's tuning model, tuning.cc, as a real cluster runs; weft: weft's own predictions; auto: nccl where the topology names its GPUs, else weft)`,
    'auto',
    text((t) => TUNERS.read(t)),
  ),
  explain: flag('--explain', "print every (algorithm, protocol) candidate's predicted time at each size beside the simulated one", undefined, z.boolean().optional().transform((v) => v === true)),
  exactLimit: flag(
    '--exact-limit <transfers>',
    'with --explain (ghost mode): a candidate not chosen is simulated only if what it runs (fast-forward\'s short runs and the exact run) posts at most this many transfers; else its simulated time is marked over budget',
    // runtime's FAST_FORWARD_AUTO_TRANSFERS (weft train --scale's default too), written out: the lab
    // bundles this schema for the browser, without the runtime (test/cli/proto.test.ts holds them equal).
    '4000000',
    integer(0),
  ),
  fastForward: flag(
    '--fast-forward <mode>',
    `steady-state fast-forward of long pipelined runs (ghost mode, one iteration: -n 1 -w 0; benchmarks/results/speed.md §30): ${orList(FAST_FORWARD.names)}; auto: the run stops once its whole state recurs and the rest is added period by period — exact to float rounding, else the exact run; on: extrapolated from three short runs — approximate (a 288-GPU NVL72 ring: +39 %, §29); off: the exact engine unwatched`,
    'auto',
    text((t) => FAST_FORWARD.read(t)),
  ),
  ranksPerWorker: flag('--ranks-per-worker <n>', 'ranks hosted by each worker thread (data mode; default: ranks / cores, one thread per core)', undefined, integer(1).optional()),
  format: flag('--format <fmt>', `stdout format: ${FORMATS.names.join(', ')}`, 'table', text((t) => FORMATS.read(t))),
  out: flag('--out <file>', "also write the result to FILE (.json, .csv, else the --format); '-': on stdout, alone", undefined, OPTIONAL_STRING),
  trace: flag('--trace <file>', "write a Chrome/Perfetto trace of every run (simulated time; a run that failed under --fault/--crash: its no-fault run, so labelled); '-': on stdout, alone", undefined, OPTIONAL_STRING),
  plot: flag('--plot <file.svg>', "write an SVG plot of busbw against size; '-': on stdout, alone", undefined, OPTIONAL_STRING),
  plotQueues: flag('--plot-queues <file.svg>', "write an SVG plot of the busiest egress queues over simulated time, largest size per algorithm (--network packet); '-': on stdout, alone", undefined, OPTIONAL_STRING),
  links: flag('--links [n]', 'show the n most utilized links per row (default 10)', undefined, linkCount),
  fault: repeatable('--fault <spec>', "a link fault, repeatable: link=FROM->TO,down@TIME or link=FROM->TO,degrade=FACTOR@TIME (FACTOR: the share of its capacity the link keeps; degrades of one link compound; @TIME omitted: from 0)"),
  straggler: repeatable('--straggler <spec>', 'a slow rank, repeatable: rank=R,slow=FACTORx or rank=R,delay=TIME'),
  crash: repeatable('--crash <spec>', 'a rank that stops, repeatable: rank=R@TIME'),
  timeoutS: flag(
    '-T, --timeout <seconds>',
    'watchdog (as nccl-tests -T): a rank that does not yield for this long (wall time) is stopped and named; 0 = none',
    '300',
    text((t) => {
      const read = readNumber(t);
      return read.ok && read.value >= 0 && read.value <= 86_400 ? read : { ok: false as const, reason: 'is not accepted; use a number of seconds from 0 (no watchdog) to 86400' };
    }),
  ),
  compare: flag('--compare <flag=v1,v2>', 'run once per value of one flag and print busbw per size side by side, e.g. routing=ecmp,adaptive or cc=none,dcqcn,telemetry (separate values holding commas by ;)', undefined, text(readCompare).optional()),
  scenario: flag('--scenario <file>', 'faults from a YAML/JSON file (links, stragglers, crashes; see README)', undefined, OPTIONAL_STRING),
  reference: flag('--reference <file>', "your own nccl-tests output (all_reduce_perf's stdout, or a log holding it): its busbw beside weft's per size and type, and how far weft is from it", undefined, OPTIONAL_STRING),
} satisfies Record<string, Flag>;

export type FlagKey = keyof typeof BENCH_FLAGS;

/** `-b/--minbytes` from `-b, --minbytes <size>`: how messages name a flag. */
export function flagLabel(flags: string): string {
  return flags.replace(/\s*[<[].*$/, '').split(/,\s*/).join('/');
}

const SHAPE = Object.fromEntries(Object.entries(BENCH_FLAGS).map(([key, f]) => [key, f.schema])) as {
  [K in FlagKey]: (typeof BENCH_FLAGS)[K]['schema'];
};

/** Throws the WeftInputError of a check that spans flags as a zod issue (no path: the message names the flags). */
function crossCheck<T>(ctx: z.RefinementCtx, compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    if (!isWeftInputError(error)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message, path: [] });
    return z.NEVER;
  }
}

/**
 * Most pipelining chunks per message (-e / --chunk): every chunk is a step of every rank on
 * every channel, so 1 GiB in 1-byte chunks would be 10^9 simulated steps per rank.
 */
export const MAX_CHUNKS_PER_MESSAGE = 65536;

/** The one schema: flags in, BenchConfig out; `--scenario`'s file read by `readInputFile`. */
export const benchSchema = (readInputFile: ReadInputFile) => z
  .object({ collective: text(readCollective), ...SHAPE })
  .transform((flags, ctx) => {
    const derived = crossCheck(ctx, () => ({
      collectiveCliName: flags.collective.toLowerCase(),
      topologySpec: topologySpecFrom(flags, DEFAULT_JOB.topology),
      sizesBytes: sizeSweep(flags.minBytes, flags.maxBytes, flags.stepFactor, flags.stepBytes),
      faultScenario: readFaultFlags(flags, readInputFile),
    }));
    const chunksPerRank = flags.chunkBytes === 'auto' ? 0 : Math.ceil(flags.maxBytes / flags.chunkBytes);
    if (chunksPerRank > MAX_CHUNKS_PER_MESSAGE) {
      ctx.addIssue({
        code: 'custom',
        path: ['chunkBytes'],
        message: `'${flags.chunkBytes}' cuts a ${flags.maxBytes}-byte message into ${chunksPerRank} chunks; at most ${MAX_CHUNKS_PER_MESSAGE} are accepted (each chunk is a simulated step per rank and channel); use a larger --chunk or a smaller -e`,
      });
    }
    for (const key of ['plot', 'plotQueues'] as const) {
      const file = flags[key];
      // '-' is stdout (the help says so; weft train's --plot takes it too).
      if (file !== undefined && file !== '-' && !/\.svg$/i.test(file)) ctx.addIssue({ code: 'custom', message: `'${file}' must end in .svg (or be '-' for stdout)`, path: [key] });
    }
    if (flags.plotQueues !== undefined && flags.network !== 'packet') {
      ctx.addIssue({ code: 'custom', message: `needs --network packet (only the packet model has queues; --network is '${flags.network}')`, path: ['plotQueues'] });
    }
    return { ...flags, ...derived };
  });

/** Validated flags: what `weft bench` runs with, before its algorithms are resolved. */
export type BenchFlags = z.output<ReturnType<typeof benchSchema>>;

/** The first zod issue as one line: `FLAG: 'TEXT' REASON`, or a cross-flag message as is. */
export function issueLine(issue: z.core.$ZodIssue): string {
  const key = issue.path[0];
  if (key === undefined) return issue.message;
  if (key === 'collective') return `<collective>: ${issue.message}`;
  const f = BENCH_FLAGS[key as FlagKey] as Flag | undefined;
  return f ? `${flagLabel(f.flags)}: ${issue.message}` : `${String(key)}: ${issue.message}`;
}
