/**
 * The packet model's only source of randomness (ECN marking probability, oblivious
 * spraying): mulberry32, a 32-bit generator with a 2^32 period, seeded from the run's seed
 * so the same inputs give the same marks and the same spray choices.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    // Fold a float seed into 32 bits; 0x9e3779b9 keeps seed 0 away from the all-zero state.
    this.state = (Math.floor(Math.abs(seed)) ^ 0x9e3779b9) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}
