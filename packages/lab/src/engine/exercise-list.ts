/**
 * The graded exercises as data: the text a student reads, the run each is about and the kind
 * of answer. The page imports this alone; grading (exercises.ts) runs in the workers.
 */
import { DEFAULT_CONFIG, type LabConfig } from './config.js';

export type AnswerKind =
  | { readonly kind: 'number'; readonly unit: string }
  | { readonly kind: 'choice'; readonly choices: readonly number[]; readonly unit: 'bytes' | 'qps' }
  | { readonly kind: 'code' };

/** An instructor's exercise in a scenario file: predict `algorithm`'s simulated time at the focus size. */
export interface CustomExercise {
  readonly title: string;
  readonly prompt: string;
  readonly algorithm: string;
  /** Relative error that passes (0.1: 10 %). */
  readonly tolerance: number;
}

export interface Exercise {
  readonly id: string;
  readonly title: string;
  /** What the student reads; `{alpha}`-style facts come from `givens`. */
  readonly prompt: string;
  readonly config: LabConfig;
  readonly answer: AnswerKind;
}

/** What the simulation says, for grading: a value, and a sentence shown after grading. */
export interface Truth {
  readonly value: number;
  readonly note: string;
}

const MiB = 1024 * 1024;
const powersOfTwo = (from: number, to: number): number[] => {
  const sizes: number[] = [];
  for (let s = from; s <= to; s *= 2) sizes.push(s);
  return sizes;
};

const LEAF_SPINE = 'leafspine:hosts=16,leaves=2,spines=4';
export const QPS_CHOICES = [1, 2, 4, 8, 16, 32, 64] as const;
const CROSSOVER_SIZES = powersOfTwo(1024, 64 * MiB);

export const STARTER_ALGORITHM = `// A correct but slow all-reduce: every rank sends its whole input to rank 0, which adds
// them up and sends the sum back. Make it faster: ring, tree, or your own idea.
import { StepBuilder, slice, invalidParams, assertPlannable, nsPerByte } from '@weft/collectives';

const star = {
  name: 'my-allreduce',
  collective: 'allReduce',
  description: 'Reduce to rank 0, then send the result back to every rank.',
  constraints: 'any rank count',
  unsupported: (params) => invalidParams(params),

  plan(params) {
    assertPlannable(star.unsupported(params));
    const { nranks: n, count } = params;
    const all = (buffer) => slice(buffer, 0, count);
    const b = new StepBuilder(n, 1);
    for (let r = 0; r < n; r++) b.copy(r, 0, all('input'), all('output'));
    for (let r = 1; r < n; r++) {
      b.send(r, 0, 0, all('input'));
      b.recvReduce(0, 0, r, all('output'));
    }
    for (let r = 1; r < n; r++) {
      b.send(0, 0, r, all('output'));
      b.recv(r, 0, 0, all('output'));
    }
    return b.build('allReduce', 'my-allreduce', params, { input: count, output: count, scratch: 0 });
  },

  predictNs(params, cost) {
    const { nranks: n, count, elementBytes } = params;
    return 2 * (n - 1) * (cost.alphaNs + count * elementBytes * nsPerByte(cost.bandwidthBytesPerSec));
  },
};

export default star;
`;

export const EXERCISES: readonly Exercise[] = [
  {
    id: 'predict-ring',
    title: '1. Predict a ring all-reduce',
    prompt:
      'A ring all-reduce of S = 64 MiB on n = 8 GPUs behind one switch (one channel, 2 MiB chunks). ' +
      'Each message costs α plus its bytes times β; the ring sends 2(n−1) messages per chunk in sequence and moves 2(n−1)/n · S through each GPU\u2019s link. ' +
      'Predict the simulated time in µs before you run it. Within 10 % passes.',
    config: { ...DEFAULT_CONFIG, topology: 'switch:8', algorithms: ['ring'], sizesBytes: [64 * MiB], focusBytes: 64 * MiB },
    answer: { kind: 'number', unit: 'µs' },
  },
  {
    id: 'ring-vs-tree',
    title: '2. Ring vs tree: where is the crossover?',
    prompt:
      'On 8 GPUs behind one switch, tree wins small all-reduces (fewer latency terms) and ring wins large ones (less data per link). ' +
      'From which message size on (a power of two from 1 KiB to 64 MiB) is ring faster than tree?',
    config: { ...DEFAULT_CONFIG, topology: 'switch:8', algorithms: ['ring', 'tree'], sizesBytes: CROSSOVER_SIZES, focusBytes: 256 * 1024 },
    answer: { kind: 'choice', choices: CROSSOVER_SIZES, unit: 'bytes' },
  },
  {
    id: 'write-allreduce',
    title: '3. Write your own all-reduce',
    prompt:
      'Edit the algorithm below (the same API as weft\u2019s built-ins and `weft bench --algo ./file.mjs`). ' +
      'It is proved correct by the symbolic checker on 1–16 ranks and, at the size it is timed at, on the very schedule it runs; then timed on 8 GPUs at 4 MiB against ring and tree. ' +
      'Correct passes; the score is the best built-in\u2019s time over yours.',
    config: { ...DEFAULT_CONFIG, topology: 'switch:8', algorithms: ['ring', 'tree'], sizesBytes: [4 * MiB], focusBytes: 4 * MiB },
    answer: { kind: 'code' },
  },
  {
    id: 'ecmp-qps',
    title: '4. ECMP collisions: how many queue pairs?',
    prompt:
      'An all-to-all of 16 MiB on a leaf-spine (16 hosts, 2 leaves, 4 spines). ECMP pins each queue pair to one hashed path, so flows collide; adaptive routing spreads every flow over all paths. ' +
      'How many queue pairs per connection does ECMP need to reach 90 % of adaptive routing\u2019s busbw?',
    config: { ...DEFAULT_CONFIG, topology: LEAF_SPINE, collective: 'allToAll', algorithms: ['pairwise'], sizesBytes: [16 * MiB], focusBytes: 16 * MiB },
    answer: { kind: 'choice', choices: QPS_CHOICES, unit: 'qps' },
  },
  {
    id: 'hierarchical',
    title: '5. Hierarchical vs flat on multi-server DGX',
    prompt:
      'Four DGX H100 servers (32 GPUs): a flat ring in rank order (ring-rankorder) crosses the network at every server boundary; ' +
      'hierarchical reduces inside each server on NVLink first. How many times faster is hierarchical than the flat ring at 256 MiB? Within 10 % passes.',
    config: { ...DEFAULT_CONFIG, topology: 'dgx-h100:nodes=4', algorithms: ['ring-rankorder', 'hierarchical'], sizesBytes: [256 * MiB], focusBytes: 1 * MiB },
    answer: { kind: 'number', unit: '×' },
  },
  {
    id: 'straggler',
    title: '6. A straggler link mid-collective',
    prompt:
      'Ring and tree all-reduce 64 MiB on the leaf-spine. At 1.3 ms, about half way through the ring, host3\u2019s uplink drops to a quarter of its speed (a flapping cable). ' +
      'By what factor does the ring\u2019s time grow? (The tree\u2019s factor is shown after grading.) Within 10 % passes.',
    config: {
      ...DEFAULT_CONFIG,
      topology: LEAF_SPINE,
      algorithms: ['ring', 'tree'],
      sizesBytes: [64 * MiB],
      focusBytes: 64 * MiB,
      // weft bench --fault 'link=host3->leaf0,degrade=0.25@1300us': about half way through the ring (2603 µs without it).
      faults: { links: [{ link: 'host3->leaf0', degrade: 0.25, at: 1_300_000 }] },
    },
    answer: { kind: 'number', unit: '×' },
  },
];

export function exerciseById(id: string): Exercise {
  const found = EXERCISES.find((e) => e.id === id);
  if (found === undefined) throw new Error(`no exercise '${id}'; there are ${EXERCISES.map((e) => e.id).join(', ')}`);
  return found;
}

