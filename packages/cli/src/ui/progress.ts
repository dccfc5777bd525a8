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
export function progressBar(format: string, stream: NodeJS.WriteStream = barStream): ProgressBar {
  // A dumb terminal (TERM=dumb: Emacs shells, some CI consoles) prints escape sequences as text.
  const bar = stream.isTTY && process.env['TERM'] !== 'dumb'
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
      // cli-progress saved the cursor (ESC 7) where the bar started and restores it on stop before
      // clearing that line: saved there, the stop went back up over the printed rows, cleared the
      // table's first line and left the bar below it. Save again at the bar's new line.
      if (started) stream.write('\x1b7');
      if (started) bar?.render();
    },
    stop() {
      if (started) bar?.stop();
      started = false;
    },
  };
}

/**
 * What the CLI's entry (main.ts), when it runs a command in a sized thread, tells the thread of
 * the process's stderr: a thread's own stderr is a pipe to the process's, never a TTY, and has
 * no size.
 */
export interface StderrFacts {
  readonly isTTY: boolean;
  readonly columns?: number;
}

/** This process's stderr, as a thread running the CLI for it must see it. */
export function stderrFacts(): StderrFacts {
  return process.stderr.isTTY ? { isTTY: true, columns: process.stderr.columns } : { isTTY: false };
}

/** The stream bars draw on by default. */
let barStream: NodeJS.WriteStream = process.stderr;

/**
 * In the sized thread (sized-thread-main.ts): bars draw as on the process's stderr. When that is
 * a terminal, they draw on the thread's stderr (which reaches it, in order) with the terminal's
 * facts: cli-progress writes to the stream directly and through node:readline's cursorTo /
 * moveCursor / clearLine, which only call `write(text, callback)`. The width is the terminal's
 * when the run started (a resize during the run is not seen).
 */
export function useProcessStderr(facts: StderrFacts): void {
  if (!facts.isTTY) return;
  const terminal = {
    isTTY: true,
    columns: facts.columns,
    write: (text: string, callback?: () => void) => process.stderr.write(text, callback),
  };
  barStream = terminal as unknown as NodeJS.WriteStream;
}
