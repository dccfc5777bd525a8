import { WeftInputError } from '@weft/sim';
import type { NetworkOptions, Topology, TransferRequest } from '../types.js';

/** Input checks shared by the network: each failure is one line naming the value and what is accepted. */

const MODELS = ['alphaBeta', 'maxMin', 'packet'] as const;
const ROUTINGS = ['ecmp', 'adaptive', 'spray'] as const;
const RECORDS = ['full', 'summary'] as const;

export function checkOptions(options: NetworkOptions): void {
  if (!(MODELS as readonly string[]).includes(options.model)) {
    throw new WeftInputError(`unknown network model "${String(options.model)}"; accepted: ${MODELS.join(', ')}`);
  }
  if (!(ROUTINGS as readonly string[]).includes(options.routing)) {
    throw new WeftInputError(`unknown routing "${String(options.routing)}"; accepted: ${ROUTINGS.join(', ')}`);
  }
  if (options.routing === 'spray' && options.model !== 'packet') {
    throw new WeftInputError(`routing "spray" needs the packet model; accepted with ${options.model}: ecmp, adaptive`);
  }
  if (!Number.isInteger(options.qps) || options.qps < 1) {
    throw new WeftInputError(`qps ${String(options.qps)} is invalid; expected an integer >= 1`);
  }
  if (!Number.isFinite(options.seed)) {
    throw new WeftInputError(`seed ${String(options.seed)} is invalid; expected a finite number`);
  }
  if (options.record !== undefined && !(RECORDS as readonly string[]).includes(options.record)) {
    throw new WeftInputError(`unknown record mode "${String(options.record)}"; accepted: ${RECORDS.join(', ')}`);
  }
}

/** What the models rely on: unique link ids, positive finite bandwidth, finite latency >= 0. */
export function checkLinks(topology: Topology): void {
  const seen = new Set<string>();
  for (const link of topology.links) {
    if (seen.has(link.id)) throw new WeftInputError(`duplicate link id "${link.id}" in topology ${topology.name}; link ids must be unique`);
    seen.add(link.id);
    if (!(link.bandwidthBytesPerSec > 0) || !Number.isFinite(link.bandwidthBytesPerSec)) {
      throw new WeftInputError(`link "${link.id}" bandwidth ${link.bandwidthBytesPerSec} B/s is invalid; expected a finite number > 0`);
    }
    if (!(link.latencyNs >= 0) || !Number.isFinite(link.latencyNs)) {
      throw new WeftInputError(`link "${link.id}" latency ${link.latencyNs} ns is invalid; expected a finite number >= 0`);
    }
  }
}

export function checkRequest(request: TransferRequest, nodes: ReadonlySet<string>): void {
  checkNode(request.srcNode, nodes);
  checkNode(request.dstNode, nodes);
  checkTransferSizes(request);
}

/** checkRequest's checks after the nodes' (for a caller that knows both nodes are the topology's). */
export function checkTransferSizes(request: TransferRequest): void {
  if (typeof request.bytes !== 'number' || !(request.bytes >= 0) || !Number.isFinite(request.bytes)) {
    throw new WeftInputError(`transfer bytes ${String(request.bytes)} is invalid; expected a finite number >= 0`);
  }
  if (typeof request.flowKey !== 'number' || !Number.isFinite(request.flowKey)) {
    throw new WeftInputError(`flowKey ${String(request.flowKey)} is invalid; expected a finite number`);
  }
}

function checkNode(node: string, nodes: ReadonlySet<string>): void {
  if (!nodes.has(node)) throw new WeftInputError(`unknown node "${node}"; expected a node id of the topology (e.g. "${first(nodes)}")`);
}

/** A virtual time the caller gives: finite and not before the network's current time. */
export function checkTime(what: string, timeNs: number, nowNs: number): void {
  if (typeof timeNs !== 'number' || !Number.isFinite(timeNs)) {
    throw new WeftInputError(`${what} ${String(timeNs)} ns is invalid; expected a finite time >= ${nowNs} ns`);
  }
  if (timeNs < nowNs) {
    throw new WeftInputError(`${what} ${timeNs} ns is in the past; expected a time >= the network's current time ${nowNs} ns`);
  }
}

export function checkFactor(factor: number): void {
  if (typeof factor !== 'number' || !(factor > 0 && factor <= 1)) {
    throw new WeftInputError(`degrade factor ${String(factor)} is invalid; expected 0 < factor <= 1`);
  }
}

export function unknownLink(linkId: string, topology: Topology): WeftInputError {
  const example = topology.links[0]?.id;
  return new WeftInputError(
    `unknown link id "${linkId}"; expected a link id of topology ${topology.name}${example === undefined ? '' : ` (e.g. "${example}")`}`,
  );
}

function first(values: ReadonlySet<string>): string {
  for (const value of values) return value;
  return '';
}
