/**
 * Scenarios are checked by `weft bench`'s own schema: a bad field gets the message the CLI
 * gives for the same flag (the CLI run in this process, as `weft` runs it), and every run
 * the lab itself builds parses back to itself.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '@weft/cli';
import { DEFAULT_CONFIG, EXERCISES } from '../dist/engine/index.js';
import { parseScenario, parseScenarioText } from '../dist/engine/scenario.js';

/** The one line `weft` prints for `args`, and its exit code. */
async function cliLine(args: readonly string[]): Promise<{ code: number; line: string }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await runCli(['bench', ...args]);
    return { code, line: stderr.trimEnd() };
  } finally {
    spy.mockRestore();
  }
}

const labError = (config: Record<string, unknown>): string => {
  try {
    parseScenario({ config });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${JSON.stringify(config)} parsed`);
};

afterEach(() => vi.restoreAllMocks());

describe('a scenario field and the same CLI flag', () => {
  // [scenario config, weft bench args, the scenario's label, the CLI's label]
  const CASES: [Record<string, unknown>, string[], string, string][] = [
    [{ qps: 0 }, ['allreduce', '--qps', '0'], 'config.qps (--qps)', '--qps'],
    [{ channels: 65 }, ['allreduce', '--channels', '65'], 'config.channels (--channels)', '--channels'],
    [{ routing: 'sideways' }, ['allreduce', '--routing', 'sideways'], 'config.routing (--routing)', '--routing'],
    [{ network: 'ideal' }, ['allreduce', '--network', 'ideal'], 'config.network (--network)', '--network'],
    [{ chunkBytes: '3X' }, ['allreduce', '--chunk', '3X'], 'config.chunkBytes (--chunk)', '--chunk'],
    [{ seed: 2 ** 32 }, ['allreduce', '--seed', String(2 ** 32)], 'config.seed (--seed)', '--seed'],
    [{ sizesBytes: [0] }, ['allreduce', '-b', '0'], 'config.sizesBytes[0] (-b/--minbytes)', '-b/--minbytes'],
    [{ sizesBytes: [1024, '12Q'] }, ['allreduce', '-b', '12Q'], 'config.sizesBytes[1] (-b/--minbytes)', '-b/--minbytes'],
    [{ collective: 'allreduse' }, ['allreduse'], 'config.collective', '<collective>'],
    // A check across fields: 1-byte chunks of a 1 GiB message.
    [{ chunkBytes: 1, sizesBytes: ['1G'] }, ['allreduce', '--chunk', '1', '-b', '1G', '-e', '1G'], 'config.chunkBytes (--chunk)', '--chunk'],
  ];

  it.each(CASES)('%j gives the message of weft bench %j', async (config, args, field, flag) => {
    const cli = await cliLine(args);
    expect(cli.code).toBe(2);
    expect(cli.line.startsWith(`weft: ${flag}: '`)).toBe(true);
    expect(labError(config)).toBe(`${field}${cli.line.slice(`weft: ${flag}`.length)}`);
  });
});

describe('scenarios the lab accepts', () => {
  it('reads sizes, channels and chunk as the CLI spells them, names case-insensitively', () => {
    const { config } = parseScenarioText(
      [
        'config:',
        '  collective: allgather',
        '  topology: switch:4',
        '  algorithms: ring,bruck',
        '  sizesBytes: [1K, 64K, 4M]',
        '  focusBytes: 64K',
        '  network: alphabeta',
        '  routing: ADAPTIVE',
        '  qps: 4',
        '  seed: 7',
        '  channels: auto',
        '  chunkBytes: 512K',
        '  mode: data',
        '  faults: { links: [{ link: gpu1->switch0, degrade: 0.5, at: 10us }] }   # as weft bench --scenario reads it',
        "  crash: ['rank=2@30us']                                                   # as weft bench --crash",
      ].join('\n'),
      'test.yaml',
    );
    expect(config).toEqual({
      topology: 'switch:4', collective: 'allGather', algorithms: ['ring', 'bruck'], sizesBytes: [1024, 65536, 4194304], focusBytes: 65536,
      network: 'alphaBeta', routing: 'adaptive', qps: 4, seed: 7, channels: 0, chunkBytes: 524288, mode: 'data',
      faults: { links: [{ link: 'gpu1->switch0', degrade: 0.5, at: 10_000 }], crashes: [{ rank: 2, at: 30_000 }] },
    });
    expect(parseScenario({ config: { chunkBytes: 'auto' } }).config.chunkBytes).toBe('auto');
  });

  it('routing auto is the topology\'s own, as weft bench resolves it; spray stays in weft bench', () => {
    expect(parseScenario({ config: { topology: 'dgx-h100:nodes=2', routing: 'auto' } }).config.routing).toBe('adaptive');
    expect(parseScenario({ config: { topology: 'switch:8', routing: 'auto' } }).config.routing).toBe('ecmp');
    expect(labError({ routing: 'spray' })).toBe("config.routing (--routing): 'spray' runs in weft bench (--network packet), not in the lab; use ecmp, adaptive or auto");
  });

  it('parses every run it builds back to itself: the defaults, each exercise, the shipped scenario', () => {
    for (const config of [DEFAULT_CONFIG, ...EXERCISES.map((e) => e.config)]) {
      expect(parseScenario(JSON.parse(JSON.stringify({ config }))).config).toEqual(config);
    }
    const shipped = new URL('../public/scenarios/ring-8.yaml', import.meta.url);
    expect(parseScenarioText(readFileSync(shipped, 'utf8'), 'ring-8.yaml').exercise?.algorithm).toBe('tree');
  });

  it('a scenario that is not YAML says where, in one line (was: cut at a bare colon)', () => {
    expect(() => parseScenarioText('config:\n  topology: switch:8\n  algorithms: [ring, tree\n', 'mine.yaml')).toThrow(
      /^mine\.yaml is not valid YAML or JSON: Flow sequence in block collection must be sufficiently indented and end with a \] \(line 4, column 1\)$/,
    );
  });

  it('refuses what only the lab checks, in one line naming the field', () => {
    expect(labError({ qp: 2 })).toMatch(/^config: 'qp' is not a scenario field; use topology, /);
    expect(labError({ network: 'packet' })).toBe("config.network (--network): 'packet' runs in weft bench, not in the lab; use maxMin or alphaBeta");
    expect(labError({ algorithms: ['ring', 'rung'] })).toMatch(/^config\.algorithms \(--algo\): 'rung' is not accepted for allreduce in the lab; use ring, tree, /);
    expect(labError({ focusBytes: 0 })).toBe("config.focusBytes: '0' is not accepted; use a size greater than 0");
    expect(labError({ qps: [1] })).toBe("config.qps: '[1]' is not accepted; use a number or a string");
  });

  it('takes faults as weft bench does, with its lines: --fault text, or a --scenario file\u2019s content', async () => {
    for (const fault of ['link=gpu0->gpu1,down@5us', 'gpu0->switch0 down']) {
      const cli = await cliLine(['allreduce', '--topology', 'switch:8', '--fault', fault]);
      expect(cli.code).toBe(2);
      expect(labError({ fault: [fault] })).toBe(cli.line.replace(/^weft: /, ''));
    }
    expect(labError({ faults: { links: [{ link: 'gpu0->switch0', degrade: 2 }] } })).toBe(
      'config.faults (--scenario): links[0].degrade: use a factor between 0 and 1 (exclusive): the share of capacity the link keeps',
    );
    expect(labError({ straggler: 'rank=1,delay=5us' })).toMatch(/^config\.straggler: a list of --straggler values/);
    const { config } = parseScenario({ config: { fault: ['link=gpu0->switch0,down@5us'], straggler: ['rank=3,delay=2us'] } });
    expect(config.faults).toEqual({ links: [{ link: 'gpu0->switch0', down: 5000 }], stragglers: [{ rank: 3, delay: 2000 }] });
  });
});

describe('@weft/cli/schema', () => {
  it('imports no node:* module and no commander, however deep (the lab bundles it for the browser)', () => {
    const seen = new Set<string>();
    const bare = new Set<string>();
    const visit = (url: URL) => {
      if (seen.has(url.href)) return;
      seen.add(url.href);
      for (const [, spec] of readFileSync(url, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]/g)) {
        if (spec!.startsWith('.')) visit(new URL(spec!, url));
        else bare.add(spec!);
      }
    };
    visit(new URL(import.meta.resolve('@weft/cli/schema')));
    expect(seen.size).toBeGreaterThan(4); // schema, names, sizes, topology-spec, fault-schema
    expect([...bare].filter((spec) => spec.startsWith('node:') || spec === 'commander')).toEqual([]);
    expect([...bare].sort()).toEqual(['@weft/collectives', '@weft/fabric', '@weft/sim', 'zod']);
  });
});
