export { EventQueue } from './event-queue.js';
export type { QueuedEvent } from './event-queue.js';
export { MinHeap } from './min-heap.js';
export { Engine } from './engine.js';
export type { SimModel, TimerCallback } from './engine.js';
export { WeftInputError, isWeftInputError } from './errors.js';
