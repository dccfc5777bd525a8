import type { CollectiveName, DType, ReduceOp } from '@weft/collectives';
import type { ModelName, RoutingName } from '@weft/fabric';

/** Everything a benchmark sweep needs, validated; built from argv by commands/bench.ts. */
export interface BenchConfig {
  readonly collective: CollectiveName;
  readonly collectiveCliName: string;
  readonly topologySpec: string;
  readonly sizesBytes: readonly number[];
  readonly iters: number;
  readonly warmupIters: number;
  readonly check: boolean;
  readonly dtype: DType;
  readonly op: ReduceOp;
  readonly root: number;
  /** Algorithm names as given (`auto` included); `all` already expanded. */
  readonly algorithms: readonly string[];
  /**
   * Names that came from `all` rather than being asked for by name: one that cannot run on
   * this topology is skipped (and listed) instead of being an error.
   */
  readonly fromAll: readonly string[];
  readonly model: ModelName;
  readonly routing: RoutingName;
  readonly qps: number;
  readonly seed: number;
  readonly mode: 'data' | 'ghost';
  readonly channels: number;
  readonly chunkBytes: number;
  readonly ranksPerWorker?: number;
  readonly links: number;
  readonly trace: boolean;
}
