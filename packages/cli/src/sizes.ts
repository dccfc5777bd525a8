import { WeftInputError } from '@weft/sim';
import { accept, refuse, reject, type Read } from './names.js';

/**
 * Sizes as nccl-tests takes them (-b/-e/-i): a whole number of bytes with an optional
 * K, M or G suffix (powers of 1024; a trailing B is allowed: 8, 8B, 1K, 128M, 1GB).
 */
const SIZE_PATTERN = /^(\d+)\s*([KMG]?)B?$/i;
const SIZE_MULTIPLIER = new Map([['', 1], ['K', 1024], ['M', 1024 ** 2], ['G', 1024 ** 3]]);

/** A size in bytes (see SIZE_PATTERN), or why not. */
export function readSizeBytes(text: string): Read<number> {
  const match = SIZE_PATTERN.exec(text.trim());
  if (!match) {
    return reject('is not a size; use a whole number of bytes with an optional K, M or G suffix (e.g. 8, 64K, 128M, 1G)');
  }
  const bytes = Number(match[1]) * SIZE_MULTIPLIER.get(match[2]!.toUpperCase())!;
  if (bytes <= 0) return reject('is not accepted; use a size greater than 0');
  if (!Number.isSafeInteger(bytes)) return reject(`is too large; at most ${Number.MAX_SAFE_INTEGER} bytes (2^53 - 1)`);
  return accept(bytes);
}

export function parseSizeBytes(text: string, flag: string): number {
  return refuse(flag, text, readSizeBytes(text));
}

/**
 * Most sizes a sweep runs: every size is a full simulation per algorithm (nccl-tests' own
 * sweeps have a few dozen), so a step that yields millions runs for hours.
 */
export const MAX_SWEEP_SIZES = 1000;

function checkSweepLength(count: number, flag: string, step: number): void {
  if (count > MAX_SWEEP_SIZES) {
    throw new WeftInputError(
      `${flag}: ${step} gives ${count} sizes from -b to -e; at most ${MAX_SWEEP_SIZES} are accepted (each size is a full simulation per algorithm); use a larger step or a narrower range`,
    );
  }
}

/** Formats bytes as nccl-tests-ish short text (for messages and plots), e.g. 131072 -> 128K. */
export function formatSizeBytes(bytes: number): string {
  for (const [suffix, multiplier] of [['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]] as const) {
    if (bytes >= multiplier && bytes % multiplier === 0) return `${bytes / multiplier}${suffix}`;
  }
  return `${bytes}`;
}

/**
 * The sweep nccl-tests runs: from minBytes to maxBytes, multiplying by stepFactor, or
 * adding stepBytes when that is given (bench drops `-i` when `-f` above 1 is typed beside it, as
 * nccl-tests lets its factor win: commands/bench.ts factorOverStep).
 */
export function sizeSweep(minBytes: number, maxBytes: number, stepFactor: number, stepBytes?: number): number[] {
  if (minBytes > maxBytes) {
    throw new WeftInputError(`-b/--minbytes (${minBytes}) must not exceed -e/--maxbytes (${maxBytes})`);
  }
  const sizes: number[] = [];
  if (stepBytes !== undefined) {
    checkSweepLength(Math.floor((maxBytes - minBytes) / stepBytes) + 1, '-i/--stepbytes', stepBytes);
    for (let size = minBytes; size <= maxBytes; size += stepBytes) sizes.push(size);
    return sizes;
  }
  if (!(stepFactor > 1)) throw new WeftInputError(`-f/--stepfactor must be greater than 1, got ${stepFactor}`);
  // Each step grows by at least one byte and at least by the factor: the lesser count bounds it.
  const byFactor = Math.floor(Math.log(maxBytes / minBytes) / Math.log(stepFactor)) + 1;
  checkSweepLength(Math.min(byFactor, maxBytes - minBytes + 1), '-f/--stepfactor', stepFactor);
  for (let size = minBytes; size <= maxBytes; size = Math.max(size + 1, Math.floor(size * stepFactor))) {
    sizes.push(size);
  }
  return sizes;
}
