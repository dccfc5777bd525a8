/**
 * The slots of the Int32Array a user module's thread (./sandbox-worker.ts) and the CLI's thread
 * (./sandbox.ts) share. A module of its own: the worker's module cannot be imported by the CLI's
 * thread (its top level runs the thread).
 */

/** 1 once the thread has posted its reply to a call (the CLI's thread resets it before each call). */
export const REPLIED = 0;
/** 1 once the thread has ended: a later call is answered by the reply the thread left, not a wait. */
export const ENDED = 1;
/** Slots in all. */
export const SIGNAL_SLOTS = 2;
