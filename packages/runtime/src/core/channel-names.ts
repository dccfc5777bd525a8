/**
 * The channel numbers of a run, and how a message names one. A rank program's point-to-point
 * operations use channels 0 .. COLLECTIVE_CHANNEL_BASE-1; the collectives a program calls
 * (`ctx.allReduce`, …) run their schedule's channels shifted up by COLLECTIVE_CHANNEL_BASE, so
 * the two never match each other's messages. A user knows the second kind as the collective's
 * channel 0, 1, …, never as 131072: messages say `collective channel 0`.
 */

/** Channel numbers must stay below this (the limit programs and schedules are checked against). */
export const MAX_CHANNEL = 2 ** 18;

/** Channels at or above this are the collectives' own; programs use 0 .. base-1. */
export const COLLECTIVE_CHANNEL_BASE = MAX_CHANNEL / 2;

/** `channel 3` (a program's, or a schedule's run on its own) or `collective channel 0` (a collective a program called). */
export function channelName(channel: number): string {
  return channel >= COLLECTIVE_CHANNEL_BASE ? `collective channel ${channel - COLLECTIVE_CHANNEL_BASE}` : `channel ${channel}`;
}
