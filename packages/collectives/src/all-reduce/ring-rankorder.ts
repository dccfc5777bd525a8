import { ringAlgorithm } from './ring.js';

/**
 * The textbook ring: every channel runs around the ranks in rank order, whatever the
 * topology. On a multi-server fabric its inter-server hops leave GPU 7 of one server for
 * GPU 0 of the next — one NIC per server, across rails through the spines — which is what
 * NCCL's channel search (the `ring` algorithm) avoids; kept to show the contrast.
 */
export const ringRankOrder = ringAlgorithm(
  'ring-rankorder',
  'Textbook ring in rank order on every channel (no channel search): reduce-scatter then all-gather around ranks 0, 1, …, n-1.',
  (params, channels) => Array.from({ length: channels }, () => Array.from({ length: params.nranks }, (_, r) => r)),
);
