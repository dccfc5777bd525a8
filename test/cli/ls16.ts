import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes `ls16.yaml` into `dir` and returns its path: 16 hosts on 4 leaves, 2 spines, every
 * link 400 Gb/s — 2:1 oversubscribed, so ECMP's draw of spines matters (the fabric walks' topology).
 */
export function writeLs16(dir: string): string {
  const path = join(dir, 'ls16.yaml');
  const lines = ['name: ls16', 'nodes:'];
  for (let h = 0; h < 16; h++) lines.push(`  - { id: h${h}, kind: host }`);
  for (let l = 0; l < 4; l++) lines.push(`  - { id: leaf${l}, kind: leaf }`);
  for (let s = 0; s < 2; s++) lines.push(`  - { id: spine${s}, kind: spine }`);
  lines.push('links:');
  for (let h = 0; h < 16; h++) lines.push(`  - { from: h${h}, to: leaf${Math.floor(h / 4)}, bandwidth: 400Gbps, latency: 1us }`);
  for (let l = 0; l < 4; l++) for (let s = 0; s < 2; s++) lines.push(`  - { from: leaf${l}, to: spine${s}, bandwidth: 400Gbps, latency: 500ns }`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
