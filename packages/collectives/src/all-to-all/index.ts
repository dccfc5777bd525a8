import type { Algorithm } from '../types.js';
import { direct } from './direct.js';
import { pairwise } from './pairwise.js';

export { direct, pairwise };
export const algorithms: Algorithm[] = [pairwise, direct];
