import type { Algorithm } from '../types.js';
import { dissemination } from './dissemination.js';

export { dissemination };
export const algorithms: Algorithm[] = [dissemination];
