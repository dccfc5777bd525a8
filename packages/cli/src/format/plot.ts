import type { TopLevelSpec } from 'vega-lite';
import type { BenchReport } from '../bench/report.js';
import { baseAlgorithm } from '../bench/report.js';

/** The Vega-Lite schema every weft chart declares. */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/**
 * Renders a Vega-Lite spec to SVG text with no browser (Vega's headless View). Every chart
 * weft writes (`bench --plot`, `train --plot`) goes through here. `$schema` is filled in.
 */
export async function renderSvg(spec: Omit<TopLevelSpec, '$schema'> | Record<string, unknown>): Promise<string> {
  // Loaded here, not at the top: vega + vega-lite were about 45 % of every command's start-up
  // (issue #13) though only `--plot` draws.
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const full = { $schema: VEGA_LITE_SCHEMA, ...spec } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(full).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * busbw against message size, one line per algorithm. Rows of 0 bytes (the smallest sizes of a
 * per-rank collective round down to 0 elements, as nccl-tests' do) are left out and counted in
 * the subtitle: the size axis is logarithmic, where 0 has no place (Vega drew every point at x = 0).
 */
export async function plotBusBwSvg(report: BenchReport): Promise<string> {
  const drawn = report.rows.filter((row) => row.bytes > 0);
  const values = drawn.map((row) => ({
    bytes: row.bytes,
    busBwGBps: row.busBwGBps,
    algorithm: baseAlgorithm(row.algorithm),
  }));
  const left = report.rows.length - drawn.length;
  const leftOut = left === 0 ? '' : `; ${left} row${left === 1 ? '' : 's'} of 0 bytes left out`;
  return renderSvg({
    title: {
      text: `weft bench ${report.collective}: bus bandwidth vs size`,
      subtitle: `${report.topology.spec} (${report.topology.ranks} ranks), ${report.model}, ${report.routing}, ${report.mode} mode${leftOut}`,
    },
    width: 640,
    height: 360,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'bytes', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'message size (bytes)' },
      y: { field: 'busBwGBps', type: 'quantitative', title: 'busbw (GB/s)' },
      color: { field: 'algorithm', type: 'nominal', title: 'algorithm' },
    },
  });
}
