/** TensorFlow.js is for data-mode reductions in Node; the lab runs ghost mode and never loads it. */
throw new Error('TensorFlow.js is not part of the weft lab (ghost mode needs no reduction backend)');
export {};
