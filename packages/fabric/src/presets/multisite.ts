/**
 * `spectrumx-multisite:sites=2,km=10,hostsPerSite=16,leaves=2,spines=2[,haulBuffer=MB]` —
 * several sites, each a two-tier Clos (as `leafspine`), joined by long-haul links.
 *
 * Each site's spines connect to the site's border switch (`sN.border`); every pair of
 * border switches is joined by one long-haul duplex link of `km` kilometres: its latency is
 * km x fibre.delayPerKm (5 us/km) plus a switch hop, its bandwidth the site's host bandwidth
 * divided by `haulOversubscription` (1: the haul carries every host at line rate). Its
 * ingress buffer (the packet model's PFC and drop threshold) is `haulBuffer` MB, else the
 * packet model's per-port buffer: a shallow Spectrum-X port. Off-the-shelf long-haul
 * Ethernet uses deep-buffer switches there instead (NVIDIA, "How to Connect Distributed
 * Data Centers into Large AI Factories with Scale-Across Networking").
 *
 * Ranks are site-major: site 0's hosts, then site 1's, … so a ring in rank order crosses
 * each long-haul link once per direction.
 */
import { WeftInputError } from '@weft/sim';
import { TopologyBuilder } from '../topology/builder.js';
import { hardwareLatency } from './hardware.js';
import { presetSources } from './common.js';
import { addLeafSpine, ETHERNET_CLOS_PARAMS } from './leafspine.js';
import type { ParamTexts, ParamValues, PresetDef } from './params.js';

/** More sites than this is a mesh of long-haul links no one builds. */
const MAX_SITES = 8;
/** Half the earth's circumference: longer fibre runs do not exist. */
const MAX_KM = 20_000;

export const multisitePreset: PresetDef = {
  name: 'spectrumx-multisite',
  description: 'sites of two-tier Clos fabrics joined by long-haul links of km kilometres (fibre delay 5 us/km), each with its buffer depth',
  examples: ['spectrumx-multisite:sites=2,km=10', 'spectrumx-multisite:sites=2,km=100,hostsPerSite=32,leaves=4,spines=4,haulBuffer=1000'],
  params: {
    sites: { kind: 'count', defaultValue: 2, min: 2, max: { value: MAX_SITES, why: 'every pair of sites gets its own long-haul link' }, doc: 'number of sites' },
    km: { kind: 'count', notBuilt: true, defaultValue: 10, min: 0, max: { value: MAX_KM, why: 'half the earth' }, doc: 'long-haul fibre length between two sites, km' },
    hostsPerSite: { kind: 'count', defaultValue: 16, doc: 'hosts per site (one rank and one NIC port each)' },
    leaves: { kind: 'count', defaultValue: 2, doc: 'leaf switches per site' },
    spines: { kind: 'count', defaultValue: 2, doc: 'spine switches per site' },
    haulOversubscription: { kind: 'ratio', defaultValue: 1, doc: "a site's host bandwidth / its long-haul bandwidth to another site" },
    haulBuffer: { kind: 'count', notBuilt: true, optional: true, doc: 'ingress buffer of a long-haul port, MB (packet model); absent: the packet model port buffer' },
    fibreDelay: { kind: 'latency', defaultValue: hardwareLatency('fibre.delayPerKm'), hardware: 'fibre.delayPerKm', doc: 'one-way fibre delay per km' },
    ...ETHERNET_CLOS_PARAMS,
  },
  build(values: ParamValues, spec: string, texts?: ParamTexts) {
    const sites = values.sites!;
    const hosts = values.hostsPerSite!;
    const leaves = values.leaves!;
    const spines = values.spines!;
    if (leaves > hosts) {
      throw new WeftInputError(`spectrumx-multisite: leaves=${leaves} is more than hostsPerSite=${hosts}; every leaf needs at least one host`);
    }
    const hostBandwidth = values.hostBw! * values.efficiency!;
    const switchNs = values.switchLatency!;
    const siteBandwidth = hosts * hostBandwidth;
    const haulBandwidth = siteBandwidth / values.haulOversubscription!;
    const haulNs = values.km! * values.fibreDelay! + switchNs;
    const buffer = values.haulBuffer !== undefined ? { bufferBytes: values.haulBuffer * 1e6 } : {};
    const b = new TopologyBuilder();
    const ranks: string[] = [];
    for (let s = 0; s < sites; s++) {
      const shape = { hosts, leaves, spines, oversubscription: 1, hostBandwidth, switchNs, nicNs: values.nicLatency! };
      const site = addLeafSpine(b, `s${s}.`, shape);
      ranks.push(...site.hosts);
      const border = b.addNode(`s${s}.border`, 'spine');
      for (const spine of site.spines) b.addDuplex(spine, border, haulBandwidth / spines, switchNs);
    }
    for (let a = 0; a < sites; a++) {
      for (let c = a + 1; c < sites; c++) b.addDuplex(`s${a}.border`, `s${c}.border`, haulBandwidth, haulNs, buffer);
    }
    const notes = [
      `structure: ${sites} sites of ${hosts} hosts on ${leaves} leaves and ${spines} spines (non-blocking, as leafspine); each site's spines link to its border switch, and every pair of border switches is joined by one long-haul link`,
      `long haul: ${values.km} km x ${values.fibreDelay} ns/km + one switch hop = ${haulNs} ns one way; bandwidth = hostsPerSite x hostBw x efficiency / haulOversubscription; buffer ${values.haulBuffer !== undefined ? `${values.haulBuffer} MB` : 'the packet model port buffer'}`,
    ];
    return b.build(spec, ranks, presetSources(multisitePreset, values, notes, texts));
  },
};
