import { train, parseTrainConfig } from '@weft/train';
import { parseTopologySpec } from '@weft/fabric';
const topology = parseTopologySpec('switch:4');
for (const faults of [[], [{ kind: 'delayRank', rank: 2, delayNs: 30000 }]]) {
  const config = { ...parseTrainConfig({ model: 'mlp', steps: 5, mode: 'ghost', routing: 'ecmp' }, (k) => k), faults };
  const r = await train(config, topology);
  console.log(JSON.stringify(r.stepEndsNs.map((ends) => ends.map((e) => Math.round(e / 10) / 100))));
}
