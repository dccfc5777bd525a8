/** Colour-blind-safe colours: Okabe–Ito for categories, cividis for utilisation. */
import { interpolateCividis } from 'd3-scale-chromatic';

export const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'] as const;

export const categoryColour = (index: number): string => OKABE_ITO[index % OKABE_ITO.length]!;

/** Idle links are light grey; busy ones run cividis from dark blue (low) to yellow (full). */
export const utilisationColour = (fraction: number): string => (fraction <= 0 ? '#d9d9d9' : interpolateCividis(Math.min(1, 0.15 + 0.85 * fraction)));

const OPS = ['send', 'recv', 'recvReduce', 'recvCopySend', 'recvReduceCopySend', 'copy', 'reduce'];
export const opColour = (op: string): string => categoryColour(Math.max(0, OPS.indexOf(op)));
