/**
 * Reference executor: runs a schedule with real numbers, in one thread, with no notion of
 * time. Inputs come from `inputValue`; the result is compared with `expectedOutput`. It is
 * the small, obviously-correct twin of the runtime's data mode (same step semantics: a
 * send snapshots its slice, a recv takes the oldest message from its peer on the same
 * channel index), for tests and for the lab.
 */
import { collectiveOf } from './registry.js';
import { combineIn, expectedOutput, finalizeAvg, inputValue, outputIsReduced } from './semantics.js';
import { decodeSteps } from './steps.js';
import type { BufferName, DType, ReduceOp, Schedule, Slice } from './types.js';

export type TypedBuffer = Float32Array | Float64Array | Int32Array;

function allocate(dtype: DType, count: number): TypedBuffer {
  switch (dtype) {
    case 'float32':
      return new Float32Array(count);
    case 'float64':
      return new Float64Array(count);
    case 'int32':
      return new Int32Array(count);
    default:
      // Every other type's values as numbers, each step rounded to the type (combineIn):
      // the reference computes values, not bit patterns.
      return new Float64Array(count);
  }
}

/**
 * Executes `schedule` with the test inputs of `op`/`dtype` and returns each rank's output
 * buffer (avg already divided by nranks). Throws an Error on a deadlock, a count mismatch
 * or an out-of-bounds slice (run the symbolic checker for precise diagnostics).
 */
export function runReference(schedule: Schedule, op: ReduceOp, dtype: DType): TypedBuffer[] {
  const n = schedule.nranks;
  const sizes = collectiveOf(schedule.collective).bufferCounts(schedule.count, n);
  const nparticipants = schedule.participants.length;
  const buffers: Record<BufferName, TypedBuffer>[] = schedule.participants.map((_, p) => {
    const input = allocate(dtype, p < n ? sizes.input : 0);
    for (let i = 0; i < input.length; i++) input[i] = inputValue(op, dtype, p, i, n);
    return {
      input,
      output: allocate(dtype, p < n ? sizes.output : 0),
      scratch: allocate(dtype, schedule.bufferCounts.scratch),
    };
  });
  const view = (p: number, s: Slice): TypedBuffer => {
    const buf = buffers[p]![s.buffer];
    if (s.offset < 0 || s.offset + s.count > buf.length) {
      throw new Error(`participant ${p}: slice ${s.buffer}[${s.offset}, ${s.offset + s.count}) out of bounds (${buf.length})`);
    }
    return buf.subarray(s.offset, s.offset + s.count);
  };
  const reduceInto = (dst: TypedBuffer, src: ArrayLike<number>) => {
    for (let i = 0; i < dst.length; i++) dst[i] = combineIn(op, dst[i]!, src[i]!, dtype);
  };

  const maxChannels = Math.max(1, ...schedule.participants.map((p) => p.channels.length));
  const queues = new Map<number, TypedBuffer[]>();
  const key = (src: number, dst: number, c: number) => (src * nparticipants + dst) * maxChannels + c;
  const post = (src: number, dst: number, c: number, data: TypedBuffer) => {
    const k = key(src, dst, c);
    let q = queues.get(k);
    if (q === undefined) queues.set(k, (q = []));
    q.push(data.slice());
  };
  const pcs = schedule.participants.map((p) => p.channels.map(() => 0));

  // Round-robin over channels until nothing moves; each pass runs every channel as far as it can.
  let progressed = true;
  while (progressed) {
    progressed = false;
    schedule.participants.forEach((part, p) => {
      part.channels.forEach((steps, c) => {
        const decoded = decodeSteps(steps);
        while (pcs[p]![c]! < steps.length) {
          const d = decoded[pcs[p]![c]!]!;
          // receive (or read src), combine into dst, post what is sent: steps.ts
          let data: TypedBuffer | null = null;
          if (d.recvPeer >= 0) {
            const q = queues.get(key(d.recvPeer, p, c));
            if (q === undefined || q.length === 0) break;
            data = q.shift()!;
          } else if (d.src !== null) {
            data = view(p, d.src);
          }
          if (d.dst !== null && data !== null) {
            const dst = view(p, d.dst);
            if (data.length !== dst.length) {
              throw new Error(`participant ${p} channel ${c}: receives ${dst.length} elements, message has ${data.length}`);
            }
            if (d.combine === 'copy') dst.set(data);
            else if (d.combine === 'reduce') reduceInto(dst, data);
          }
          if (d.sent !== null) for (const peer of d.sendPeers) post(p, peer, d.sendChannel >= 0 ? d.sendChannel : c, view(p, d.sent));
          pcs[p]![c]!++;
          progressed = true;
        }
      });
    });
  }
  schedule.participants.forEach((part, p) =>
    part.channels.forEach((steps, c) => {
      if (pcs[p]![c]! < steps.length) throw new Error(`deadlock: participant ${p} channel ${c} stuck at step ${pcs[p]![c]}`);
    }),
  );

  const outputs = buffers.slice(0, n).map((b) => b.output);
  if (op === 'avg') {
    outputs.forEach((out, r) => {
      if (!outputIsReduced(schedule.collective, r, schedule)) return;
      for (let i = 0; i < out.length; i++) out[i] = finalizeAvg(out[i]!, n, dtype);
    });
  }
  return outputs;
}

export interface ReferenceCheck {
  /** Output elements that differ from `expectedOutput` (undefined elements are not counted). */
  readonly wrong: number;
  /** The first wrong element, for messages. */
  readonly first?: { rank: number; index: number; got: number; expected: number };
}

/** Runs `schedule` with real numbers and counts wrong output elements (nccl-tests' #wrong). */
export function checkReference(schedule: Schedule, op: ReduceOp, dtype: DType): ReferenceCheck {
  const outputs = runReference(schedule, op, dtype);
  const { collective, nranks, root, count } = schedule;
  let wrong = 0;
  let first: ReferenceCheck['first'];
  outputs.forEach((out, rank) => {
    for (let index = 0; index < out.length; index++) {
      const expected = expectedOutput(collective, op, dtype, rank, index, nranks, root, count);
      if (expected === undefined) continue;
      const got = out[index]!;
      if (!Object.is(got, expected) && got !== expected) {
        wrong++;
        first ??= { rank, index, got, expected };
      }
    }
  });
  return first === undefined ? { wrong } : { wrong, first };
}
