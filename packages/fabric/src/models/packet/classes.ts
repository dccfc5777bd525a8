/**
 * Traffic classes per port: 0 (default) and 1, each its own egress queue, ECN and PFC
 * priority, as switches keep a latency-sensitive class apart from bulk RoCE traffic.
 */
export const CLASSES = 2;

/** Port class index: link x CLASSES + class (queues, PFC priorities). */
export function portClass(link: number, cls: number): number {
  return link * CLASSES + cls;
}

/** The link of a port class index. */
export function linkOfPortClass(pc: number): number {
  return Math.floor(pc / CLASSES);
}
