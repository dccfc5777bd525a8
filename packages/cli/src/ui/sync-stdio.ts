/**
 * In the sized thread (sized-thread-main.ts), stdout and stderr written straight to the process's
 * file descriptors. A worker's own process.stdout hands each chunk to the main thread and sends the
 * next only when the main thread's acknowledgement has been read on the worker's event loop — which
 * a simulation keeps busy: the rows of a `--scale 8,64,4096` table all appeared at the end, and a
 * run stopped by `timeout` printed none (the scale walk, hostile.md §23). Written with writeSync,
 * each row reaches the terminal or pipe as it is printed, in order with the bar on stderr.
 */
import { writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

/** All of `text` to `fd`, retrying while a non-blocking pipe is full. */
function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

/**
 * Replaces `stream.write` by a synchronous write to `fd`. A failed write (EPIPE: the reader went
 * away; ENOSPC) is reported as the stream's 'error' event, as an asynchronous write reports it, so
 * the CLI's handlers (cli.ts endOnClosedPipe) end the run as they do outside the thread.
 */
export function writeStreamSync(stream: NodeJS.WriteStream, fd: number): void {
  stream.write = ((chunk: string | Uint8Array, encoding?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void): boolean => {
    const done = typeof encoding === 'function' ? encoding : callback;
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    try {
      writeAll(fd, text);
    } catch (error) {
      queueMicrotask(() => stream.emit('error', error));
      done?.(error as Error);
      return false;
    }
    done?.();
    return true;
  }) as NodeJS.WriteStream['write'];
}
