/**
 * SGD with optional momentum, PyTorch's formulation (torch.optim.SGD, dampening 0):
 *   v ← μ·v + g;   w ← w − lr·v        (μ = 0: w ← w − lr·g)
 * Applied to plain Float32Arrays in JavaScript, not in the tensor backend: every rank
 * then runs the same scalar code on the same (all-reduced) gradient bits, so replicas
 * stay bit-identical whatever backend each rank's thread happened to load.
 */
export interface SgdOptions {
  readonly learningRate: number;
  readonly momentum: number;
}

export class Sgd {
  private readonly velocity: Float32Array[];

  constructor(
    private readonly options: SgdOptions,
    shapes: readonly number[],
  ) {
    this.velocity = options.momentum > 0 ? shapes.map((count) => new Float32Array(count)) : [];
  }

  step(weights: readonly Float32Array[], gradients: readonly Float32Array[]): void {
    const { learningRate, momentum } = this.options;
    weights.forEach((w, index) => {
      const g = gradients[index]!;
      if (momentum > 0) {
        const v = this.velocity[index]!;
        for (let i = 0; i < w.length; i++) {
          v[i] = momentum * v[i]! + g[i]!;
          w[i] = w[i]! - learningRate * v[i]!;
        }
      } else {
        for (let i = 0; i < w.length; i++) w[i] = w[i]! - learningRate * g[i]!;
      }
    });
  }
}
