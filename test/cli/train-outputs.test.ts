/**
 * `weft train --out -` and `--plot -` follow weft bench's rule (output.ts checkOutputs): an
 * output on '-' takes stdout alone, two on '-' are refused in one line. Before, '-' was refused
 * ("must end in .json"); with --scale, `--out -` printed the table and the JSON on one stream.
 */
import { describe, expect, it } from 'vitest';
import { expectUsageError, weft } from './run-weft.js';

const RUN = ['train', '--model', 'mlp', '--ranks', '2', '--steps', '2', '--mode', 'ghost'];
const SCALE = ['train', '--scale', '8,16', '--algo', 'ring'];

describe('weft train outputs on -', () => {
  it('--out -: the report JSON alone on stdout', () => {
    const run = weft([...RUN, '--out', '-']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).stepTime.totalNs).toBeGreaterThan(0);
  });

  it('--plot -: the SVG alone on stdout', () => {
    const run = weft([...RUN, '--plot', '-']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^<svg [^]*<\/svg>\n?$/);
  });

  it('--out - --plot -: refused in one line', () => {
    expectUsageError(weft([...RUN, '--out', '-', '--plot', '-']), /^weft: --plot: '-' is stdout, which --out already writes; give one of them a file$/);
  });

  it('a file still needs its extension, and says - is taken', () => {
    expectUsageError(weft([...RUN, '--out', 'report.txt']), /^weft: --out: 'report\.txt' must end in \.json \(or be '-' for stdout\)$/);
  });

  it.each([['table'], ['json'], ['csv']])('--scale --format %s --out -: the JSON alone, once', (format) => {
    const run = weft([...SCALE, '--format', format, '--out', '-']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).rows).toHaveLength(2);
  });

  it.each([
    [['train', '--help'], ['--out', '--plot']],
    [['bench', '--help'], ['--out', '--trace', '--plot', '--plot-queues']],
    [['topo', '--help'], ['--dot']],
  ])('%j says which outputs take -', (args, flags) => {
    const help = weft(args).stdout;
    for (const flag of flags) expect(help.split(`  ${flag} <`)[1]!.split(/\n  -/)[0]!.replace(/\s+/g, ' '), flag).toContain("'-': on stdout, alone");
  });
});
