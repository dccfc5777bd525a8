export { createRouter, DEFAULT_MAX_PATHS, DEFAULT_CACHE_BYTES } from './router.js';
export type { RouterOptions, TopologyRouter } from './router.js';
export { ecmpHash, fnv1a32, murmurMix, murmurFinish } from './hash.js';
export { ROUTING_CHOICES, resolveRouting } from './default.js';
export type { RoutingChoice } from './default.js';
