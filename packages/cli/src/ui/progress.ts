import cliProgress from 'cli-progress';

/**
 * A progress bar on stderr, shown only on a terminal (never in pipes, files or tests), so
 * results on stdout stay clean. `print` writes a result line to stdout without tearing a
 * live bar on the same terminal. Used by `weft bench` and `weft train`.
 */
export interface ProgressBar {
  /** `done` of `total`; the first call draws the bar. `label` fills `{label}` in the format. */
  update(done: number, total: number, label?: string): void;
  /** Writes `text` to stdout above the bar (clears the bar's line, then redraws it). */
  print(text: string): void;
  /** Removes the bar; safe to call more than once or when it never started. */
  stop(): void;
}

/**
 * `format` is cli-progress's: `{bar}`, `{value}`, `{total}` and `{label}`, e.g.
 * `'weft bench [{bar}] {value}/{total} {label}'`.
 */
export function progressBar(format: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const bar = stream.isTTY
    ? new cliProgress.SingleBar({ stream, format, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic)
    : undefined;
  let started = false;
  return {
    update(done, total, label = '') {
      if (!bar) return;
      if (!started) {
        bar.start(total, done, { label });
        started = true;
      } else bar.update(done, { label });
    },
    print(text) {
      if (started) stream.write('\r\x1b[2K');
      process.stdout.write(text);
      if (started) bar?.render();
    },
    stop() {
      if (started) bar?.stop();
      started = false;
    },
  };
}
