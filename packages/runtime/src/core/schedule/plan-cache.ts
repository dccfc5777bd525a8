/**
 * Plans shared by the ranks of one thread. A schedule is pure data that every participant
 * of a collective call plans identically, and it describes all participants: planned per
 * rank, a call over N ranks costs N² in time and memory (ghost mode hosts every rank in one
 * thread). Ranks therefore share one plan per (collective, algorithm, params, layout) and
 * each reads only its own participant. A small LRU bounds memory: ranks issue collectives
 * in the same order and meet at every call, so a handful of shapes are live at any time.
 * Cached schedules are shared: callers must treat them as read-only.
 */
import { planCollective, type CollectiveName, type PlanParams, type RankLayout, type Schedule } from '@weft/collectives';

export const PLAN_CACHE_ENTRIES = 16;

const layoutIds = new WeakMap<RankLayout, number>();
let nextLayoutId = 0;
const cache = new Map<string, Schedule>();

function layoutId(layout: RankLayout): number {
  let id = layoutIds.get(layout);
  if (id === undefined) {
    id = nextLayoutId++;
    layoutIds.set(layout, id);
  }
  return id;
}

/** planCollective through the thread's LRU (errors are not cached: they rethrow each call). */
export function planCollectiveCached(collective: CollectiveName, algorithm: string, params: PlanParams): Schedule {
  const key = `${collective}|${algorithm}|${params.nranks}|${params.count}|${params.root}|${params.elementBytes}|${params.channels}|${params.chunkElements}|${params.protocol ?? ''}|${params.protocolCapStretch ?? 1}|${params.nvlsChannels ?? ''}|${layoutId(params.layout)}`;
  const hit = cache.get(key);
  if (hit) {
    // Most recently used last: Map keeps insertion order.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const schedule = planCollective(collective, algorithm, params);
  cache.set(key, schedule);
  if (cache.size > PLAN_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  return schedule;
}

/** Empties the cache (tests, or to drop plans of a finished run early). */
export function clearPlanCache(): void {
  cache.clear();
}

export function planCacheSize(): number {
  return cache.size;
}
