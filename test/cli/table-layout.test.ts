/**
 * The nccl-tests table's algorithm column fits every label the sweep can print: barrier's
 * `auto(dissemination)` (19 characters) ran three past the 16-wide column, out of line with
 * its header. Streamed (stdout) and whole (--out) tables are laid out alike.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { weft } from './run-weft.js';

/** Where the algorithm column ends on the titles line and on each row. */
function algorithmEnds(table: string): { readonly title: number; readonly rows: readonly number[] } {
  const lines = table.split('\n');
  const titles = lines.find((line) => line.startsWith('#') && line.includes('#wrong'))!;
  const rows = lines.filter((line) => /^ +\d/.test(line)).map((row) => /auto\([\w-]+\)/.exec(row)!);
  return { title: titles.indexOf('algorithm') + 'algorithm'.length, rows: rows.map((m) => m.index + m[0].length) };
}

describe('the table’s algorithm column', () => {
  it('fits barrier’s auto(dissemination), streamed and in --out', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'weft-table-')), 'barrier.txt');
    const run = weft(['bench', 'barrier', '--ranks', '8', '--mode', 'ghost', '--out', out]);
    expect(run.code).toBe(0);
    const ends = algorithmEnds(run.stdout);
    expect(ends.rows).toHaveLength(1);
    expect(ends.rows[0]).toBe(ends.title);
    expect(run.stdout.split('\n').find((line) => line.includes('auto(dissemination)'))).toMatch(/ N\/A +auto\(dissemination\)/);
    expect(readFileSync(out, 'utf8').replace(/ +[\d.]+\n/g, '\n')).toBe(run.stdout.replace(/ +[\d.]+\n/g, '\n'));
  });

  it('keeps its 16 columns where every label fits', () => {
    const run = weft(['bench', 'allreduce', '--ranks', '4', '--mode', 'ghost', '-b', '1K', '-e', '1K']);
    const { title, rows } = algorithmEnds(run.stdout);
    expect(rows[0]).toBe(title);
    expect(run.stdout).toMatch(/\n#\s+size\s+count\s+type\s+redop\s+root\s+time\s+algbw\s+busbw\s+#wrong {8}algorithm/);
  });
});
