/**
 * When a transfer's paths stopped carrying it (FlowRecord.pathEndNs), as both networks keep
 * it for their records: a path ends early when a link on it fails and the flow goes on over
 * its other paths, or when the transfer strands.
 */

/** A transfer's recorded paths (link ids) and, once one has ended early, when each did. */
export interface PathsHeld {
  readonly paths: readonly (readonly string[])[];
  pathEndNs: (number | null)[] | null;
}

/** Path `index` stopped carrying the transfer at `endNs` (the first time it stopped counts). */
export function endPath(held: PathsHeld, index: number, endNs: number): void {
  const ends = (held.pathEndNs ??= held.paths.map(() => null));
  ends[index] ??= endNs;
}

/** Every path over the failed link `linkId` stopped carrying the transfer at `nowNs`. */
export function endPathsThrough(held: PathsHeld, linkId: string, nowNs: number): void {
  held.paths.forEach((path, index) => {
    if (path.includes(linkId)) endPath(held, index, nowNs);
  });
}
