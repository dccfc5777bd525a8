/**
 * The entry of the thread main.ts runs a large ghost command in (entry.ts): the same
 * command, its argv, ended as main.ts ends one (entry.ts's runEntry). Here the check that hands runs
 * over is not armed, so the command runs; a signal the process gets is relayed here; and the
 * progress bar draws on the process's terminal when it has one (`workerData.stderr`).
 */
import { workerData } from 'node:worker_threads';
import { endOnRelayedSignal } from '@weft/runtime/sized-thread';
import { runCli } from './cli.js';
import { runEntry } from './entry.js';
import { useProcessStderr, type StderrFacts } from './ui/progress.js';
import { writeStreamSync } from './ui/sync-stdio.js';

endOnRelayedSignal();
// Rows and the bar as they are printed, not when the simulation lets the thread's event loop turn.
writeStreamSync(process.stdout, 1);
writeStreamSync(process.stderr, 2);
const facts = (workerData as { stderr?: StderrFacts } | null)?.stderr;
if (facts !== undefined) useProcessStderr(facts);
runEntry(() => runCli(process.argv.slice(2)));
