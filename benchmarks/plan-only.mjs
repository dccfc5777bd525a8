#!/usr/bin/env node
/**
 * Planning alone (no simulation): CPU and heap to plan one all-reduce algorithm with weft's
 * defaults (channels and chunk auto) on a topology, for checking a planner or builder change.
 *
 *   node benchmarks/plan-only.mjs dgx-h100:nodes=2048 ring Simple 1G
 */
import { allReduceProbe } from './default-plan-params.mjs';

const [spec, name, protocol, size] = process.argv.slice(2);
const { algorithm, resolve } = allReduceProbe(spec, name, protocol);
const resolved = resolve(size);
const start = process.cpuUsage();
const schedule = algorithm.plan(resolved);
const cpu = process.cpuUsage(start);
console.log(`${spec} ${name}/${protocol} ${size}: ${resolved.channels} channels, ${schedule.participants.length} participants; plan ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
