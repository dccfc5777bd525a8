/**
 * `weft bench --tenant …`: several jobs on one fabric, each on its own ranks and in its own
 * traffic class, run alone and then together; the isolation table compares each job's
 * busbw (collectives) or p50/p99 message latency (request streams) shared against alone.
 *
 * The jobs are transfer schedules driven on the network directly (as the runtime's ghost
 * mode moves no payload): a ring all-reduce in 2(n-1) steps of bytes/n to the next rank,
 * each step starting when the previous one is delivered; a direct all-to-all of bytes/n to
 * every other rank at once; an open-loop request stream in which every rank sends one
 * message to the next rank in its set every `every`, `count` times.
 */
import { createNetwork, createRouter, resolveRouting, type NetworkOptions, type SimulatedNetwork, type Topology } from '@weft/fabric';
import { WeftInputError } from '@weft/sim';
import { packetLine } from '../format/table.js';
import type { BenchFlags } from './config.js';
import { packetOptions } from './sweep.js';
import type { TenantJob, TenantSpec } from './tenant-spec.js';

/** A tenant with its ranks resolved against the topology. */
export interface Tenant {
  readonly job: TenantJob;
  readonly ranks: readonly number[];
  readonly rankText: string;
  readonly bytes: number;
  readonly trafficClass: number;
  readonly everyNs: number;
  readonly count: number;
}

/** One job's run, alone or shared. */
export interface JobOutcome {
  /** Start to the last delivery. */
  readonly timeUs: number;
  /** Collectives: nccl-tests bus bandwidth; requests: null. */
  readonly busBwGBps: number | null;
  /** Requests: one-way message latency percentiles; collectives: null. */
  readonly p50Us: number | null;
  readonly p99Us: number | null;
}

export interface TenantRow extends Tenant {
  readonly alone: JobOutcome;
  readonly shared: JobOutcome;
}

/** The tenants of `specs` on `topology`; `collective` and `maxBytes` fill a spec's job and bytes. */
export function resolveTenants(specs: readonly TenantSpec[], topology: Topology, collective: string, maxBytes: number): Tenant[] {
  const last = topology.ranks.length - 1;
  return specs.map((spec) => {
    const job = spec.job ?? (collective === 'allreduce' || collective === 'alltoall' ? collective : undefined);
    if (job === undefined) throw new WeftInputError(`--tenant: the bench collective '${collective}' has no tenant job; add job=allreduce, job=alltoall or job=requests`);
    if (spec.lastRank > last) throw new WeftInputError(`--tenant: ranks=${spec.firstRank}-${spec.lastRank} goes past the last rank ${last} of ${topology.name}`);
    const ranks: number[] = [];
    for (let r = spec.firstRank; r <= spec.lastRank; r += spec.stride) ranks.push(r);
    if (ranks.length < 2) throw new WeftInputError(`--tenant: ranks=${spec.firstRank}-${spec.lastRank}/${spec.stride} holds one rank; a job needs two`);
    const rankText = `${spec.firstRank}-${spec.lastRank}${spec.stride > 1 ? `/${spec.stride}` : ''}`;
    const bytes = spec.bytes ?? (job === 'requests' ? 4096 : maxBytes);
    return { job, ranks, rankText, bytes, trafficClass: spec.trafficClass, everyNs: spec.everyNs, count: spec.count };
  });
}

/** Packets a tenant run may simulate (each run alone and shared): at about a million events/s, minutes of wall time. */
export const MAX_TENANT_PACKETS = 2 ** 26;

/** Bytes a tenant puts on the network: all-reduce 2(n-1)/n x bytes per rank, all-to-all (n-1)/n, requests count x bytes per rank. */
function tenantBytes(t: Tenant): number {
  const n = t.ranks.length;
  if (t.job === 'requests') return t.count * n * t.bytes;
  return (t.job === 'allreduce' ? 2 * (n - 1) : n - 1) * t.bytes;
}

/** Refuses a packet-model tenant run that would take hours: one line naming the volume. */
export function checkTenantVolume(tenants: readonly Tenant[], cellBytes: number): void {
  const packets = 2 * tenants.reduce((sum, t) => sum + Math.ceil(tenantBytes(t) / cellBytes), 0);
  if (packets > MAX_TENANT_PACKETS) {
    throw new WeftInputError(`--tenant: the jobs would move ${packets} packets of ${cellBytes} B (alone and shared), more than the ${MAX_TENANT_PACKETS} the packet model simulates in minutes; use smaller bytes=, fewer ranks or count=, or a coarser --cell`);
  }
}

/**
 * Every tenant alone (a fresh fabric each), then all of them together. A job keeps its flow
 * key (its place in the list) alone too, so ECMP hashes its flows onto the same paths in both
 * runs: what the table compares is the sharing, not a different draw of paths.
 */
export function runTenants(topology: Topology, options: NetworkOptions, tenants: readonly Tenant[]): TenantRow[] {
  const jobs = tenants.map((tenant, flowKey) => ({ tenant, flowKey }));
  const shared = runTogether(topology, options, jobs);
  return jobs.map((job, i) => ({ ...job.tenant, alone: runTogether(topology, options, [job])[0]!, shared: shared[i]! }));
}

type Send = (src: number, dst: number, bytes: number) => void;

/** A job's schedule: it sends through `send` and hears of its deliveries. */
interface JobDriver {
  /** When it next sends on its own (a request tick), else Infinity. */
  wakeNs: number;
  wake(nowNs: number): void;
  delivered(startNs: number, timeNs: number): void;
  outcome(): JobOutcome;
}

function runTogether(topology: Topology, options: NetworkOptions, jobs: readonly { readonly tenant: Tenant; readonly flowKey: number }[]): JobOutcome[] {
  const net = createNetwork(topology, options, createRouter(topology));
  const owners = new Map<number, { readonly driver: JobDriver; readonly startNs: number }>();
  const drivers = jobs.map(({ tenant, flowKey }) => {
    // One connection per (job, pair): a job's flows hash apart from another's.
    const send: Send = (src, dst, bytes) => {
      const request = { srcNode: topology.ranks[src]!, dstNode: topology.ranks[dst]!, bytes, flowKey, trafficClass: tenant.trafficClass };
      owners.set(net.startTransfer(request, net.nowNs), { driver, startNs: net.nowNs });
    };
    const driver: JobDriver = tenant.job === 'requests' ? requestStream(tenant, send) : collective(tenant, send);
    return driver;
  });
  for (;;) {
    const wakeNs = Math.min(...drivers.map((d) => d.wakeNs));
    const nextNs = Math.min(net.nextEventTimeNs(), wakeNs);
    if (nextNs === Infinity) break;
    net.advanceTo(nextNs);
    for (const driver of drivers) if (driver.wakeNs <= net.nowNs) driver.wake(net.nowNs);
    deliver(net, owners);
  }
  return drivers.map((d) => d.outcome());
}

function deliver(net: SimulatedNetwork, owners: Map<number, { readonly driver: JobDriver; readonly startNs: number }>): void {
  for (const event of net.takeEvents()) {
    if (event.kind === 'stranded') throw new WeftInputError(`--tenant: a transfer was stranded on link ${event.linkId}`);
    if (event.kind !== 'delivered') continue;
    const owner = owners.get(event.transferId)!;
    owners.delete(event.transferId);
    owner.driver.delivered(owner.startNs, event.timeNs);
  }
}

/** Ring all-reduce (2(n-1) steps) or direct all-to-all (one step), started at 0. */
function collective(tenant: Tenant, send: Send): JobDriver {
  const { ranks, bytes } = tenant;
  const n = ranks.length;
  const steps = tenant.job === 'allreduce' ? 2 * (n - 1) : 1;
  let step = 0;
  let pending = 0;
  let endNs = 0;
  const startStep = () => {
    for (let i = 0; i < n; i++) {
      if (tenant.job === 'allreduce') {
        send(ranks[i]!, ranks[(i + 1) % n]!, bytes / n);
        pending++;
      } else {
        for (let k = 1; k < n; k++, pending++) send(ranks[i]!, ranks[(i + k) % n]!, bytes / n);
      }
    }
  };
  const driver: JobDriver = {
    wakeNs: 0,
    wake: () => {
      driver.wakeNs = Infinity;
      startStep();
    },
    delivered: (_startNs, timeNs) => {
      endNs = Math.max(endNs, timeNs);
      if (--pending > 0 || ++step === steps) return;
      // The next step starts once this one is in: now (the network is at the delivery time).
      driver.wakeNs = timeNs;
    },
    outcome: () => {
      // nccl-tests' bus bandwidth factors: all-reduce 2(n-1)/n, all-to-all (n-1)/n.
      const factor = tenant.job === 'allreduce' ? (2 * (n - 1)) / n : (n - 1) / n;
      return { timeUs: endNs / 1000, busBwGBps: (factor * bytes) / endNs, p50Us: null, p99Us: null };
    },
  };
  return driver;
}

/** Every rank sends `bytes` to the next rank of its set at 0, every, 2 x every, … (count ticks). */
function requestStream(tenant: Tenant, send: Send): JobDriver {
  const { ranks, bytes, everyNs, count } = tenant;
  const latenciesNs: number[] = [];
  let tick = 0;
  let endNs = 0;
  const driver: JobDriver = {
    wakeNs: 0,
    wake: () => {
      for (let i = 0; i < ranks.length; i++) send(ranks[i]!, ranks[(i + 1) % ranks.length]!, bytes);
      driver.wakeNs = ++tick < count ? tick * everyNs : Infinity;
    },
    delivered: (startNs, timeNs) => {
      latenciesNs.push(timeNs - startNs);
      endNs = Math.max(endNs, timeNs);
    },
    outcome: () => {
      const sorted = latenciesNs.sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]! / 1000;
      return { timeUs: endNs / 1000, busBwGBps: null, p50Us: at(0.5), p99Us: at(0.99) };
    },
  };
  return driver;
}

/** The isolation metric: shared busbw / alone busbw (collectives), shared p99 / alone p99 (requests). */
export function isolationRatio(row: TenantRow): number {
  return row.job === 'requests' ? row.shared.p99Us! / row.alone.p99Us! : row.shared.busBwGBps! / row.alone.busBwGBps!;
}

function outcomeText(o: JobOutcome): string {
  return o.busBwGBps !== null ? `busbw ${o.busBwGBps.toFixed(2)} GB/s` : `p50 ${o.p50Us!.toFixed(2)} / p99 ${o.p99Us!.toFixed(2)} us`;
}

/** The isolation table, after the run's header lines. */
export function formatTenants(header: readonly string[], rows: readonly TenantRow[]): string {
  const lines = [...header];
  lines.push('#  tenants: transfer schedules driven on the network (ghost: no payload, no worker threads); each job alone, then all together');
  lines.push('#');
  lines.push(`#  ${'job'.padEnd(4)}${'kind'.padEnd(11)}${'ranks'.padEnd(11)}${'class'.padEnd(7)}${'bytes'.padStart(11)}  ${'alone'.padEnd(28)}${'shared'.padEnd(28)}shared/alone`);
  rows.forEach((row, i) => {
    const ratio = isolationRatio(row).toFixed(3) + (row.job === 'requests' ? ' (p99)' : ' (busbw)');
    lines.push(`   ${String(i + 1).padEnd(4)}${row.job.padEnd(11)}${row.rankText.padEnd(11)}${String(row.trafficClass).padEnd(7)}${String(row.bytes).padStart(11)}  ${outcomeText(row.alone).padEnd(28)}${outcomeText(row.shared).padEnd(28)}${ratio}`);
  });
  return lines.join('\n') + '\n';
}

/** The network a tenant run shares: the bench flags' model, routing (auto: the topology's) and packet settings. */
export function tenantNetworkOptions(flags: BenchFlags, topology: Topology): NetworkOptions {
  return {
    model: flags.network,
    routing: resolveRouting(flags.routing, topology),
    qps: flags.qps,
    seed: flags.seed,
    record: 'summary',
    ...(flags.network === 'packet' ? { packet: packetOptions(flags) } : {}),
  };
}

/**
 * `weft bench … --tenant …`: runs the flags' tenants, and gives the isolation table or its JSON
 * (stdout and --out may want different ones: `--out r.json` beside the table).
 */
export function tenantBench(flags: BenchFlags, topology: Topology): (format: 'table' | 'json') => string {
  const tenants = resolveTenants(flags.tenant ?? [], topology, flags.collectiveCliName, flags.maxBytes);
  const options = tenantNetworkOptions(flags, topology);
  if (options.packet !== undefined) checkTenantVolume(tenants, options.packet.cellBytes ?? options.packet.mtuBytes ?? 4096);
  const rows = runTenants(topology, options, tenants);
  return (format) => formatTenantRun(flags, topology, options, rows, format);
}

function formatTenantRun(flags: BenchFlags, topology: Topology, options: NetworkOptions, rows: readonly TenantRow[], format: 'table' | 'json'): string {
  if (format === 'json') {
    const json = { topology: { spec: flags.topologySpec, ranks: topology.ranks.length }, model: flags.network, routing: options.routing, qps: flags.qps, seed: flags.seed, ...(options.packet ? { packet: options.packet } : {}), tenants: rows.map((row) => ({ ...row, isolation: isolationRatio(row) })) };
    return JSON.stringify(json, null, 2) + '\n';
  }
  const header = [
    `# weft bench --tenant: ${rows.length} jobs on one fabric`,
    `#  topology: ${flags.topologySpec} (${topology.ranks.length} ranks)  model: ${flags.network}  routing: ${options.routing}  qps: ${flags.qps}  seed: ${flags.seed}`,
    ...(options.packet ? [packetLine(options.packet)] : []),
    ...(flags.network === 'packet' ? [] : [`#  traffic classes are scheduled by --network packet only${flags.network === 'alphaBeta' ? '; alphaBeta has no contention, so jobs cannot slow each other' : ''}`]),
  ];
  return formatTenants(header, rows);
}
