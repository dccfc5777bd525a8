// A SimGrid platform (XML, DTD 4.1) for a weft one-switch topology (`switch:N`), so SMPI simulates
// the same links as weft: hosts named as weft's ranks, one SimGrid link per weft link (each
// direction its own link, so a cable is full duplex as in weft; bandwidth in B/s and latency in ns
// copied unchanged), and for every ordered pair of ranks the route rank→switch→rank.
// Used by benchmarks/smpi-vs-weft.mjs; tested by test/cli/smpi-platform.test.ts.

const escapeXml = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The platform XML for `topology` (a @weft/fabric Topology); throws if some pair of ranks has no
 *  route of one link up to a switch and one link down from it. */
export function smpiPlatformXml(topology) {
  const ranks = new Set(topology.ranks);
  const upOf = new Map();
  const downOf = new Map();
  for (const link of topology.links) {
    if (ranks.has(link.from) && !ranks.has(link.to)) upOf.set(link.from, link);
    else if (ranks.has(link.to) && !ranks.has(link.from)) downOf.set(link.to, link);
  }
  const lines = ["<?xml version='1.0'?>", '<!DOCTYPE platform SYSTEM "https://simgrid.org/simgrid.dtd">', '<platform version="4.1">', '<zone id="fabric" routing="Full">'];
  for (const rank of topology.ranks) lines.push(`  <host id="${escapeXml(rank)}" speed="1Gf"/>`);
  for (const link of topology.links) {
    lines.push(`  <link id="${escapeXml(link.id)}" bandwidth="${link.bandwidthBytesPerSec}Bps" latency="${link.latencyNs}ns"/>`);
  }
  for (const src of topology.ranks) {
    for (const dst of topology.ranks) {
      if (src === dst) continue;
      const up = upOf.get(src);
      const down = downOf.get(dst);
      if (!up || !down || up.to !== down.from) throw new Error(`${topology.name}: no route ${src} -> switch -> ${dst} (only one-switch topologies such as switch:N are supported)`);
      lines.push(`  <route src="${escapeXml(src)}" dst="${escapeXml(dst)}" symmetrical="NO"><link_ctn id="${escapeXml(up.id)}"/><link_ctn id="${escapeXml(down.id)}"/></route>`);
    }
  }
  lines.push('</zone>', '</platform>', '');
  return lines.join('\n');
}
