export { alphaBetaCost } from './alpha-beta-cost.js';
export type { AlphaBeta, AlphaBetaCost } from './alpha-beta-cost.js';
