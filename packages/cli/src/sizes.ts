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
  if (!Number.isSafeInteger(bytes)) return reject('is too large');
  return accept(bytes);
}

export function parseSizeBytes(text: string, flag: string): number {
  return refuse(flag, text, readSizeBytes(text));
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
 * adding stepBytes when that is given (nccl-tests: -i overrides -f).
 */
export function sizeSweep(minBytes: number, maxBytes: number, stepFactor: number, stepBytes?: number): number[] {
  if (minBytes > maxBytes) {
    throw new WeftInputError(`-b/--minbytes (${minBytes}) must not exceed -e/--maxbytes (${maxBytes})`);
  }
  const sizes: number[] = [];
  if (stepBytes !== undefined) {
    for (let size = minBytes; size <= maxBytes; size += stepBytes) sizes.push(size);
    return sizes;
  }
  if (!(stepFactor > 1)) throw new WeftInputError(`-f/--stepfactor must be greater than 1, got ${stepFactor}`);
  for (let size = minBytes; size <= maxBytes; size = Math.max(size + 1, Math.floor(size * stepFactor))) {
    sizes.push(size);
  }
  return sizes;
}
