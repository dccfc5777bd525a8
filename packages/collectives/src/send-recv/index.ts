import type { Algorithm } from '../types.js';
import { shift } from './shift.js';

export const algorithms: Algorithm[] = [shift];
