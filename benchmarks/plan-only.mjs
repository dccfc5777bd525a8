#!/usr/bin/env node
/**
 * Planning alone (no simulation): CPU and heap to plan one all-reduce algorithm with weft's
 * defaults (channels and chunk auto) on a topology, for checking a planner or builder change.
 *
 *   node benchmarks/plan-only.mjs dgx-h100:nodes=2048 ring Simple 1G
 */
import { alphaBetaCost, parseTopologySpec, rankLayout } from '@weft/fabric';
import { DEFAULT_CHUNK_BYTES, getAlgorithm, resolveDefaults } from '@weft/collectives';
import { parseSizeBytes } from '../packages/cli/dist/index.js';

const [spec, name, protocol, size] = process.argv.slice(2);
const topology = parseTopologySpec(spec);
const cost = alphaBetaCost(topology);
const algorithm = getAlgorithm('allReduce', name);
const params = { nranks: topology.ranks.length, count: parseSizeBytes(size) / 4, root: 0, elementBytes: 4, channels: 0, chunkElements: DEFAULT_CHUNK_BYTES / 4, chunkAuto: true, layout: rankLayout(topology), protocol };
const resolved = resolveDefaults(algorithm, params, cost);
const start = process.cpuUsage();
const schedule = algorithm.plan(resolved);
const cpu = process.cpuUsage(start);
console.log(`${spec} ${name}/${protocol} ${size}: ${resolved.channels} channels, ${schedule.participants.length} participants; plan ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
