/**
 * `weft bench … --compare FLAG=V1,V2,…`: the same benchmark once per value of one flag
 * (`routing=ecmp,adaptive`, `cc=none,dcqcn,telemetry`, `network=maxMin,packet`, `qps=1,4`,
 * `topology=A;B` when values hold commas …), and the side-by-side table of busbw per size per value. Each value is
 * validated as if it had been given to the flag itself.
 */
import { ON_OFF, accept, reject, type Read } from '../names.js';
import type { BenchReport } from './report.js';
import { BENCH_FLAGS, flagLabel, type FlagKey } from './schema.js';

export interface CompareSpec {
  /** The bench flag whose value varies. */
  readonly key: FlagKey;
  /** Its long name as written (`routing`). */
  readonly name: string;
  readonly values: readonly string[];
}

/**
 * Flags that say where or how output goes, or hold lists: comparing their values means nothing.
 * (`--energy` adds columns the side-by-side busbw table has no room for: refused with --compare.)
 */
const NOT_COMPARED: ReadonlySet<string> = new Set(['compare', 'format', 'out', 'trace', 'plot', 'plotQueues', 'links', 'explain', 'exactLimit', 'tenant', 'fault', 'straggler', 'crash', 'scenario', 'timeoutS', 'energy']);

/** A flag that takes no value (`--confidential`): compared as on,off. */
const isSwitch = (key: FlagKey): boolean => !/[<[]/.test(BENCH_FLAGS[key].flags);

/** The option value a compared value stands for: a switch's on/off as given or absent, else the text itself. */
export function compareOptionValue(key: FlagKey, value: string): string | true | undefined {
  return isSwitch(key) ? (ON_OFF.get(value) === true ? true : undefined) : value;
}

/** Long flag name (`routing`) to its key, for every flag --compare accepts (built on first use: schema.ts imports this module). */
function comparable(): ReadonlyMap<string, FlagKey> {
  return new Map<string, FlagKey>(
    Object.entries(BENCH_FLAGS)
      .filter(([key, f]) => !NOT_COMPARED.has(key) && !('repeat' in f && f.repeat))
      .map(([key, f]) => [/--([\w-]+)/.exec(f.flags)![1]!, key as FlagKey]),
  );
}

/** `FLAG=V1,V2,…` (at least two values) as a CompareSpec, or the reason it is refused. */
export function readCompare(text: string): Read<CompareSpec> {
  const m = /^([\w-]+)=(.+)$/.exec(text.trim());
  const flags = comparable();
  const names = [...flags.keys()].join(', ');
  if (m === null) return reject(`is not accepted; use FLAG=V1,V2 with FLAG one of ${names} (e.g. routing=ecmp,adaptive)`);
  const key = flags.get(m[1]!);
  if (key === undefined) return reject(`names no flag --compare can vary; use one of ${names}`);
  // Values that hold commas themselves (topology specs, wrr weights) are separated by ';'.
  const values = m[2]!.split(m[2]!.includes(';') ? ';' : ',').map((v) => v.trim());
  if (values.length < 2 || values.some((v) => v === '')) return reject("needs two or more values separated by ',' (or ';' when values hold commas), e.g. routing=ecmp,adaptive");
  if (isSwitch(key)) {
    const bad = values.find((v) => ON_OFF.get(v) === undefined);
    if (bad !== undefined) return reject(`has '${bad}' for --${m[1]!}, which takes no value; compare it as ${m[1]!}=off,on`);
  }
  if (new Set(values.map((v) => (isSwitch(key) ? String(ON_OFF.get(v)) : v))).size !== values.length) return reject('names a value twice');
  return accept({ key, name: m[1]!, values });
}

/** One value's sweep, for the side-by-side table. */
export interface CompareRun {
  readonly value: string;
  readonly report: BenchReport;
}

/** Rows of the side-by-side table: per size and algorithm, busbw under each value. */
export interface CompareRow {
  readonly bytes: number;
  readonly algorithm: string;
  /** Per value, in order; the algorithm `auto` picked when it differs from the row's; null where that value ran no such size. */
  readonly cells: readonly ({ readonly busBwGBps: number; readonly algorithm: string } | null)[];
}

/**
 * The runs' rows joined on size: the k-th row of a size under one value beside the k-th row of
 * that size under the others (--algo ring,tree runs two rows per size, in the same order under
 * every value). Values that run other sizes (`ranks=8,6` rounds sizes to multiples of the rank
 * count; `minbytes=1K,1000`) leave a cell empty where they ran no such size. Before, rows were
 * paired by position, so ranks=6's 1,008-byte result stood under 1,024, and values that ran
 * different row counts were refused only after every sweep had run.
 */
export function compareRows(runs: readonly CompareRun[]): CompareRow[] {
  const joined = new Map<string, { bytes: number; k: number; cells: (CompareRow['cells'][number])[] }>();
  runs.forEach((run, v) => {
    const seen = new Map<number, number>();
    for (const row of run.report.rows) {
      const k = seen.get(row.bytes) ?? 0;
      seen.set(row.bytes, k + 1);
      const key = `${row.bytes} ${k}`;
      let entry = joined.get(key);
      if (entry === undefined) joined.set(key, (entry = { bytes: row.bytes, k, cells: runs.map(() => null) }));
      entry.cells[v] = { busBwGBps: row.busBwGBps, algorithm: row.algorithm };
    }
  });
  return [...joined.values()]
    .sort((a, b) => a.bytes - b.bytes || a.k - b.k)
    .map(({ bytes, cells }) => ({ bytes, algorithm: cells.find((c) => c !== null)!.algorithm, cells }));
}

/** Whether some value ran a size another did not (the table says what its empty cells mean). */
export function sizesDiffer(rows: readonly CompareRow[]): boolean {
  return rows.some((row) => row.cells.some((c) => c === null));
}

/** The side-by-side table: header lines (what ran), then busbw (GB/s) per size per value. */
export function formatCompare(spec: CompareSpec, runs: readonly CompareRun[], header: readonly string[]): string {
  const rows = compareRows(runs);
  // A cell names its algorithm when a value ran another one (auto under --tuner, --channels …):
  // the columns are as wide as their widest cell, so cells never run into each other.
  const texts = rows.map((row) => row.cells.map((c) => (c === null ? '—' : c.busBwGBps.toFixed(2) + (c.algorithm !== row.algorithm ? ` ${c.algorithm}` : ''))));
  const width = Math.max(10, ...spec.values.map((v) => v.length + 2), ...texts.flat().map((t) => t.length + 2));
  const algoWidth = Math.max(9, ...rows.map((r) => r.algorithm.length)) + 2;
  const lines = [...header, `#  --compare ${spec.name}: busbw (GB/s) per size, one column per value (${flagLabel(BENCH_FLAGS[spec.key].flags)})`];
  if (sizesDiffer(rows)) lines.push('#  the values ran different sizes: — where a value ran no such size');
  lines.push('#');
  lines.push(`#${'size(B)'.padStart(12)}  ${'algorithm'.padStart(algoWidth)}${spec.values.map((v) => v.padStart(width)).join('')}`);
  rows.forEach((row, i) => {
    lines.push(` ${String(row.bytes).padStart(12)}  ${row.algorithm.padStart(algoWidth)}${texts[i]!.map((t) => t.padStart(width)).join('')}`);
  });
  return lines.join('\n') + '\n';
}

export function compareJson(spec: CompareSpec, runs: readonly CompareRun[]): string {
  const rows = compareRows(runs).map((row) => ({
    bytes: row.bytes,
    algorithm: row.algorithm,
    busBwGBps: Object.fromEntries(spec.values.map((v, i) => [v, row.cells[i]?.busBwGBps ?? null])),
    // Per value, what ran: auto may pick differently under each (the table marks those cells); null: no such size.
    algorithms: Object.fromEntries(spec.values.map((v, i) => [v, row.cells[i]?.algorithm ?? null])),
  }));
  return JSON.stringify({ compare: { flag: spec.name, values: spec.values }, runs: runs.map((r) => r.report), rows }, null, 2) + '\n';
}
