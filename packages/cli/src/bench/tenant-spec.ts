/**
 * `--tenant` and `--sched`: several jobs on one fabric, each with its placement and traffic
 * class, and how switch ports schedule the classes. Browser-safe (no node:*).
 *
 *   --tenant 'ranks=0-31'                                   the bench collective on ranks 0..31, class 0, -e bytes
 *   --tenant 'job=requests,ranks=32-63,bytes=4K,every=5us,count=200,class=1'
 *   --tenant 'job=alltoall,ranks=0-63/2,bytes=16M'          every other rank (0, 2, 4, ...)
 *   --sched strict | wrr:1,4                                class 1 first, or shares by weight (class 0, class 1)
 *
 * Ranks are checked against the topology once it is loaded (tenants.ts).
 */
import { parseLatency, type ClassScheduler } from '@weft/fabric';
import { accept, readInteger, reject, type Read } from '../names.js';
import { readSizeBytes } from '../sizes.js';

/** What a tenant runs: a collective schedule, or an open-loop stream of small messages. */
export const TENANT_JOBS = ['allreduce', 'alltoall', 'requests'] as const;
export type TenantJob = (typeof TENANT_JOBS)[number];

export interface TenantSpec {
  /** Absent: the bench's collective. */
  readonly job?: TenantJob;
  /** Rank indices, first-last (inclusive) every `stride`. */
  readonly firstRank: number;
  readonly lastRank: number;
  readonly stride: number;
  /** Absent: -e/--maxbytes. Per rank for collectives; per message for requests. */
  readonly bytes?: number;
  readonly trafficClass: number;
  /** requests: a message from every rank to the next one in the set this often, `count` times. */
  readonly everyNs: number;
  readonly count: number;
}

export const TENANT_HELP =
  "a job on a shared fabric, repeatable: ranks=A-B[/STRIDE][,job=allreduce|alltoall|requests][,bytes=SIZE][,class=0|1][,every=TIME,count=N] (job defaults to the bench collective, bytes to -e; requests: one message of bytes (default 4K) per rank every TIME (default 10us), N times (default 100)); prints each job's busbw/latency alone and shared";

const KEYS = ['job', 'ranks', 'bytes', 'class', 'every', 'count'];
const RANKS = /^(\d+)-(\d+)(?:\/(\d+))?$/;
/** A request stream of more messages per rank than this is a long run, not a probe. */
const MAX_REQUESTS = 100_000;

/** One `--tenant` text as a TenantSpec, or the reason it is refused. */
export function readTenant(text: string): Read<TenantSpec> {
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const [key, value, ...rest] = part.split('=').map((s) => s.trim());
    if (key === undefined || value === undefined || rest.length > 0 || !KEYS.includes(key)) {
      return reject(`is not accepted at '${part}'; use key=value pairs with keys ${KEYS.join(', ')} (e.g. ranks=0-31,class=1)`);
    }
    fields.set(key, value);
  }
  const ranks = RANKS.exec(fields.get('ranks') ?? '');
  if (ranks === null) return reject('needs ranks=A-B or ranks=A-B/STRIDE (rank indices, e.g. ranks=0-31 or ranks=0-63/2)');
  const [firstRank, lastRank, stride] = [Number(ranks[1]), Number(ranks[2]), Number(ranks[3] ?? 1)];
  if (lastRank <= firstRank || stride < 1) return reject(`has ranks=${fields.get('ranks')}; use A-B with A < B and a stride >= 1 (a job needs two ranks)`);
  const job = fields.get('job');
  if (job !== undefined && !(TENANT_JOBS as readonly string[]).includes(job)) return reject(`has job=${job}; use ${TENANT_JOBS.join(', ')}`);
  const spec: { -readonly [K in keyof TenantSpec]: TenantSpec[K] } = { firstRank, lastRank, stride, trafficClass: 0, everyNs: 10_000, count: 100 };
  if (job !== undefined) spec.job = job as TenantJob;
  const read = <T>(key: string, reader: (t: string) => Read<T>, set: (value: T) => void): string | undefined => {
    const value = fields.get(key);
    if (value === undefined) return undefined;
    const result = reader(value);
    if (!result.ok) return `has ${key}=${value}, which ${result.reason}`;
    set(result.value);
    return undefined;
  };
  const problem =
    read('bytes', readSizeBytes, (v) => (spec.bytes = v)) ??
    read('class', (t) => readInteger(t, 0, 1), (v) => (spec.trafficClass = v)) ??
    read('count', (t) => readInteger(t, 1, MAX_REQUESTS), (v) => (spec.count = v)) ??
    read('every', readPeriodNs, (v) => (spec.everyNs = v));
  return problem === undefined ? accept(spec) : reject(problem);
}

function readPeriodNs(text: string): Read<number> {
  try {
    const ns = parseLatency(text, 'every');
    return ns > 0 ? accept(ns) : reject('is not accepted; use a time > 0 (e.g. 5us)');
  } catch {
    return reject('is not accepted; use a time with a unit (e.g. 5us, 800ns)');
  }
}

export interface ClassScheduling {
  readonly classScheduler: ClassScheduler;
  readonly classWeights: readonly number[];
}

/** `--sched`: strict, or wrr:W0,W1 (one positive weight per class). */
export function readSched(text: string): Read<ClassScheduling> {
  const t = text.trim().toLowerCase();
  if (t === 'strict') return accept({ classScheduler: 'strict', classWeights: [1, 1] });
  const m = /^wrr(?::(.*))?$/.exec(t);
  const weights = (m?.[1] ?? '1,1').split(',').map(Number);
  if (m === null || weights.length !== 2 || !weights.every((w) => Number.isFinite(w) && w > 0)) {
    return reject("is not accepted; use strict or wrr:W0,W1 (two weights > 0, class 0 then class 1, e.g. wrr:1,4)");
  }
  return accept({ classScheduler: 'wrr', classWeights: weights });
}
