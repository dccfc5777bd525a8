/** The lab's engine: pure and deterministic, the same in the page's workers and in Node (tests). */
export * from './config.js';
export * from './run.js';
export * from './exercises.js';
export * from './grade.js';
export * from './attempts.js';
export * from './page-words.js';
export * from './buffers.js';
export * from './exercise-list.js';
export * from './scenario.js';
export * from './data-grid.js';
export * from './page-data-hosts.js';
