// What the fabric benny microbenchmarks share: running their cases as one suite, and the
// machine line of their reports.
import b from 'benny';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Runs `cases` ({ name, run }) as one benny suite; returns benny's summary. */
export function runBenny(title, cases, quick) {
  return b.suite(
    title,
    ...cases.map((c) => b.add(c.name, c.run, { minSamples: quick ? 2 : 5, maxTime: quick ? 1 : 3 })),
    b.cycle(),
    b.complete(),
  );
}

/** "machine: N CPUs (nproc), MODEL, node vX; 1-min load average at start L; DATE". */
export function machineLine(loadAtStart) {
  let cpuModel;
  try {
    cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
  } catch {
    cpuModel = cpus()[0]?.model ?? 'unknown';
  }
  return `machine: ${cpus().length} CPUs (nproc), ${cpuModel}, node ${process.version}; 1-min load average at start ${loadAtStart}; ${new Date().toISOString().slice(0, 10)}`;
}
