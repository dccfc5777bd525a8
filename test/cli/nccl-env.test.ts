import { describe, expect, it } from 'vitest';
import { expectUsageError, weft } from './run-weft.js';

/**
 * NCCL's environment variables, as a script ported from a real cluster exports them
 * (packages/collectives/src/nccl-env.ts). Before, every one was ignored without a word:
 * `NCCL_ALGO=Tree NCCL_PROTO=Simple … all_reduce_perf` on one DGX H100 printed auto's
 * nvls/Simple, byte-identical to an unset environment.
 */
interface Report {
  rows: { algorithm: string; protocol: string | null }[];
  environment?: { applied: string[]; ignored: string[]; notModelled: string[] };
}

function bench(env: Record<string, string>, args: readonly string[]): Report {
  const run = weft(['bench', ...args, '--mode', 'ghost', '--format', 'json'], { env });
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Report;
}

const h100x2 = ['allreduce', '--topology', 'dgx-h100:nodes=2', '-b', '1K', '-e', '64M', '-f', '64'];

describe('NCCL_ALGO, NCCL_PROTO and friends steer auto as they steer NCCL', () => {
  it('NCCL_ALGO=Tree NCCL_PROTO=Simple: every size runs tree/Simple, and the report says why', () => {
    const report = bench({ NCCL_ALGO: 'Tree', NCCL_PROTO: 'Simple' }, h100x2);
    expect(report.rows.map((r) => `${r.algorithm}/${r.protocol}`)).toEqual(['auto(tree)/Simple', 'auto(tree)/Simple', 'auto(tree)/Simple']);
    expect(report.environment).toEqual({ applied: ['NCCL_ALGO=Tree', 'NCCL_PROTO=Simple'], ignored: [], notModelled: [] });
  });

  it('exclusion, case, per-function entries and NCCL_NVLS_ENABLE=0 take NVLS out as NCCL does', () => {
    const unset = bench({}, h100x2);
    expect(unset.rows.at(-1)!.algorithm).toBe('auto(nvlstree)');
    expect(unset.environment).toBeUndefined();
    for (const env of [{ NCCL_ALGO: '^nvls,NVLSTREE' }, { NCCL_NVLS_ENABLE: '0' }, { NCCL_ALGO: 'ring;allreduce:^NVLSTree,nvls' }]) {
      const rows = bench(env, h100x2).rows;
      expect(rows.map((r) => r.algorithm).some((a) => a.includes('nvls')), JSON.stringify(env)).toBe(false);
    }
    // An entry for another function leaves this one as it was.
    expect(bench({ NCCL_ALGO: 'allgather:ring' }, h100x2).rows.map((r) => r.algorithm)).toEqual(unset.rows.map((r) => r.algorithm));
  });

  it('NCCL_PROTO restricts a named NCCL algorithm too; a flag given beside a variable wins and the header says so', () => {
    const ll = bench({ NCCL_PROTO: 'LL' }, ['allreduce', '--topology', 'dgx-h100:nodes=1', '--algo', 'ring', '-b', '64M', '-e', '64M']);
    expect(ll.rows[0]!.protocol).toBe('LL');
    const run = weft(['bench', 'allreduce', '--topology', 'dgx-h100:nodes=1', '--algo', 'ring', '--proto', 'Simple', '-b', '1M', '-e', '1M', '--mode', 'ghost'], {
      env: { NCCL_ALGO: 'Tree', NCCL_PROTO: 'LL', NCCL_IB_HCA: 'mlx5_0', NCCL_DEBUG: 'INFO' },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('#  environment: ignored NCCL_ALGO=Tree: --algo given; ignored NCCL_PROTO=LL: --proto given; NCCL_IB_HCA not modelled\n');
    expect(run.stdout).toMatch(/\n +1048576 .* ring +Simple /);
  });

  it('a point-to-point collective says the variable has nothing to choose', () => {
    const report = bench({ NCCL_ALGO: 'Tree' }, ['alltoall', '--ranks', '4', '-b', '1K', '-e', '1K']);
    expect(report.environment!.ignored).toEqual(['NCCL_ALGO=Tree: NCCL runs this collective point to point, with no algorithm or protocol to choose']);
  });

  it('weft train reads them for the buckets\' all-reduce', () => {
    const run = weft(['train', '--topology', 'dgx-h100:nodes=2', '--mode', 'predict', '--steps', '1'], { env: { NCCL_ALGO: 'Ring', NCCL_PROTO: 'Simple' } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("# all-reduce auto (NCCL's choice): ring/Simple");
    expect(run.stdout).toContain('# environment: NCCL_ALGO=Ring NCCL_PROTO=Simple (applied, as NCCL does)');
  });

  it('a value NCCL refuses is one line, exit 2', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ NCCL_ALGO: 'Tre' }, /^weft: NCCL_ALGO=Tre: unknown name 'Tre'; NCCL's: Tree, Ring, CollNetDirect, CollNetChain, NVLS, NVLSTree, PAT$/],
      [{ NCCL_ALGO: 'tree;ring' }, /^weft: NCCL_ALGO=tree;ring: every entry but the first needs a function prefix/],
      [{ NCCL_PROTO: 'allreduce:LL;allgater:LL' }, /^weft: NCCL_PROTO=allreduce:LL;allgater:LL: unknown function 'allgater'; NCCL's: Broadcast, Reduce, AllGather, ReduceScatter, AllReduce$/],
      [{ NCCL_ALGO: 'CollNetDirect' }, /^weft: NCCL_ALGO enables none of the algorithms NCCL weighs for allReduce \(Ring, Tree, NVLS, NVLSTree\); enabled: CollNetDirect$/],
      [{ NCCL_NVLS_ENABLE: 'yes' }, /^weft: NCCL_NVLS_ENABLE=yes: accepted 0 \(off\), 1 or 2/],
      [{ NCCL_ALGO: 'NVLS' }, /^weft: NCCL_ALGO enables NVLS for allReduce, none of which NCCL's tuning model runs on this topology/],
    ];
    for (const [env, message] of cases) {
      expectUsageError(weft(['bench', 'allreduce', '--topology', 'hgx-a100:nodes=1', '-b', '1K', '-e', '1K', '--mode', 'ghost'], { env }), message);
    }
  });

  it('NCCL_ALGO=PAT on several GPUs a server: refused, as NCCL fails the call (weft ran its own fastest PAT)', () => {
    expectUsageError(
      weft(['bench', 'reducescatter', '--topology', 'dgx-h100:nodes=2', '--mode', 'ghost', '-b', '1M', '-e', '1M'], { env: { NCCL_ALGO: 'pat' } }),
      /^weft: NCCL_ALGO enables PAT for reduceScatter, none of which NCCL's tuning model runs on this topology/,
    );
    // One GPU a server: PAT runs.
    expect(bench({ NCCL_ALGO: 'pat' }, ['reducescatter', '--topology', 'hgx-a100:nodes=2,gpusPerNode=1', '-b', '1M', '-e', '1M']).rows[0]!.algorithm).toBe('auto(pat)');
  });
});
