/**
 * The one definition of a training run's parameters: a zod schema that validates them,
 * gives their defaults and types them. The CLI maps its flags onto it; the coordinator,
 * the rank programs and the report header all carry the validated object as it is.
 * Everything here is plain data (it crosses to the rank workers by structured clone).
 */
import { z } from 'zod';
import { listAlgorithms, PROTOCOL_NAMES } from '@weft/collectives';
import { CONGESTION_CONTROLS, type CongestionControl, type ModelName, type NetworkOptions, ROUTING_CHOICES, resolveRouting, type Topology } from '@weft/fabric';
import { WeftInputError } from '@weft/sim';
import { BACKEND_CHOICES } from './backend.js';
import { DEVICE_NAMES, PRECISIONS } from './device/profiles.js';
import { parseModelSpec } from './model/spec.js';

/**
 * data: real training in worker threads; ghost: the same emulated timeline without
 * tensors, in-process; predict: no simulation, the alpha-beta prediction alone.
 */
export const TRAIN_MODES = ['data', 'ghost', 'predict'] as const;
export type TrainMode = (typeof TRAIN_MODES)[number];

const NETWORK_MODELS: readonly ModelName[] = ['alphaBeta', 'maxMin', 'packet'];

/** A name from `values`, any case; only the listed names match (never 'constructor'). */
function oneOf<T extends string>(values: () => readonly T[]) {
  return z.string().transform((text, ctx): T => {
    const value = new Map(values().map((v) => [v.toLowerCase(), v])).get(text.toLowerCase());
    if (value !== undefined) return value;
    ctx.addIssue({ code: 'custom', message: `use one of ${values().join(', ')}` });
    return z.NEVER;
  });
}

/** A number given as a number or as its text (a CLI flag); `whole` also refuses fractions and exponents. */
function numberIn(min: number, max: number, { whole = false, aboveMin = false } = {}) {
  const range = whole
    ? max === Number.MAX_SAFE_INTEGER ? `a whole number >= ${min}` : `a whole number from ${min} to ${max}`
    : `a number ${aboveMin ? '>' : '>='} ${min} and <= ${max}`;
  return z.union([z.number(), z.string()]).transform((input, ctx): number => {
    const text = String(input).trim();
    const value = Number(text);
    const wellFormed = whole ? /^-?\d+$/.test(text) && Number.isSafeInteger(value) : text !== '' && Number.isFinite(value);
    if (wellFormed && value >= min && value <= max && !(aboveMin && value === min)) return value;
    ctx.addIssue({ code: 'custom', message: `use ${range}` });
    return z.NEVER;
  });
}

/** `auto` (any case: NCCL's own, as `weft bench` resolves it) or what `schema` accepts. */
function autoOr(schema: z.ZodType<number, unknown>) {
  return z.union([z.number(), z.string()]).transform((input, ctx): number | 'auto' => {
    if (typeof input === 'string' && input.trim().toLowerCase() === 'auto') return 'auto';
    const parsed = schema.safeParse(input);
    if (parsed.success) return parsed.data;
    ctx.addIssue({ code: 'custom', message: `use auto or ${parsed.error.issues[0]!.message.replace(/^use /, '')}` });
    return z.NEVER;
  });
}

/** `--model`: the spec text as given, checked by parsing it (parseModelSpec's messages are whole lines). */
const modelSpecText = z.string().superRefine((text, ctx) => {
  try {
    parseModelSpec(text);
  } catch (error) {
    if (!(error instanceof WeftInputError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message, params: { wholeLine: true } });
  }
});

export const trainConfigSchema = z.strictObject({
  model: modelSpecText.default('mlp'),
  mode: oneOf(() => TRAIN_MODES).default('data'),
  /**
   * All-reduce algorithm for the gradient buckets; `auto` (the default): NCCL's choice of
   * algorithm and protocol per bucket size, as DDP over NCCL gets from NCCL's tuner.
   */
  algorithm: oneOf(() => ['auto', ...listAlgorithms('allReduce').map((a) => a.name)]).default('auto'),
  steps: numberIn(1, 1_000_000, { whole: true }).default(200),
  /** Samples per step over all ranks. */
  globalBatch: numberIn(1, 1e9, { whole: true }).default(64),
  /** Gradient bucket cap, MiB (PyTorch DDP's bucket_cap_mb). */
  bucketMb: numberIn(0, 1e6, { aboveMin: true }).default(25),
  /**
   * All-reduce channels (NCCL nChannels) and pipelining chunk, as in `weft bench`; `auto`
   * (the default): each algorithm's own, NCCL's (channels from the topology search).
   */
  channels: autoOr(numberIn(1, 64, { whole: true })).default('auto'),
  /** NCCL protocol, like NCCL_PROTO: auto (per bucket size, as NCCL's tuner picks it) or one of LL, LL128, Simple. */
  protocol: oneOf(() => ['auto', ...PROTOCOL_NAMES]).default('auto'),
  chunkBytes: autoOr(numberIn(1, Number.MAX_SAFE_INTEGER, { whole: true })).default('auto'),
  device: oneOf(() => DEVICE_NAMES).default('h100'),
  /** Overrides the device profile's sustained fraction of peak FLOP/s. */
  computeEfficiency: numberIn(0, 1, { aboveMin: true }).optional(),
  backend: oneOf(() => BACKEND_CHOICES).default('auto'),
  precision: oneOf(() => PRECISIONS).default('fp32'),
  learningRate: numberIn(0, 1e6, { aboveMin: true }).default(0.1),
  momentum: numberIn(0, 0.9999).default(0.9),
  /** Network model of the fabric (`--network`), its routing and queue pairs per connection. */
  network: oneOf(() => NETWORK_MODELS).default('maxMin'),
  /** auto: the topology's own (adaptive on Spectrum-X and InfiniBand presets, else ECMP; resolveRouting). */
  routing: oneOf(() => ROUTING_CHOICES).default('auto'),
  qps: numberIn(1, 64, { whole: true }).default(1),
  /** Congestion control under `--network packet` (the packet model's cited defaults fill the rest). */
  cc: oneOf(() => CONGESTION_CONTROLS).default('none'),
  /** Seeds weights, data order and ECMP hashing. */
  seed: numberIn(0, 2 ** 32 - 1, { whole: true }).default(1),
  /** Ranks hosted by each worker thread (data mode). */
  ranksPerWorker: numberIn(1, Number.MAX_SAFE_INTEGER, { whole: true }).optional(),
  /** Watchdog (`--timeout`, like nccl-tests -T): wall-clock seconds a rank may go without yielding; 0 = none. */
  timeoutS: numberIn(0, 86_400).default(300),
  /**
   * Injected faults (the runtime's Fault objects: link down/degraded, straggler, crash), as the
   * CLI resolves them against the topology from --fault/--straggler/--crash/--scenario.
   */
  faults: z
    .array(
      z.union([
        z.strictObject({ kind: z.literal('failLink'), linkId: z.string(), atNs: z.number().min(0) }),
        z.strictObject({ kind: z.literal('degradeLink'), linkId: z.string(), factor: z.number().gt(0).lt(1), atNs: z.number().min(0) }),
        z.strictObject({ kind: z.literal('delayRank'), rank: z.number().int().min(0), delayNs: z.number().min(0) }),
        z.strictObject({ kind: z.literal('slowRank'), rank: z.number().int().min(0), factor: z.number().gt(1) }),
        z.strictObject({ kind: z.literal('crashRank'), rank: z.number().int().min(0), atNs: z.number().min(0) }),
      ]),
    )
    .default([]),
  /**
   * NCCL_ALGO / NCCL_PROTO and the other NCCL_* variables as they apply to the buckets'
   * all-reduce (the CLI reads them as NCCL does: weft bench's nccl-env.ts): the NCCL algorithm
   * rows and protocols auto may choose from, and the lines the header prints.
   */
  ncclEnv: z
    .strictObject({
      applied: z.array(z.string()),
      ignored: z.array(z.string()),
      notModelled: z.array(z.string()),
      algorithms: z.array(z.enum(['Ring', 'Tree', 'NVLS', 'NVLSTree', 'PAT'])).optional(),
      protocols: z.array(z.enum(['LL', 'LL128', 'Simple'])).optional(),
    })
    .optional(),
}).superRefine((config, ctx) => {
  // Spray is per-packet: only the packet model has packets (as weft bench's --routing says).
  if (config.routing === 'spray' && config.network !== 'packet') {
    ctx.addIssue({ code: 'custom', path: ['routing'], message: `spray needs --network packet; with ${config.network} use ecmp or adaptive` });
  }
});

/** A validated run configuration. */
export type TrainConfig = z.output<typeof trainConfigSchema>;
/** What parseTrainConfig accepts: any field may be left out (its default applies) or given as text. */
export type TrainConfigInput = z.input<typeof trainConfigSchema>;
export type TrainConfigKey = keyof TrainConfig;

/**
 * Validates `input`, or throws one WeftInputError line for the first bad value:
 * `<flag>: '<value>' is not accepted; use …`. `flagOf` names a field as the caller's user
 * knows it (the CLI: its flag); by default the field name itself.
 */
export function parseTrainConfig(input: TrainConfigInput, flagOf: (key: string) => string = (key) => key): TrainConfig {
  const parsed = trainConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'custom' && issue.params?.wholeLine === true) throw new WeftInputError(issue.message);
  const key = String(issue.path[0] ?? '');
  if (issue.code === 'unrecognized_keys') throw new WeftInputError(`unknown setting(s) ${issue.keys.join(', ')}`);
  const value = (input as Record<string, unknown>)[key];
  const tail = issue.code === 'custom' ? issue.message : `use ${issue.message}`;
  throw new WeftInputError(`${flagOf(key)}: '${String(value)}' is not accepted; ${tail}`);
}

/** The defaults, for help texts. */
export const TRAIN_DEFAULTS: TrainConfig = trainConfigSchema.parse({});

/** Bucket cap in bytes. */
export function bucketCapBytes(config: TrainConfig): number {
  return Math.round(config.bucketMb * 2 ** 20);
}


/** The fabric's settings on `topology` (`--routing auto` is its default routing; `--seed` also seeds ECMP hashing). */
export function networkOptions(config: TrainConfig, topology: Pick<Topology, 'defaultRouting'>): NetworkOptions {
  return {
    model: config.network,
    routing: resolveRouting(config.routing, topology),
    qps: config.qps,
    seed: config.seed,
    ...(config.network === 'packet' ? { packet: { cc: config.cc as CongestionControl } } : {}),
  };
}
