import { WeftInputError } from '@weft/sim';
import { COLLECTIVE_TABLE, DTYPE_NAMES, NCCL_DTYPE_NAMES, REDUCE_OPS, dtypeNamed, type CollectiveName, type DType, type ReduceOp } from '@weft/collectives';
import { ROUTING_CHOICES, type CongestionControl, type Delivery, type ModelName, type RoutingChoice } from '@weft/fabric';

/**
 * How a flag's text reads: its value, or the reason it is refused, worded to follow
 * "FLAG: 'TEXT' " (e.g. "is not accepted; use ecmp or adaptive"). Every reader below returns
 * one; `refuse` turns it into the one-line WeftInputError, and the bench config schema into
 * a zod issue, so both say the same thing.
 */
export type Read<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export const accept = <T>(value: T): Read<T> => ({ ok: true, value });
export const reject = <T = never>(reason: string): Read<T> => ({ ok: false, reason });

/** "a", "a or b", "a, b or c". */
export function orList(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/** The value of `read`, or the one-line error `FLAG: 'TEXT' REASON`. */
export function refuse<T>(flag: string, text: string, read: Read<T>): T {
  if (!read.ok) throw new WeftInputError(`${flag}: '${text}' ${read.reason}`);
  return read.value;
}

/**
 * The spellings a flag accepts and what each means, matched case-insensitively on own
 * entries only (a Map: `__proto__` or `constructor` is just an unknown name).
 */
export class Choices<T> {
  private readonly byKey: ReadonlyMap<string, T>;

  /** `entries`: [spelling as shown in help and messages, value]. */
  constructor(readonly entries: readonly (readonly [string, T])[]) {
    this.byKey = new Map(entries.map(([name, value]) => [name.toLowerCase(), value]));
  }

  /** The spellings, as shown in help and messages. */
  get names(): string[] {
    return this.entries.map(([name]) => name);
  }

  get(text: string): T | undefined {
    return this.byKey.get(text.toLowerCase());
  }

  read(text: string): Read<T> {
    const value = this.get(text);
    return value !== undefined ? accept(value) : reject(`is not accepted; use ${orList(this.names)}`);
  }

  /** Each value under its own name. */
  static of<T extends string>(values: readonly T[]): Choices<T> {
    return new Choices(values.map((value) => [value, value] as const));
  }
}

/** CLI spellings follow nccl-tests' binary names (all_reduce_perf → allreduce): the table's names, lower-cased. */
export const CLI_COLLECTIVES = new Choices<CollectiveName>(COLLECTIVE_TABLE.map((c) => [c.name.toLowerCase(), c.name]));

/**
 * `weft bench`'s collective: a CLI spelling, or what an nccl-tests user types, its binary's name
 * (all_reduce_perf, alltoall_perf) with or without `_perf`: underscores and the suffix dropped.
 */
export function readCollective(text: string): Read<CollectiveName> {
  const value = CLI_COLLECTIVES.get(text.replace(/_perf$/i, '').replaceAll('_', ''));
  return value !== undefined ? accept(value) : CLI_COLLECTIVES.read(text);
}

/**
 * `-d`: nccl-tests' type names (src/common.cu test_typenames: int8, uint8, int32, uint32, int64,
 * uint64, half, float, double, bfloat16; its older char and int), weft's own (float16,
 * float32, float64), and `all`: every type in turn, as nccl-tests' `-d all` does.
 */
export const DTYPES = new Choices<DType | 'all'>([...DTYPE_NAMES.map((name) => [name, dtypeNamed(name)!] as const), ['all', 'all']]);

/** The `-d` value, or why it is refused (fp8 is named as such: nccl-tests has it, weft does not emulate it). */
export function readDtype(text: string): Read<DType | 'all'> {
  if (/^f(p)?8/i.test(text)) return reject(`is not accepted: fp8 types are not emulated; use ${orList(DTYPES.names)}`);
  return DTYPES.read(text);
}

/** nccl-tests prints its own type names in the table. */
export const DTYPE_TABLE_NAMES: ReadonlyMap<DType, string> = new Map(Object.entries(NCCL_DTYPE_NAMES) as [DType, string][]);

/** nccl-tests' ops, and 'all': every op in turn (its `-o all`). */
export const OPS = Choices.of<ReduceOp | 'all'>([...REDUCE_OPS, 'all']);
/** The network model (`--network` in bench and train). */
export const NETWORKS = Choices.of<ModelName>(['alphaBeta', 'maxMin', 'packet']);
/** `--routing`: auto (the topology's own: adaptive on Spectrum-X and InfiniBand presets, else ECMP) or a routing by name. */
export const ROUTINGS = Choices.of<RoutingChoice>(ROUTING_CHOICES);
/** Packet-model flags (`--network packet`). */
export const CONGESTION = Choices.of<CongestionControl>(['none', 'dcqcn', 'telemetry']);
export const DELIVERY = Choices.of<Delivery>(['ooo', 'inorder']);
export const ON_OFF = new Choices<boolean>([['on', true], ['off', false]]);
/** A packet-model flag given with another network model: refused, as it would change nothing. */
export function packetOnlyError(flag: string, network: string): WeftInputError {
  return new WeftInputError(`${flag}: only with --network packet (only the packet model has switch queues; --network is '${network}')`);
}

export const MODES = Choices.of(['data', 'ghost'] as const);
export const FORMATS = Choices.of(['table', 'json', 'csv', 'nccl-tests'] as const);


/** A whole number within [min, max]. */
export function readInteger(text: string, min: number, max = Number.MAX_SAFE_INTEGER): Read<number> {
  const value = Number(text);
  if (/^-?\d+$/.test(text.trim()) && Number.isSafeInteger(value) && value >= min && value <= max) return accept(value);
  const range = max === Number.MAX_SAFE_INTEGER ? `a whole number >= ${min}` : `a whole number from ${min} to ${max}`;
  return reject(`is not accepted; use ${range}`);
}

export function readNumber(text: string): Read<number> {
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) ? accept(value) : reject('is not a number');
}

/** Whole number within [min, max], or one clear line naming the flag. */
export function parseInteger(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  return refuse(flag, text, readInteger(text, min, max));
}

export function parseNumber(flag: string, text: string): number {
  return refuse(flag, text, readNumber(text));
}
