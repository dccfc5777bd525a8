import type { Algorithm } from '../types.js';
import { bruck } from './bruck.js';
import { direct } from './direct.js';
import { rd } from './rd.js';
import { ring } from './ring.js';

export { bruck, direct, rd, ring };
export const algorithms: Algorithm[] = [ring, rd, bruck, direct];
