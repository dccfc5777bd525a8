import type { Algorithm } from '../types.js';
import { binomial } from './binomial.js';
import { chain } from './chain.js';

export { binomial, chain };
export const algorithms: Algorithm[] = [chain, binomial];
