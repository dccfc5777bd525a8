import { describe, expect, it } from 'vitest';
import { WeftInputError, isWeftInputError } from '../src/index.js';

describe('WeftInputError', () => {
  it('is an Error named WeftInputError that carries its one-line message', () => {
    const error = new WeftInputError("--size: '12Q' is not a size; accepted: 1K, 8M, 2G");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('WeftInputError');
    expect(error.message).toBe("--size: '12Q' is not a size; accepted: 1K, 8M, 2G");
    expect(String(error)).toBe("WeftInputError: --size: '12Q' is not a size; accepted: 1K, 8M, 2G");
  });

  it('is told apart from internal errors by isWeftInputError', () => {
    expect(isWeftInputError(new WeftInputError('bad'))).toBe(true);
    expect(isWeftInputError(new RangeError('bad'))).toBe(false);
    expect(isWeftInputError('WeftInputError')).toBe(false);
    expect(isWeftInputError(undefined)).toBe(false);
  });

  it('is recognised by name, so a copy from another module instance (a worker, a second bundle) counts', () => {
    const foreign = Object.assign(new Error('bad'), { name: 'WeftInputError' });
    expect(isWeftInputError(foreign)).toBe(true);
  });
});
