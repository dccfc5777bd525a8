/**
 * `weft bench` flags that another flag's setting leaves with nothing to do (a packet-model flag
 * without --network packet, --fast-forward in data mode, …): given, they are refused rather
 * than silently ignored, as a user who types one expects it to act.
 */
import { WeftInputError } from '@weft/sim';
import { packetOnlyError } from '../names.js';
import { oneIteration } from './fast-forward.js';
import { BENCH_FLAGS, flagLabel, type BenchFlags, type FlagKey } from './schema.js';

/** Flags only the packet model reads: with another --network they would change nothing. */
const PACKET_FLAGS: readonly FlagKey[] = ['mtu', 'cell', 'cc', 'delivery', 'pfc', 'staleness', 'sched'];

/**
 * Flags that another flag's setting leaves with nothing to do: given (or compared) there, each is
 * refused in one line rather than silently ignored. `dependsOn`: a --compare of one of these
 * flags decides per value, so the rule is not applied up front.
 */
interface FlagRule {
  readonly keys: readonly FlagKey[];
  readonly dependsOn: readonly FlagKey[];
  readonly applies: (flags: BenchFlags) => boolean;
  readonly refusal: (label: string, flags: BenchFlags) => WeftInputError;
}

const FLAG_RULES: readonly FlagRule[] = [
  { keys: PACKET_FLAGS, dependsOn: ['network'], applies: (f) => f.network === 'packet', refusal: (label, f) => packetOnlyError(label, f.network) },
  {
    keys: ['fastForward'],
    dependsOn: ['mode'],
    applies: (f) => f.mode === 'ghost',
    refusal: (label) => new WeftInputError(`${label}: ghost mode only (--mode ghost); data mode runs every step of every run`),
  },
  {
    // Fast-forward cuts periods out of one iteration's pipeline; with more iterations the run
    // is exact (fast-forward.ts). The default auto, not typed, refuses nothing.
    keys: ['fastForward'],
    dependsOn: ['iters', 'warmupIters'],
    applies: (f) => (f.fastForward === 'off' && f.compare?.key !== 'fastForward') || oneIteration(f),
    refusal: (label, f) => {
      const value = f.compare?.key === 'fastForward' ? '' : ` ${f.fastForward}`;
      return new WeftInputError(`${label}${value}: one iteration only (-n 1 -w 0, here -n ${f.iters} -w ${f.warmupIters}); more iterations run exactly: drop --fast-forward or use -n 1 -w 0`);
    },
  },
  {
    keys: ['ranksPerWorker'],
    dependsOn: ['mode'],
    applies: (f) => f.mode === 'data',
    refusal: (label) => new WeftInputError(`${label}: data mode only; ghost mode starts no worker threads`),
  },
  {
    // --plot draws busbw against message size; a barrier has neither (every row is 0 bytes).
    keys: ['plot'],
    dependsOn: [],
    applies: (f) => f.collective !== 'barrier',
    refusal: (label) => new WeftInputError(`${label}: barrier moves no bytes, so there is no busbw against size to draw; its times are in the table (or --format json|csv)`),
  },
  {
    keys: ['exactLimit'],
    dependsOn: ['mode'],
    applies: (f) => f.explain && f.mode === 'ghost',
    refusal: (label) => new WeftInputError(`${label}: only with --explain in ghost mode (it bounds the candidates --explain simulates)`),
  },
];

/** Refuses, in one line, the first flag given (or compared) where the rules say it does nothing. */
export function checkFlagRules(flags: BenchFlags, given: ReadonlySet<FlagKey>): void {
  const compared = flags.compare?.key;
  for (const rule of FLAG_RULES) {
    if ((compared !== undefined && rule.dependsOn.includes(compared)) || rule.applies(flags)) continue;
    const key = rule.keys.find((k) => given.has(k) || compared === k);
    if (key !== undefined) throw rule.refusal(flagLabel(BENCH_FLAGS[key].flags), flags);
  }
}
