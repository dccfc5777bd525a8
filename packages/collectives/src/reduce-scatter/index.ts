import type { Algorithm } from '../types.js';
import { direct } from './direct.js';
import { halving } from './halving.js';
import { ring } from './ring.js';

export { direct, halving, ring };
export const algorithms: Algorithm[] = [ring, direct, halving];
