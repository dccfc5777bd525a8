import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { WEFT_MAIN } from './run-weft.js';

// A run of a single size that takes minutes (1,000+ GPUs) used to show a bar stuck at 0/1: the bar's
// label now says how far the simulation got against the prediction, about once a second. A faked
// terminal (stderr.isTTY) shows the bar; a pipe shows nothing.
const ARGS = ['bench', 'allreduce', '--topology', 'dgx-h100:nodes=16', '--algo', 'ring', '--mode', 'ghost', '-b', '1G', '-e', '1G'];
const ON_TERMINAL = 'data:text/javascript,Object.defineProperty(process.stderr,"isTTY",{value:true});process.stderr.columns=120';

function weft(preload: readonly string[]) {
  const run = spawnSync(process.execPath, [...preload, WEFT_MAIN, ...ARGS], { encoding: 'utf8', timeout: 120_000 });
  expect(run.error).toBeUndefined();
  expect(run.status).toBe(0);
  return run;
}

describe('weft bench: a long run shows its simulated progress', () => {
  it('labels the bar with the simulated time reached of the predicted, on a terminal only, results unchanged', () => {
    const onTerminal = weft(['--import', ON_TERMINAL]);
    const piped = weft([]);
    const labels = [...onTerminal.stderr.matchAll(/ring 1073741824 B: simulated ([\d,]+) µs of ≈ ([\d,]+) µs predicted/g)];
    expect(labels.length).toBeGreaterThan(0);
    const row = /^\s+1073741824 .*$/m.exec(onTerminal.stdout)![0].split(/\s+/);
    const [, , , , , , timeUs, , , , , , predictedUs] = row;
    for (const [, reachedUs, ofUs] of labels) {
      expect(Number(reachedUs!.replace(/,/g, ''))).toBeLessThanOrEqual(Math.round(Number(timeUs)));
      expect(ofUs!.replace(/,/g, '')).toBe(String(Math.round(Number(predictedUs))));
    }
    expect(piped.stderr).toBe('');
    const withoutWall = (text: string) => text.replace(/\s+[\d.]+$/gm, '');
    expect(withoutWall(onTerminal.stdout)).toBe(withoutWall(piped.stdout));
  });
});
