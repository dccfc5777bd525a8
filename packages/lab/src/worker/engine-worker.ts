/** The page's engine worker: runs the real weft engine (ghost mode) off the main thread. */
import { COLLECTIVES, listAlgorithms } from '@weft/collectives';
import { expose } from 'comlink';
import { withGrids, type RunWithGrids } from '../engine/buffers.js';
import type { LabConfig } from '../engine/config.js';
import { exerciseById } from '../engine/exercise-list.js';
import { givensOf, gradeAnswer, gradeCustom, truthOf } from '../engine/exercises.js';
import type { CustomExercise } from '../engine/exercise-list.js';
import type { Grade } from '../engine/grade.js';
import { inPageWords } from '../engine/page-words.js';
import { runLab } from '../engine/run.js';
import { parseScenario, parseScenarioText, type Scenario } from '../engine/scenario.js';

/** Each collective the form offers, and its built-in algorithms' names. */
export type Catalog = Readonly<Record<string, readonly string[]>>;

/** A run with its buffer grids (one per detail), and how long they took (engine/buffers.ts withGrids). */
export type PageRun = RunWithGrids;

const api = {
  catalog(): Catalog {
    return Object.fromEntries(COLLECTIVES.filter((c) => c !== 'barrier').map((c) => [c, listAlgorithms(c).map((a) => a.name)] as const).filter(([, names]) => names.length > 0));
  },
  // The CLI's checks run here; their advice about flags is rewritten for the form (engine/page-words.ts).
  run(config: LabConfig): Promise<PageRun> {
    return inPageWords(async () => {
      return withGrids(await runLab(config));
    }, 'run');
  },
  async grade(exerciseId: string, answer: number): Promise<Grade> {
    const exercise = exerciseById(exerciseId);
    return gradeAnswer(exercise, answer, await truthOf(exercise));
  },
  givens(config: LabConfig): string {
    return givensOf(config);
  },
  gradeCustom(config: LabConfig, exercise: CustomExercise, answerUs: number): Promise<Grade> {
    return gradeCustom(config, exercise, answerUs);
  },
  // Scenarios are checked here, by the CLI's schemas, so the page's bundle has none of them.
  parseScenario(value: unknown): Promise<Scenario> {
    return inPageWords(() => parseScenario(value));
  },
  parseScenarioText(text: string, name: string): Promise<Scenario> {
    return inPageWords(() => parseScenarioText(text, name));
  },
};

export type EngineApi = typeof api;
expose(api);
