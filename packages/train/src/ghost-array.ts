/**
 * A Float32Array that claims `length` elements but owns no memory. Ghost mode times
 * collectives from byte counts alone, and the runtime's ctx.allReduce takes its count from
 * `data.length` and allocates its output with `new data.constructor(count)` — with a real
 * array, 1,024 ghost ranks each holding a 25 MB bucket would need tens of GB. This class
 * keeps the call honest about size while allocating nothing. (A count-only ghost
 * collective in the runtime would make it unnecessary.)
 */
export class GhostFloat32Array extends Float32Array {
  constructor(length: number) {
    super(0);
    // Own properties shadow the TypedArray prototype getters.
    Object.defineProperty(this, 'length', { value: length });
    Object.defineProperty(this, 'byteLength', { value: length * Float32Array.BYTES_PER_ELEMENT });
  }
}
