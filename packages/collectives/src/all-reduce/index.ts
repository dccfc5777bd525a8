import type { Algorithm } from '../types.js';
import { direct } from './direct.js';
import { hierarchical } from './hierarchical.js';
import { innetwork } from './innetwork.js';
import { rd } from './rd.js';
import { rhd } from './rhd.js';
import { ring } from './ring.js';
import { tree } from './tree.js';

export { direct, hierarchical, innetwork, rd, rhd, ring, tree };
/** Registry order is also auto's tie-break order. */
export const algorithms: Algorithm[] = [ring, tree, rhd, rd, direct, hierarchical, innetwork];
