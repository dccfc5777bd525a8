#!/usr/bin/env node
/**
 * Estimate, predictor only (no simulation), of NVLS all-reduce on one GB200 NVL72 rack with
 * NCCL's head count: NCCL makes at most NCCL_MAX_NVLS_ARITY = 32 of the rack's 72 ranks NVLS
 * heads (src/graph/search.cc: NVLS graph maxChannels = min(32, nGPUs); nvls.nHeads is that
 * channel count), where weft's nvls makes every rank a head. Approximates the 32-head run by
 * nvls's own predictor over 32-rank head groups (a head's link carries b + b/32 per round) with
 * NCCL's chunk rule over 32 heads. For benchmarks/results/nccl-vs-weft.md, section "NVL72's NVLS
 * plateau and `-g` small messages", (c); not a model weft runs.
 *
 *   node benchmarks/nvls-heads-estimate.mjs [SPEC]      # default nvl72:variant=gb200
 */
import { allReduceProbe } from './default-plan-params.mjs';
import { nvlsIntraNs } from '../packages/collectives/dist/all-reduce/nvls.js';
import { NVLS_CHANNELS, ncclNvlsChunkBytes } from '../packages/collectives/dist/protocols.js';

/** NCCL_MAX_NVLS_ARITY (src/include/device.h): the most NVLS heads NCCL's graph search makes. */
const NCCL_MAX_NVLS_HEADS = 32;
/** CoreWeave's one-rack GB200 NVL72 busbw (GB/s, benchmarks/nccl-anchors.mjs cwGB200). */
const PUBLISHED_BUSBW = { '512M': 586.06, '1G': 681.17, '2G': 757.78, '4G': 839.16, '8G': 834.57 };

const spec = process.argv[2] ?? 'nvl72:variant=gb200';
const { cost, resolve } = allReduceProbe(spec, 'nvls', 'Simple');
for (const [size, published] of Object.entries(PUBLISHED_BUSBW)) {
  const params = resolve(size);
  const n = params.nranks;
  const bytes = params.count * params.elementBytes;
  const heads = Math.min(NCCL_MAX_NVLS_HEADS, n);
  const headsChunkBytes = (ncclNvlsChunkBytes(bytes, heads) * NVLS_CHANNELS) / Math.max(1, params.channels);
  const allHeadsNs = nvlsIntraNs(params, cost, n);
  const cappedNs = nvlsIntraNs({ ...params, chunkElements: headsChunkBytes / params.elementBytes }, cost, heads);
  const busBw = (ns) => ((bytes / ns) * 2 * (n - 1)) / n;
  const row = (label, chunk, ns) => `${label} chunk ${chunk / 1024} KiB ${(ns / 1000).toFixed(1)} us busbw ${busBw(ns).toFixed(0)} (${(busBw(ns) / published).toFixed(2)}x)`;
  console.log(`${size}\t${row(`${n} heads`, params.chunkElements * params.elementBytes, allHeadsNs)}\t${row(`${heads} heads`, headsChunkBytes, cappedNs)}`);
}
