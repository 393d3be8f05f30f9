/**
 * `pnpm onestop replay`: rebuilds every read model from the embedded store's log into the next generation of
 * tables and switches over when caught up (see `rebuildProjection`). It works alongside a running server on the
 * same data directory: the server keeps answering from the live generation, its consumer keeps feeding it, and
 * both move to the new one at the switch (they look the live generation up in every transaction).
 */
import { demoCatalog } from '@onestop/catalog';
import { defineError } from '@onestop/domain';
import { type RebuildResult, rebuildProjection } from '@onestop/projection';
import { PROJECTION_CONSUMER } from '../projection-consumer.js';
import { parseFlags, targetOptions } from './flags.js';
import { embeddedLogSource } from './log-source.js';
import { progressReporter } from './progress.js';
import { openTarget, UsageError } from './target.js';

export const ReplayUnsupported = defineError('CLI_REPLAY_UNSUPPORTED', 'validation');

export const replayUsage = `  replay [--calendar <version>] [--restart] [--json] [--stop-after <n>]
        rebuilds every read model from the log into new tables and switches over when caught up; a running
        server keeps serving meanwhile (no need to stop it); resumes an interrupted replay, --restart discards
        it; --calendar picks a known calendar version; --stop-after pauses after n events (to test resuming)`;

function formatResult(r: RebuildResult): string {
  const c = r.counts;
  const head =
    r.status === 'switched'
      ? `replay: ${r.generation} is live (was ${r.previousGeneration}), calendar ${r.calendarVersion}`
      : `replay: ${r.generation} paused after ${r.eventsRead} events; run \`pnpm onestop replay\` again to resume`;
  return [
    head,
    `  events read     ${r.eventsRead}   (applied ${r.applied}, skipped ${r.skipped} bookkeeping, rejected ${r.rejected}; this run ${r.readThisRun}${r.resumed ? ', resumed' : ''})`,
    `  dossiers        ${c.dossiers}`,
    '  table rows',
    `    events          ${c.events}`,
    `    dossiers        ${c.dossiers}`,
    `    unit_daily      ${c.unitDaily}`,
    `    intake_daily    ${c.intakeDaily}`,
    `    officer_steps   ${c.officerSteps}`,
    '',
  ].join('\n');
}

export async function replayCommand(args: string[], dataDir: string): Promise<number> {
  const flags = parseFlags(args, {
    ...targetOptions,
    calendar: { type: 'string' },
    restart: { type: 'boolean' },
    json: { type: 'boolean' },
    'stop-after': { type: 'string' },
  });
  const stopAfterFlag = flags['stop-after'];
  if (stopAfterFlag !== undefined && !/^[1-9]\d*$/.test(stopAfterFlag)) {
    throw UsageError('--stop-after: expected a positive integer');
  }
  const target = await openTarget(flags, dataDir);
  const stopping = new AbortController();
  const stop = () => stopping.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const progress = progressReporter(process.stderr);
  try {
    if (target.kind !== 'embedded') {
      throw ReplayUnsupported(
        'replay rebuilds from the embedded store only; in stack mode, stop the projection service, drop its ' +
          "schema and reset the `projection` consumer group's offsets to the start of the topic",
      );
    }
    const { store } = target;
    const result = await rebuildProjection({
      db: store,
      source: embeddedLogSource(store),
      catalog: demoCatalog,
      ...(flags.calendar === undefined ? {} : { calendarVersion: flags.calendar }),
      ...(flags.restart ? { restart: true } : {}),
      ...(stopAfterFlag === undefined ? {} : { stopAfter: Number(stopAfterFlag) }),
      signal: stopping.signal,
      onProgress: (p) => progress.update(p),
      onSwitch: async (tx, checkpoint) => {
        if (checkpoint !== undefined) await tx.saveCheckpoint(PROJECTION_CONSUMER, checkpoint);
      },
    });
    progress.done();
    process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : formatResult(result));
    // Interrupted by a signal: 130, as a shell reports Ctrl-C; paused on purpose (--stop-after): success.
    return stopping.signal.aborted && result.status === 'paused' ? 130 : 0;
  } finally {
    progress.done();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await target.close();
  }
}
