/**
 * `pnpm onestop replay`: rebuilds every read model from the log into the next generation of tables and switches
 * over when caught up (see `rebuildProjection`). The log is the embedded store's (default), or in stack mode
 * (`--database-url`, `--schema`) the dossier topic read from its start (`kafkaRebuildSource`). Either way it works
 * alongside the running service: it keeps answering from the live generation, its consumer keeps feeding it, and
 * both move to the new one at the switch (they look the live generation up in every transaction); in stack mode
 * the switch also reconciles the live consumer's Kafka offsets with the rebuild's (`kafkaSwitchOver`).
 */
import { getHeapStatistics } from 'node:v8';
import { demoCatalog } from '@onestop/catalog';
import { DOSSIER_EVENTS_TOPIC } from '@onestop/domain';
import {
  type KafkaRebuildSource,
  kafkaRebuildSource,
  kafkaSwitchOver,
  type PartitionPositions,
  type PostgresProjectionDatabase,
  REBUILD_HEAP_MB,
  type RebuildResult,
  rebuildProjection,
} from '@onestop/projection';
import { z } from 'zod';
import { PROJECTION_CONSUMER } from '../projection-consumer.js';
import { parseFlags, targetOptions } from './flags.js';
import { withHeapCeiling } from './heap-ceiling.js';
import { embeddedLogSource } from './log-source.js';
import { progressReporter } from './progress.js';
import { openTarget, UsageError } from './target.js';

export const replayUsage = `  replay [--calendar <version>] [--restart] [--json] [--stop-after <n>]
         [--database-url <postgres://…> [--schema <name>] [--brokers <host:port,…>] [--topic <name>]
          [--group <live consumer group>] [--start-at <partition:offset,…>]]
        rebuilds every read model from the log into new tables and switches over when caught up; a running
        server keeps serving meanwhile (no need to stop it); resumes an interrupted replay, --restart discards
        it; --calendar picks a known calendar version; --stop-after pauses after n events (to test resuming).
        With --database-url (stack mode) it reads the dossier topic from its start (--brokers, default
        KAFKA_BROKERS or 127.0.0.1:9092) and moves the projection consumer (--group, default the one consumer
        with offsets in the schema) to the rebuilt tables; --start-at skips what a shared topic held before.
        Runs under a ${REBUILD_HEAP_MB} MB V8 old-space ceiling (restarting itself with --max-old-space-size unless
        node was given one) and ends with its peak memory`;

const StartAt = z
  .string()
  .regex(/^\d+:\d+(,\d+:\d+)*$/, 'expected partition:offset[,partition:offset…]')
  .transform(
    (list): PartitionPositions =>
      Object.fromEntries(
        list.split(',').map((pair) => {
          const [partition, offset] = pair.split(':');
          return [Number(partition), Number(offset)];
        }),
      ),
  );

const ConsumerRow = z.object({ consumer: z.string() });

/** The live consumer whose offsets follow the switch: `--group`, else the only one the schema holds. */
async function liveConsumerOf(db: PostgresProjectionDatabase, topic: string, group: string | undefined) {
  if (group !== undefined) return group;
  const consumers = await db.withTransaction(async (tx) => {
    const table = `"${db.schema}".consumer_offsets`;
    const exists = await tx.query('select to_regclass($1)::text as t', [table]);
    if (exists.rows[0]?.t == null) return [];
    const { rows } = await tx.query(`select distinct consumer from ${table} where topic = $1`, [topic]);
    return rows.map((row) => ConsumerRow.parse(row).consumer);
  });
  if (consumers.length > 1) {
    throw UsageError(
      `several consumers of ${topic} in ${db.schema} (${consumers.join(', ')}): name one with --group`,
    );
  }
  return consumers[0] ?? 'projection';
}

/** The replay process's peak memory, and the V8 heap limit it ran under. */
interface ReplayMemory {
  readonly peakRssMb: number;
  readonly heapLimitMb: number;
}

function memoryOf(): ReplayMemory {
  return {
    // resourceUsage().maxRSS is in KiB.
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    heapLimitMb: Math.round(getHeapStatistics().heap_size_limit / 2 ** 20),
  };
}

function formatResult(r: RebuildResult, memory: ReplayMemory): string {
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
    `  peak memory     ${memory.peakRssMb} MB   (V8 heap limit ${memory.heapLimitMb} MB)`,
    '',
  ].join('\n');
}

/**
 * Runs the replay in a process whose V8 old space is capped at `REBUILD_HEAP_MB` (this one, or a copy of it
 * started with the cap: `withHeapCeiling`): the rebuild holds a bounded amount whatever the log's length, and
 * the cap keeps the process's memory within a bound too (under 512 MB for the 1,000,000-event bench).
 */
export function replayCommand(args: string[], dataDir: string): Promise<number> {
  return withHeapCeiling(REBUILD_HEAP_MB, () => replay(args, dataDir));
}

async function replay(args: string[], dataDir: string): Promise<number> {
  const flags = parseFlags(args, {
    ...targetOptions,
    calendar: { type: 'string' },
    restart: { type: 'boolean' },
    json: { type: 'boolean' },
    'stop-after': { type: 'string' },
    brokers: { type: 'string' },
    topic: { type: 'string' },
    group: { type: 'string' },
    'start-at': { type: 'string' },
  });
  const stackFlags = (['brokers', 'topic', 'group', 'start-at'] as const).filter(
    (f) => flags[f] !== undefined,
  );
  if (flags['database-url'] === undefined && stackFlags.length > 0) {
    throw UsageError(`--${stackFlags[0]} needs --database-url (stack mode)`);
  }
  const startAtFlag = flags['start-at'];
  const startAt = startAtFlag === undefined ? undefined : StartAt.safeParse(startAtFlag);
  if (startAt !== undefined && !startAt.success) {
    throw UsageError('--start-at: expected partition:offset[,partition:offset…]');
  }
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
  let source: KafkaRebuildSource | undefined;
  try {
    const common = {
      catalog: demoCatalog,
      ...(flags.calendar === undefined ? {} : { calendarVersion: flags.calendar }),
      ...(flags.restart ? { restart: true } : {}),
      ...(stopAfterFlag === undefined ? {} : { stopAfter: Number(stopAfterFlag) }),
      signal: stopping.signal,
      onProgress: (p: Parameters<typeof progress.update>[0]) => progress.update(p),
    };
    let result: RebuildResult;
    if (target.kind === 'embedded') {
      const { store } = target;
      result = await rebuildProjection({
        db: store,
        source: embeddedLogSource(store),
        ...common,
        onSwitch: async (tx, checkpoint) => {
          if (checkpoint !== undefined) await tx.saveCheckpoint(PROJECTION_CONSUMER, checkpoint);
        },
      });
    } else {
      const { db } = target;
      const topic = flags.topic ?? DOSSIER_EVENTS_TOPIC;
      const brokers = (flags.brokers ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
        .split(',')
        .map((b) => b.trim());
      source = kafkaRebuildSource({
        brokers,
        topic,
        ...(startAt?.data === undefined ? {} : { startAt: startAt.data }),
      });
      const consumer = await liveConsumerOf(db, topic, flags.group);
      result = await rebuildProjection({
        db,
        source,
        ...common,
        onSwitch: kafkaSwitchOver({ source, catalog: demoCatalog, schema: db.schema, consumer }),
      });
    }
    progress.done();
    const memory = memoryOf();
    process.stdout.write(
      flags.json ? `${JSON.stringify({ ...result, memory })}\n` : formatResult(result, memory),
    );
    // Interrupted by a signal: 130, as a shell reports Ctrl-C; paused on purpose (--stop-after): success.
    return stopping.signal.aborted && result.status === 'paused' ? 130 : 0;
  } finally {
    progress.done();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await source?.close();
    await target.close();
  }
}
