import type { Command } from 'commander';
import { WeftInputError } from '@weft/sim';
import { resolveRouting, type Topology } from '@weft/fabric';
import { resolveAlgorithms } from '../bench/algorithms.js';
import { addBenchFlags, flagAttribute, flagLabel, givenFlags, parseBenchFlags, type BenchConfig, type BenchFlags } from '../bench/config.js';
import { BENCH_FLAGS, type FlagKey } from '../bench/schema.js';
import { averageBusBw, averageBusBwByAlgorithm, type BenchReport, type BenchRow } from '../bench/report.js';
import { DTYPES as ALL_DTYPES, collectiveOf, readNcclEnvironment } from '@weft/collectives';
import type { TraceRun } from '../format/trace.js';
import { runSweep } from '../bench/sweep.js';
import { tenantBench } from '../bench/tenants.js';
import { compareJson, compareOptionValue, formatCompare, type CompareRun } from '../bench/compare.js';
import { formatFaultOutcomes } from '../bench/fault-runs.js';
import { formatCompareCsv, formatCsv } from '../format/csv.js';
import { formatJson } from '../format/json.js';
import { plotBusBwSvg } from '../format/plot.js';
import { plotQueuesSvg } from '../format/queue-plot.js';
import { formatHeader, formatRow, formatTable, formatTableEnd } from '../format/table.js';
import { formatNcclTests, type NcclTestsSweep } from '../format/nccl-tests.js';
import { buildTrace } from '../format/trace.js';
import { assertDistinct, assertWritable, checkOutputs, writeOutputs, type OutputFile } from '../output.js';
import { topologyInputs } from '../topology.js';
import { benchTopology, checkEnergyFlags } from '../bench/energy.js';
import { isModulePath } from '../user-algorithm/module-path.js';
import { checkFlagRules } from '../bench/flag-rules.js';
import { compareWithReference, parseNcclTestsLog, readReferenceLog } from '../bench/reference.js';
import { readInputFile } from '../input-file.js';
import { progressBar } from '../ui/progress.js';
import { checkSizedThread } from '../entry.js';
import { assertResultsRight } from '../bench/wrong-results.js';

export { DEFAULT_JOB } from '../bench/config.js';

type Format = BenchConfig['format'];

/** Adds `weft bench`'s flags (bench/config.ts holds them) and its action. */
export function registerBench(command: Command): Command {
  return addBenchFlags(command)
    .addHelpText('after', "\nEnvironment: NCCL_ALGO and NCCL_PROTO (NCCL 2.24's lists, ^, per-function entries), NCCL_NVLS_ENABLE=0 and NCCL_PAT_ENABLE=0 are read as NCCL reads them; --algo and --proto win; the header's environment: line says what applied.")
    .action((collective: string, options: Record<string, unknown>, self: Command) => runBench(collective, options, givenFlags(self)));
}

function formatFor(path: string, fallback: Format): Format {
  if (/\.json$/i.test(path)) return 'json';
  if (/\.csv$/i.test(path)) return 'csv';
  return fallback;
}

/** The fault outcomes' table, which follows the sweep's table (JSON and CSV carry them in `faults`). */
const faultsTable = (report: BenchReport): string => (report.faults ? formatFaultOutcomes(report.faults.scenario, report.faults.outcomes) : '');

/** Each format whole: stdout's when rows were not streamed, and --out's (its faults table included, as on stdout). */
/** `labels`: the sweep's planned algorithm labels (the table's algorithm column fits them). */
function renderers(topology: Topology, sweep: NcclTestsSweep): Readonly<Record<Format, (report: BenchReport, labels: readonly string[]) => string>> {
  return {
    table: (report, labels) => formatTable(report, labels) + faultsTable(report),
    json: formatJson,
    csv: formatCsv,
    'nccl-tests': (report) => formatNcclTests(report, topology, sweep),
  };
}

/**
 * What `--tenant` reads: the fabric, how it carries traffic, and the output. Its jobs are
 * traffic schedules of their own (bench/tenants.ts) with no payload and no algorithm choice,
 * so the sweep's flags would be silently ignored; given, they are refused.
 */
const TENANT_FLAGS: ReadonlySet<FlagKey> = new Set<FlagKey>(['tenant', 'topology', 'ranks', 'maxBytes', 'network', 'routing', 'mtu', 'cell', 'cc', 'delivery', 'pfc', 'staleness', 'sched', 'qps', 'seed', 'format', 'out']);

function checkTenantFlags(flags: BenchFlags, given: ReadonlySet<FlagKey>): void {
  if (flags.compare !== undefined) throw new WeftInputError('--compare: not with --tenant; compare the isolation tables by running --tenant once per value');
  // The isolation table has no CSV form (its rows hold either busbw or latency percentiles).
  if (flags.format === 'csv' || flags.format === 'nccl-tests') throw new WeftInputError(`--format ${flags.format}: not with --tenant; its isolation table is printed as table or json`);
  if (flags.out !== undefined && formatFor(flags.out, 'table') === 'csv') throw new WeftInputError(`--out: '${flags.out}' asks for CSV; with --tenant the isolation table is written as a table or as JSON (.json)`);
  // Ghost is what a tenant job is (no payload): saying so is harmless.
  const ignored = [...given].filter((key) => !TENANT_FLAGS.has(key) && !(key === 'mode' && flags.mode === 'ghost'));
  if (ignored.length === 0) return;
  const label = flagLabel(BENCH_FLAGS[ignored[0]!].flags) + (ignored[0] === 'mode' ? ` ${flags.mode}` : '');
  const accepted = [...TENANT_FLAGS].filter((key) => key !== 'tenant').map((key) => flagLabel(BENCH_FLAGS[key].flags).split('/').pop()).join(', ');
  throw new WeftInputError(`${label}: not with --tenant; its jobs are traffic schedules on the fabric with no payload or algorithm choice (it reads ${accepted})`);
}

/**
 * With faults the report is two tables (the faulted runs that completed, and every run's outcome
 * against its fault-free twin); CSV holds one: the outcomes, failures above all, would be lost.
 */
function checkFaultFormats(flags: BenchFlags): void {
  const { links, stragglers, crashes } = flags.faultScenario;
  if ((links?.length ?? 0) + (stragglers?.length ?? 0) + (crashes?.length ?? 0) === 0) return;
  // The side-by-side busbw table has no room for the outcomes either (a failed run is no row).
  if (flags.compare !== undefined) throw new WeftInputError('--compare: not with --fault/--straggler/--crash/--scenario; its busbw table has no room for the fault outcomes: run each value with the faults');
  const why = 'the fault outcomes (# Faults: each run against its fault-free twin, failures included) have no CSV form';
  if (flags.format === 'csv') throw new WeftInputError(`--format csv: not with faults; ${why}; use --format table or json`);
  if (flags.out !== undefined && formatFor(flags.out, flags.format) === 'csv') throw new WeftInputError(`--out: '${flags.out}' asks for CSV; ${why}; write .json or a table`);
}

/** `--links` in a report that has no place for them: CSV holds one line per row (the table and JSON carry the links). */
function checkLinksFormat(flags: BenchFlags): void {
  if (flags.links === 0 || flags.format !== 'csv') return;
  if (flags.out === undefined || formatFor(flags.out, flags.format) === 'csv') {
    throw new WeftInputError(`--links ${flags.links}: CSV holds one line per row, without the links; use --format table or json (or --out FILE.json beside the CSV)`);
  }
}

/** `given`: the flags typed on the command line (commander fills the rest from their defaults). */
export async function runBench(collective: string, optionsAsGiven: Readonly<Record<string, unknown>>, given: ReadonlySet<FlagKey> = new Set()): Promise<void> {
  const options = factorOverStep(optionsAsGiven, given);
  const flags = parseBenchFlags(collective, options);
  checkEnergyFlags(flags);
  checkFlagRules(flags, given);
  checkFaultFormats(flags);
  checkLinksFormat(flags);
  if (flags.reference !== undefined && (flags.compare !== undefined || flags.tenant !== undefined)) {
    throw new WeftInputError(`--reference: not with ${flags.compare !== undefined ? '--compare' : '--tenant'}; run the configuration that stands for your cluster alone beside it`);
  }
  if (flags.tenant !== undefined) {
    checkTenantFlags(flags, given);
    return runTenantBench(flags);
  }
  if (flags.compare !== undefined) {
    // The comparison sets its flag per value: the same flag typed too would be silently dropped.
    if (given.has(flags.compare.key)) {
      throw new WeftInputError(`--compare ${flags.compare.name}=${flags.compare.values.join(',')}: sets --${flags.compare.name} per value; drop the --${flags.compare.name} given beside it`);
    }
    return runCompare(collective, options, flags, given);
  }
  // Output paths fail in milliseconds, before user modules load or workers start.
  const outputs: [string, string][] = [];
  for (const [flag, path] of [['--out', flags.out], ['--trace', flags.trace], ['--plot', flags.plot], ['--plot-queues', flags.plotQueues]] as const) {
    if (path !== undefined) outputs.push([flag, path]);
  }
  // An output on '-' takes stdout: the report is not printed there as well.
  const stdoutTaken = checkOutputs(outputs) !== undefined;
  const modules = flags.algo.filter(isModulePath).map((path) => ['--algo', path] as const);
  const scenario = flags.scenario !== undefined ? [['--scenario', flags.scenario] as const] : [];
  const referenceInput = flags.reference !== undefined ? [['--reference', flags.reference] as const] : [];
  assertDistinct(outputs, [...topologyInputs(flags.topologySpec), ...modules, ...scenario, ...referenceInput]);
  // Read before any run: a file that is not nccl-tests output fails in milliseconds.
  const reference = flags.reference !== undefined ? parseNcclTestsLog(flags.reference, readReferenceLog(flags.reference, readInputFile)) : undefined;
  const topology: Topology = benchTopology(flags);
  const config = await benchConfig(flags, topology, given);
  const notice = idleQpsNotice(config);
  if (notice !== undefined) process.stderr.write(notice);
  checkSizedThread(config.mode, topology.ranks.length);
  const bar = progressBar('weft bench [{bar}] {value}/{total} {label}');
  // A table goes out row by row as runs end (nccl-tests does): a long sweep shows its rows at
  // once, and one stopped early has printed what it finished. JSON and CSV are whole documents,
  // printed when the sweep ends. bar.print keeps the bar (stderr) off the table's lines.
  let tableStarted = false;
  const streamRow = (row: BenchRow, header: Parameters<typeof formatHeader>[0], labels: readonly string[]) => {
    bar.print(`${tableStarted ? '' : formatHeader(header, labels) + '\n'}${formatRow(row, labels)}\n`);
    tableStarted = true;
  };
  // `-d all`: one sweep per type, in nccl-tests' order, their rows one after the other (nccl-tests
  // runs every size of one type, then the next type).
  const dtypes = flags.dtype === 'all' ? ALL_DTYPES : [config.dtype];
  // `-o all`: every op of a reducing collective in turn within each type, as nccl-tests nests them.
  const ops = flags.op === 'all' && collectiveOf(config.collective).reduces ? NCCL_TESTS_OPS : [config.op];
  const sweeps: Awaited<ReturnType<typeof runSweep>>[] = [];
  try {
    for (const dtype of dtypes) {
      for (const op of ops) {
        const what = [...(dtypes.length > 1 ? [dtype] : []), ...(ops.length > 1 ? [op] : [])].join(' ');
        sweeps.push(
          await runSweep({ ...config, dtype, op }, topology, {
            onProgress: (done, total, label) => bar.update(done, total, what ? `${label} ${what}` : label),
            ...(config.format === 'table' && !stdoutTaken ? { onRow: streamRow } : {}),
          }),
        );
      }
    }
  } finally {
    bar.stop();
  }
  const merged = sweeps.length === 1 ? sweeps[0]! : mergeSweeps(sweeps);
  const { traceRuns, labels } = merged;
  const report: BenchReport = reference !== undefined ? { ...merged.report, reference: compareWithReference(flags.reference!, reference, merged.report.rows) } : merged.report;
  const files: OutputFile[] = [];
  const RENDER = renderers(topology, { minBytes: config.minBytes, maxBytes: config.maxBytes, stepFactor: config.stepFactor, stepBytes: config.stepBytes, check: config.check && config.mode === 'data' });
  if (config.out !== undefined) files.push({ path: config.out, content: RENDER[formatFor(config.out, config.format)](report, labels) });
  if (config.trace !== undefined) files.push({ path: config.trace, content: JSON.stringify(buildTrace(traceRuns)) + '\n' });
  if (config.plot !== undefined) files.push({ path: config.plot, content: await plotBusBwSvg(report) });
  if (config.plotQueues !== undefined) files.push({ path: config.plotQueues, content: await plotQueuesSvg(report, traceRuns) });
  if (!stdoutTaken) process.stdout.write(tableStarted ? formatTableEnd(report) + faultsTable(report) : RENDER[config.format](report, labels));
  writeOutputs(files);
  assertResultsRight([report]);
}

/** nccl-tests' `-o all` order (common.cu test_ops; its PreMulSum `mulsum` is not emulated). */
const NCCL_TESTS_OPS = ['sum', 'prod', 'max', 'min', 'avg'] as const;

/**
 * `-f` and `-i` both typed: nccl-tests multiplies when its factor is above 1 and adds the step
 * only otherwise (common.cu: `stepfactor > 1 ? size*stepfactor : size+stepbytes`); weft's `-i`
 * alone adds (its `-f` defaults to 2, nccl-tests' to 1).
 */
function factorOverStep(options: Readonly<Record<string, unknown>>, given: ReadonlySet<FlagKey>): Readonly<Record<string, unknown>> {
  if (!given.has('stepBytes') || !given.has('stepFactor') || !(Number(options[flagAttribute('stepFactor')]) > 1)) return options;
  return { ...options, [flagAttribute('stepBytes')]: undefined };
}

/**
 * The sweep's configuration from the flags: algorithms resolved, `--routing auto` as the
 * topology's own routing, and NCCL's environment variables as NCCL reads them (flags in
 * `given` win). `-d all` gives the first type (the caller runs each in turn).
 */
async function benchConfig(flags: BenchFlags, topology: Topology, given: ReadonlySet<FlagKey>): Promise<BenchConfig> {
  const dtype = flags.dtype === 'all' ? ALL_DTYPES[0]! : flags.dtype;
  const op = flags.op === 'all' ? NCCL_TESTS_OPS[0] : flags.op;
  const ncclEnv = readNcclEnvironment(process.env, flags.collective, { algo: given.has('algo'), proto: given.has('proto') });
  return { ...flags, dtype, op, routing: resolveRouting(flags.routing, topology), algorithms: await resolveAlgorithms(flags), ncclEnv };
}

/** `-d all`'s sweeps as one report: every row, the averages over all of them, and each backend that ran (a type the fast kernels lack runs the typed loops). */
function mergeSweeps(sweeps: readonly Awaited<ReturnType<typeof runSweep>>[]): { report: BenchReport; traceRuns: TraceRun[]; labels: string[] } {
  const first = sweeps[0]!.report;
  const rows = sweeps.flatMap((sweep) => sweep.report.rows);
  const backends = [...new Set(sweeps.map((sweep) => sweep.report.backend))];
  const outcomes = sweeps.flatMap((sweep) => sweep.report.faults?.outcomes ?? []);
  const report: BenchReport = {
    ...first,
    backend: backends.join(','),
    rows,
    avgBusBwGBps: averageBusBw(rows),
    avgBusBwGBpsByAlgorithm: averageBusBwByAlgorithm(rows),
    ...(first.faults ? { faults: { scenario: first.faults.scenario, outcomes } } : {}),
  };
  return { report, traceRuns: sweeps.flatMap((sweep) => sweep.traceRuns), labels: [...new Set(sweeps.flatMap((sweep) => sweep.labels))] };
}

/**
 * Queue pairs are what ECMP hashes; adaptive routing already spreads every flow over every path,
 * so --qps changes nothing there. Said once, on stderr, since auto makes adaptive the default on
 * Spectrum-X and InfiniBand presets where a user may expect ECMP's queue pairs.
 */
function idleQpsNotice(config: Pick<BenchConfig, 'qps' | 'routing' | 'topologySpec'>): string | undefined {
  if (config.qps === 1 || config.routing === 'ecmp') return undefined;
  return `weft bench: --qps ${config.qps} changes nothing under ${config.routing} routing (every flow already spreads over every equal-cost path) on ${config.topologySpec}; --routing ecmp hashes each queue pair onto its own path\n`;
}

/** `--tenant`: the isolation table instead of a sweep (written to --out as well). */
function runTenantBench(flags: BenchFlags): void {
  if (flags.out !== undefined) assertWritable('--out', flags.out);
  const render = tenantBench(flags, benchTopology(flags));
  // (csv is refused by checkTenantFlags: the isolation table has no CSV form.)
  writeReport((format) => render(format === 'csv' || format === 'nccl-tests' ? 'table' : format), flags.format, flags.out);
}

/** `--compare FLAG=V1,V2,…`: one sweep per value (each validated as that flag), then busbw side by side. */
async function runCompare(collective: string, options: Readonly<Record<string, unknown>>, flags: BenchFlags, given: ReadonlySet<FlagKey>): Promise<void> {
  const spec = flags.compare!;
  if (flags.format === 'nccl-tests') throw new WeftInputError('--format nccl-tests: not with --compare (nccl-tests prints one sweep); use --format table, json or csv, or run each value alone');
  for (const [flag, given] of [['--trace', flags.trace], ['--plot', flags.plot], ['--plot-queues', flags.plotQueues], ['--explain', flags.explain || undefined], ['--links', flags.links > 0 || undefined]] as const) {
    if (given !== undefined) throw new WeftInputError(`--compare: not with ${flag}; run the value you want to look at without --compare`);
  }
  if (flags.out !== undefined) assertWritable('--out', flags.out);
  // Every value is checked before the first sweep starts.
  const configs: { config: BenchConfig; topology: Topology }[] = [];
  for (const value of spec.values) {
    const valueFlags = parseBenchFlags(collective, { ...options, [flagAttribute('compare')]: undefined, [flagAttribute(spec.key)]: compareOptionValue(spec.key, value) });
    if (valueFlags.dtype === 'all') throw new WeftInputError('-d all: not with --compare (one sweep per compared value); give one type, e.g. -d bfloat16, or run -d all without --compare');
    if (valueFlags.op === 'all') throw new WeftInputError('-o all: not with --compare (one sweep per compared value); give one op, e.g. -o max, or run -o all without --compare');
    const topology = benchTopology(valueFlags);
    configs.push({ config: await benchConfig(valueFlags, topology, new Set([...given, spec.key])), topology });
  }
  const notice = configs.map(({ config }) => idleQpsNotice(config)).find((text) => text !== undefined);
  if (notice !== undefined) process.stderr.write(notice);
  const runs: CompareRun[] = [];
  const bar = progressBar('weft bench --compare [{bar}] {value}/{total} {label}');
  try {
    for (const [i, { config, topology }] of configs.entries()) {
      const { report } = await runSweep(config, topology, { onProgress: () => bar.update(i, configs.length, `${spec.name}=${spec.values[i]}`) });
      runs.push({ value: spec.values[i]!, report });
    }
  } finally {
    bar.stop();
  }
  // Only the lines above the column titles are kept: no algorithm labels to fit.
  const header = formatHeader(runs[0]!.report, []).split('\n');
  const table = () => formatCompare(spec, runs, [...header.slice(0, header.indexOf('#')), `#  (the lines above describe the run with ${spec.name}=${spec.values[0]})`]);
  // (--format nccl-tests is refused above: nccl-tests has no side-by-side table.)
  const render: Readonly<Record<Format, () => string>> = { table, json: () => compareJson(spec, runs), csv: () => formatCompareCsv(spec, runs), 'nccl-tests': table };
  writeReport((format) => render[format](), flags.format, flags.out);
  assertResultsRight(runs.map((run) => run.report));
}

/**
 * A report rendered whole: on stdout in --format, and in --out in its file's format (.json,
 * .csv, else --format) unless --out is '-' (then stdout, once).
 */
function writeReport(render: (format: Format) => string, format: Format, out: string | undefined): void {
  if (out !== '-') process.stdout.write(render(format));
  if (out !== undefined) writeOutputs([{ path: out, content: render(formatFor(out, format)) }]);
}
