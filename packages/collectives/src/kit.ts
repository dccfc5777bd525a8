/**
 * An algorithm author's kit, one import for the three things every schedule generator
 * uses: the step builder (./builder.ts), parameter validation (./params.ts) and the
 * alpha-beta terms of `predictNs` (./cost.ts). Who talks to whom, ranges, channels and
 * chunks come from ./logical.ts.
 */
export * from './builder.js';
export * from './cost.js';
export * from './params.js';
