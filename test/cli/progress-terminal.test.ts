import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WEFT_MAIN } from './run-weft.js';

// What a terminal shows after `weft bench` with its progress bar: stdout and stderr written to one
// file in the order they reach it (both synchronous there), stderr made to say it is a terminal,
// and the escape sequences the bar uses replayed on a screen of lines. Before, cli-progress's
// cursor restore on stop jumped back to where the bar had started, above the table: the footer
// overwrote the header and the finished bar stayed under the table (the scale walk, hostile.md §23).
const ON_TERMINAL = 'data:text/javascript,Object.defineProperty(process.stderr,"isTTY",{value:true});process.stderr.columns=200';
const dir = mkdtempSync(join(tmpdir(), 'weft-terminal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The screen after writing `text`: \r, \n, ESC 7 / ESC 8 (save, restore), CSI n G (column), CSI K / 2K (clear), others ignored. */
function screen(text: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  let saved: [number, number] = [0, 0];
  const put = (ch: string) => {
    const line = lines[row]!.padEnd(col);
    lines[row] = line.slice(0, col) + ch + line.slice(col + 1);
    col++;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\r') col = 0;
    else if (ch === '\n') {
      row++;
      col = 0;
      if (lines[row] === undefined) lines[row] = '';
    } else if (ch === '\x1b') {
      const next = text[i + 1];
      if (next === '7') (saved = [row, col]), i++;
      else if (next === '8') ([row, col] = saved), i++;
      else if (next === '[') {
        const m = /^\[(\??[\d;]*)([A-Za-z])/.exec(text.slice(i + 1))!;
        i += m[0].length;
        const n = Number(m[1]!.replace('?', '') || 0);
        if (m[2] === 'G') col = Math.max(0, n - 1);
        else if (m[2] === 'K' && n === 2) lines[row] = '';
        else if (m[2] === 'K') lines[row] = lines[row]!.slice(0, col);
      }
    } else put(ch);
  }
  return lines.map((line) => line.trimEnd());
}

describe('the progress bar on a terminal', () => {
  it('leaves the table whole and no bar behind, header first, footer last', () => {
    const path = join(dir, 'terminal.txt');
    const fd = openSync(path, 'w');
    const run = spawnSync(process.execPath, ['--import', ON_TERMINAL, WEFT_MAIN, 'bench', 'allreduce', '--ranks', '8', '--mode', 'ghost', '-b', '1M', '-e', '64M', '-f', '4'], { stdio: ['ignore', fd, fd], timeout: 120_000 });
    closeSync(fd);
    expect(run.status).toBe(0);
    const raw = readFileSync(path, 'utf8');
    expect(raw).toContain('weft bench ['); // the bar was drawn
    const shown = screen(raw).filter((line) => line !== '');
    expect(shown[0]).toBe('# weft bench allreduce');
    expect(shown.filter((line) => line.includes('weft bench ['))).toEqual([]);
    expect(shown.filter((line) => /^\s+\d+\s+\d+\s+float/.test(line)).map((line) => line.trim().split(/\s+/)[0])).toEqual(['1048576', '4194304', '16777216', '67108864']);
    expect(shown.at(-1)).toMatch(/^# Avg bus bandwidth\s+: [\d.]+$/);
  });
});
