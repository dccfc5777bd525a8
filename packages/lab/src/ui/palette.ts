/** Colour-blind-safe colours: Okabe–Ito for categories, cividis for utilisation. */
import { interpolateCividis } from 'd3-scale-chromatic';

export const OKABE_ITO = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'] as const;

export const categoryColour = (index: number): string => OKABE_ITO[index % OKABE_ITO.length]!;

/** Idle links are light grey; busy ones run cividis from dark blue (low) to yellow (full). */
export const utilisationColour = (fraction: number): string => (fraction <= 0 ? '#d9d9d9' : interpolateCividis(Math.min(1, 0.15 + 0.85 * fraction)));

const OPS = ['send', 'recv', 'recvReduce', 'recvCopySend', 'recvReduceCopySend', 'copy', 'reduce'];
export const opColour = (op: string): string => categoryColour(Math.max(0, OPS.indexOf(op)));

/** sRGB channels of '#rrggbb' or 'rgb(r, g, b)' (what utilisationColour returns). */
function channels(colour: string): [number, number, number] {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  const rgb = hex ? hex.slice(1).map((h) => parseInt(h, 16)) : (colour.match(/\d+/g) ?? ['0', '0', '0']).slice(0, 3).map(Number);
  return [rgb[0]!, rgb[1]!, rgb[2]!];
}

/** WCAG 2 relative luminance of a colour (0: black, 1: white). */
export function luminance(colour: string): number {
  const [r, g, b] = channels(colour).map((c) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** Black or white text, whichever contrasts more with `background` (white on light grey or tan was unreadable). */
export const textOn = (background: string): string => ((luminance(background) + 0.05) / 0.05 >= 1.05 / (luminance(background) + 0.05) ? '#000' : '#fff');
