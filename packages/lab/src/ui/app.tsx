/** The lab page: a configuration, one deterministic run, and every view of it. */
import { useEffect, useState } from 'preact/hooks';
import { DEFAULT_CONFIG, cliArgs, shellLine, sweepFlags, type LabConfig } from '../engine/config.js';
import { STARTER_ALGORITHM } from '../engine/exercise-list.js';
import type { Catalog, PageRun } from '../worker/engine-worker.js';
import { BuffersView } from '../views/buffers.js';
import { ChannelsView } from '../views/channels.js';
import { GanttView, TimelineControls } from '../views/timeline.js';
import { TopologyView } from '../views/topology.js';
import { ConfigForm } from './config-form.js';
import { Frozen } from './frozen.js';
import { ViewGuard } from './view-guard.js';
import { formatBytes } from './format.js';
import { lazyView } from './lazy.js';
import { RunStopped, engineWorker, stopEngine, type StudentGrade } from './workers.js';
import { parseScenarioText, scenarioFromUrl, shareUrl, type Scenario } from './url-state.js';
import type { CustomExercise } from '../engine/exercise-list.js';
import type { Detail } from '../engine/run.js';

/** What tests and the embed page read: the last run and when the first one rendered. */
interface LabHandle {
  run: PageRun | null;
  firstRenderMs: number | null;
  runs: number;
  setCode: (code: string) => void;
}
declare global {
  interface Window {
    weftLab: LabHandle;
  }
}
window.weftLab = { run: null, firstRenderMs: null, runs: 0, setCode: () => {} };

// Loaded on demand, each its own chunk: the plots (d3-scale, d3-shape) and the exercises (CodeMirror).
const BandwidthView = lazyView(() => import('../views/bandwidth.js').then((m) => m.BandwidthView), 'Bandwidth');
const CompareView = lazyView(() => import('../views/compare.js').then((m) => m.CompareView), 'Compare');
const ExercisesView = lazyView(() => import('../views/exercises.js').then((m) => m.ExercisesView), 'Exercises');

const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0]!.replace(/^WeftInputError: /, '');

/** `?view=` shows one view alone (for embedding in a course page). */
const VIEWS = ['bandwidth', 'topology', 'channels', 'timeline', 'buffers', 'compare', 'exercises'] as const;
type ViewName = (typeof VIEWS)[number];

/** Where the editor's code is kept between visits. */
const CODE_STORE = 'weft-lab-code';

/** The code the student saved in this browser, or null (none, or storage blocked). */
function storedCode(): string | null {
  try {
    return localStorage.getItem(CODE_STORE);
  } catch {
    return null;
  }
}

/** The code the student last had in this browser, else the starter. */
const savedCode = (): string => storedCode() ?? STARTER_ALGORITHM;

/**
 * A link's code is the editor's only where it replaces no work of the student's: nothing saved,
 * the starter, or the same code. Otherwise the student's stays, and the link's is offered.
 */
const replacesNoWork = (linkCode: string): boolean => {
  const saved = storedCode();
  return saved === null || saved === STARTER_ALGORITHM || saved === linkCode;
};

/** 950 → "950 ms", 18 612 → "18.6 s". */
const duration = (ms: number): string => (ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`);

/**
 * The run's one-line summary, a polite live region (a screen reader hears each run's result).
 * Its time is what the user waited: from Run until the views had drawn (measured after this
 * renders), with the worker's two parts named: the simulation, then the buffer grids (at
 * dgx-h100:nodes=4 they take longer than the simulation). `startedAt`: when Run was pressed
 * (null for a graded student's run, which came from the grader's worker).
 */
function RunSummary({ run, detail, startedAt }: { run: PageRun; detail: Detail; startedAt: number | null }) {
  const [waitedMs, setWaited] = useState<number | null>(null);
  useEffect(() => setWaited(startedAt === null ? null : performance.now() - startedAt), [run, startedAt]);
  const parts = `the simulation ${duration(run.wallMs)} and the buffer grids ${duration(run.gridsMs)} in ${startedAt === null ? "the grader's" : "this page's"} worker`;
  return (
    <p class="note" role="status" data-testid="run-summary" data-wall-ms={run.wallMs} data-grids-ms={run.gridsMs} data-waited-ms={waitedMs ?? undefined}>
      {detail.error ? 'Without the faults: ' : ''}{detail.algorithm} at {formatBytes(detail.bytes)}: {(detail.timeNs / 1000).toFixed(2)} µs simulated, predicted {(detail.predictedNs / 1000).toFixed(2)} µs, {detail.protocol !== null ? `protocol ${detail.protocol}, ` : ''}{detail.channels} channel(s), {detail.events} events; {waitedMs !== null ? `from Run to these views ${duration(waitedMs)}: ${parts}, the rest passing the result to the page and drawing it.` : `${parts}.`}
    </p>
  );
}

export function App() {
  const [config, setConfig] = useState<LabConfig>(DEFAULT_CONFIG);
  const [code, setCode] = useState(savedCode);
  // A student's code outlives a reload or a closed tab (it lived only in the page before).
  useEffect(() => {
    try {
      localStorage.setItem(CODE_STORE, code);
    } catch {
      // Storage full or blocked (a sandboxed embed): the code still works in this page.
    }
  }, [code]);
  const [run, setRun] = useState<PageRun | null>(null);
  const [detailIndex, setDetailIndex] = useState(0);
  const [tNs, setT] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [stopped, setStopped] = useState(false);
  const [link, setLink] = useState<string | null>(null);
  // "Share this run" carries the editor's code only when asked (a teacher's link must not hand out their solution).
  const [shareCode, setShareCode] = useState(false);
  // A link's code the student has not taken (their own saved code differs): offered, never imposed.
  const [offered, setOffered] = useState<string | null>(null);
  const [catalog, setCatalog] = useState<Catalog | null>(null);
  const [custom, setCustom] = useState<{ config: LabConfig; exercise: CustomExercise } | undefined>(undefined);
  const params = new URLSearchParams(window.location.search);
  const asked = params.get('view');
  // An unknown ?view= (a typo in a course page's embed) says so and shows the whole lab, not a blank frame.
  const badView = asked !== null && !(VIEWS as readonly string[]).includes(asked) ? asked : null;
  const only = badView === null ? (asked as ViewName | null) : null;
  window.weftLab.setCode = setCode;

  // When the run shown was asked for (its summary says how long the user waited); null: a graded student's run.
  const [shownStartedAt, setShownStartedAt] = useState<number | null>(null);
  const start = async (next: LabConfig) => {
    const asked = performance.now();
    setConfig(next);
    setBusy(true);
    setError(null);
    setStopped(false);
    setPlaying(false);
    try {
      const result = await engineWorker().run(next);
      setRun(result);
      setShownStartedAt(asked);
      setDetailIndex(0);
      const end = result.details[0]?.timeNs ?? 0;
      setT(params.has('play') ? 0 : end);
      setPlaying(params.has('play'));
    } catch (e) {
      if (e instanceof RunStopped) setStopped(true);
      else setError(firstLine(e));
    } finally {
      setBusy(false);
    }
  };

  const openScenario = (scenario: Scenario | null) => {
    if (scenario?.code !== undefined) {
      if (replacesNoWork(scenario.code)) {
        setCode(scenario.code);
        setOffered(null);
      } else setOffered(scenario.code);
    }
    setCustom(scenario?.exercise ? { config: scenario.config, exercise: scenario.exercise } : undefined);
    return start(scenario?.config ?? DEFAULT_CONFIG);
  };
  /** An exercise's "Open this run in the views": run it, then bring its views into sight (the button sits far below them). */
  const openInViews = async (next: LabConfig) => {
    await start(next);
    requestAnimationFrame(() => document.querySelector('[data-testid=run-summary], [data-testid=error]')?.scrollIntoView({ block: 'start' }));
  };
  const openFile = async (file: File | undefined) => {
    if (!file) return;
    try {
      await openScenario(await parseScenarioText(await file.text(), file.name));
    } catch (e) {
      setError(firstLine(e));
    }
  };

  useEffect(() => {
    if (only === null) void engineWorker().catalog().then(setCatalog);
    scenarioFromUrl(window.location.search)
      .then((scenario: Scenario | null) => openScenario(scenario))
      .catch((e) => setError(firstLine(e)));
  }, []);

  useEffect(() => {
    if (run === null) return;
    window.weftLab.run = run;
    window.weftLab.runs += 1;
    window.weftLab.firstRenderMs ??= performance.now();
    document.body.dataset.runs = String(window.weftLab.runs);
  }, [run]);

  const detail = run?.details[Math.min(detailIndex, run.details.length - 1)];
  const grid = run?.grids[Math.min(detailIndex, run.grids.length - 1)];
  const show = (view: ViewName) => only === null || only === view;
  const studentAlgorithm = run?.details.find((d) => !run.config.algorithms.includes(d.algorithm))?.algorithm;
  const onStudentRun = (grade: StudentGrade) => {
    if (grade.run) {
      setRun(grade.run);
      setShownStartedAt(null);
      setConfig(grade.run.config);
      setDetailIndex(grade.run.details.length - 1);
      setT(grade.run.details.at(-1)!.timeNs);
    }
  };

  return (
    <main class={only ? 'embedded' : ''}>
      {only === null && (
        <header>
          <h1>weft lab</h1>
          <p class="tagline">The weft engine, in your browser: run a collective on a simulated cluster and watch it. Deterministic: the same configuration gives the same numbers as <code>weft bench</code>.</p>
          <p class="status" data-testid="isolation">{window.crossOriginIsolated ? 'Cross-origin isolated.' : 'Not cross-origin isolated (the lab runs anyway: it needs no shared memory).'}</p>
          <ConfigForm config={config} setConfig={setConfig} onRun={() => start(config)} onStop={stopEngine} busy={busy} catalog={catalog} />
          <p class="share">
            <label class="file">Open a scenario (JSON/YAML) <input type="file" accept=".json,.yaml,.yml" onChange={(e) => {
              const input = e.target as HTMLInputElement;
              void openFile(input.files?.[0]);
              input.value = ''; // choosing the same file again (edited) must open it again: no change event otherwise
            }} data-testid="scenario-file" /></label>{' '}
            <button onClick={() => setLink(shareUrl({ config: run?.config ?? config, ...(shareCode ? { code } : {}), ...(custom ? { exercise: custom.exercise } : {}) }))} data-testid="share" title="A link that replays the run shown (not form edits not yet run)">Share this run</button>{' '}
            <label title="Off: the link carries the run (and its exercise), not the code in your editor"><input type="checkbox" checked={shareCode} onChange={(e) => { setShareCode((e.target as HTMLInputElement).checked); setLink(null); }} data-testid="share-code" /> include my code</label>{' '}
            {/* Labelled, and no wider than the page (size 60 ran off a phone's 375 px screen). */}
            {link && <label class="share-link">Link to this run <input readOnly value={link} size={60} data-testid="share-link" onFocus={(e) => (e.target as HTMLInputElement).select()} /></label>}
            {/* A graded student's run shows their algorithm beside the built-ins; the link and the CLI line replay the built-ins only. */}
            {studentAlgorithm !== undefined && <span class="note" data-testid="share-student-note"> The link and the CLI line replay {(run?.config ?? config).algorithms.join(' and ')}; your {studentAlgorithm} {shareCode ? 'travels in the link as code and runs when the exercise is submitted there' : 'stays here (tick "include my code" to send it)'} (on the CLI: <code>--algo ./your-file.mjs</code>).</span>}
            {/* The run shown (its busbw table, when weft bench can step through its sizes), as Share does. */}
            <span class="note" data-testid="cli-line"> CLI for this run: <code>weft {shellLine(cliArgs(run?.config ?? config, 'sweep'))}</code>{sweepFlags((run?.config ?? config).sizesBytes) === null && ' (the animated size; the sweep\u2019s sizes are not one -f series)'}</span>
          </p>
        </header>
      )}
      {badView !== null && <p class="error" data-testid="view-error">?view={badView} is not a view of the lab; use one of {VIEWS.join(', ')}. Showing the whole lab.</p>}
      {stopped && <p class="note" role="status" data-testid="stopped">The run was stopped before it finished{run ? '; the views below still show the previous run' : ''}. Change the form (fewer ranks, smaller sizes, fewer channels) and press Run again.</p>}
      {offered !== null && offered !== code && (
        <p class="note" role="status" data-testid="offered-code">
          This link carries code for the editor; your own saved code is kept.{' '}
          <button onClick={() => { setCode(offered); setOffered(null); }} data-testid="use-link-code">Use the link{'\u2019'}s code (replaces yours)</button>{' '}
          <button onClick={() => setOffered(null)} data-testid="keep-my-code">Keep mine</button>
        </p>
      )}
      {error && <p class="error" role="alert" data-testid="error">{error}</p>}
      {error && run && <p class="note" data-testid="stale-run">The views below still show the previous run (on {run.config.topology}).</p>}
      {!run && !error && <p class="empty">{busy ? 'Simulating…' : 'Press Run to simulate.'}</p>}
      {run && detail && (
        <>
          {run.details.length > 1 && (
            <nav class="details" aria-label="Animated algorithm">
              Animated run ({formatBytes(run.details[0]!.bytes)}):{' '}
              {run.details.map((d, i) => (
                <button key={d.algorithm} class={i === detailIndex ? 'on' : ''} aria-pressed={i === detailIndex ? 'true' : 'false'} onClick={() => { setPlaying(false); setDetailIndex(i); setT(d.timeNs); }} data-testid={`detail-${d.algorithm}`}>
                  {d.algorithm} · {d.error ? 'did not complete' : `${(d.timeNs / 1000).toFixed(2)} µs`}
                </button>
              ))}
            </nav>
          )}
          {detail.error && <p class="error" data-testid="detail-error">This run did not complete: {detail.error.replace(/\.$/, '')}. The views below replay it without the faults.</p>}
          <RunSummary run={run} detail={detail} startedAt={shownStartedAt} />
          {(show('timeline') || show('topology') || show('buffers')) && <TimelineControls detail={detail} tNs={tNs} setT={setT} playing={playing} setPlaying={setPlaying} />}
          <div class="views">
            {show('topology') && <ViewGuard label="Topology" resetKey={detail}><TopologyView run={run} detail={detail} tNs={tNs} /></ViewGuard>}
            {show('channels') && <ViewGuard label="Channels" resetKey={detail}><Frozen keys={[detail]}><ChannelsView detail={detail} /></Frozen></ViewGuard>}
            {show('timeline') && <ViewGuard label="Gantt" resetKey={detail}><GanttView detail={detail} tNs={tNs} setT={setT} /></ViewGuard>}
            {show('buffers') && grid && <ViewGuard label="Buffers" resetKey={detail}><BuffersView grid={grid} detail={detail} tNs={tNs} /></ViewGuard>}
            {show('bandwidth') && <ViewGuard label="Bandwidth" resetKey={run}><Frozen keys={[run]}><BandwidthView run={run} /></Frozen></ViewGuard>}
            {/* B varies the run A shows (its config), not the form's edits since. */}
            {show('compare') && <ViewGuard label="Compare" resetKey={run}><Frozen keys={[run]}><CompareView config={run.config} run={run} /></Frozen></ViewGuard>}
          </div>
        </>
      )}
      {/* Below the views once the first run has rendered (or failed): its code loads after it. */}
      {show('exercises') && (run || error) && <Frozen keys={[code, custom]}><ExercisesView custom={custom} open={openInViews} code={code} setCode={setCode} onStudentRun={onStudentRun} /></Frozen>}
    </main>
  );
}
