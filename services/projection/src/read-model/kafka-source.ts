/**
 * The Kafka topic as a replay reads it (stack mode): every partition from its start (or from given offsets) to
 * the end, as a `RebuildSource` for `rebuildProjection`, and the switch-over that moves the live consumer.
 *
 * - A kafkajs consumer in a group of its own (a fresh id per run, nothing committed to Kafka) reads the whole
 *   topic into a bounded buffer; its fetch loop waits, heart-beating, while the buffer is full. The rebuild's
 *   checkpoint is the next offset of every partition (JSON), stored with its progress, so a replay resumes
 *   where its last batch committed: the source starts a consumer at those offsets.
 * - `read(after)` serves what lies after `after` without forgetting it until a later call moves past it: the
 *   rebuild re-reads from its stored checkpoint after a rolled-back batch or a failed caught-up check.
 * - Caught up means every partition's position is at the high-water mark the broker reports now; the rebuild
 *   asks this again inside its switch-over transaction.
 * - The switch (`kafkaSwitchOver`) runs in that transaction, once the new generation is marked live. The live
 *   consumer's offsets (`consumer_offsets`, locked row by row, so its chunk in flight commits first or waits)
 *   are then compared with the rebuild's: a partition where the live consumer is behind is moved forward to the
 *   rebuild's position (the new tables already hold those events; its next chunk meets the moved offset,
 *   re-reads it and seeks); where it is ahead, the events in between went only into the old tables, so they
 *   are read from the topic and applied to the new generation right there, and the offset stays.
 */
import { randomUUID } from 'node:crypto';
import type { Catalog } from '@onestop/catalog';
import { DOSSIER_EVENTS_TOPIC, defineError, parseDossierEvent } from '@onestop/domain';
import { errorMessageOf, type SqlTransaction } from '@onestop/messaging';
import { Kafka, type Consumer as KafkaConsumer, type KafkaMessage, logLevel } from 'kafkajs';
import { z } from 'zod';
import { createProjectionHandler } from './handler.js';
import type { LogEntry, RebuildSource } from './rebuild.js';

export const KafkaSourceMismatch = defineError<{ checkpoint: string }>(
  'PROJ_KAFKA_CHECKPOINT_MISMATCH',
  'conflict',
);
export const KafkaSourceStalled = defineError<{ topic: string }>('PROJ_KAFKA_SOURCE_STALLED', 'unavailable');

/** Next offset per partition. */
export type PartitionPositions = Readonly<Record<number, number>>;

const Checkpoint = z.object({
  topic: z.string(),
  positions: z.record(z.string().regex(/^\d+$/), z.number().int().nonnegative()),
});

export function encodeKafkaCheckpoint(topic: string, positions: PartitionPositions): string {
  const sorted = Object.keys(positions)
    .map(Number)
    .sort((a, b) => a - b);
  return JSON.stringify({
    topic,
    positions: Object.fromEntries(sorted.map((p) => [String(p), positions[p]])),
  });
}

export function decodeKafkaCheckpoint(topic: string, checkpoint: string): PartitionPositions {
  let parsed: z.infer<typeof Checkpoint>;
  try {
    parsed = Checkpoint.parse(JSON.parse(checkpoint));
  } catch (error) {
    throw KafkaSourceMismatch(
      `the unfinished rebuild's checkpoint is not a Kafka position (${errorMessageOf(error)}); discard it with --restart`,
      { details: { checkpoint }, cause: error },
    );
  }
  if (parsed.topic !== topic) {
    throw KafkaSourceMismatch(
      `the unfinished rebuild reads ${parsed.topic}, not ${topic}; resume it from that topic or discard it with --restart`,
      { details: { checkpoint } },
    );
  }
  return Object.fromEntries(Object.entries(parsed.positions).map(([p, o]) => [Number(p), o]));
}

export interface KafkaRebuildSourceOptions {
  readonly brokers: readonly string[];
  /** Default `onestop.dossier-events.v1`. */
  readonly topic?: string;
  /**
   * Where a new rebuild starts, per partition (default: the start of each partition's log). For a topic shared
   * with other stacks, whose earlier history is not this projection's.
   */
  readonly startAt?: PartitionPositions;
  /** Messages held in memory at most. Default 5,000. */
  readonly maxBuffered?: number;
  /** Give up when the broker reports messages that do not arrive for this long. Default 60 s. */
  readonly stallTimeoutMs?: number;
  readonly clientId?: string;
}

export interface KafkaRebuildSource extends RebuildSource {
  readonly topic: string;
  /** Next offsets the rebuild ended at (`checkpoint` undefined: it read nothing, so each partition's start). */
  positionsOf(checkpoint: string | undefined): Promise<PartitionPositions>;
  /**
   * The log between two positions (`from` inclusive, `to` exclusive; both name every partition), in offset
   * order per partition.
   */
  readBetween(from: PartitionPositions, to: PartitionPositions): Promise<LogEntry[]>;
  /** High-water marks now (the next offset to be written, per partition). */
  highWatermarks(): Promise<PartitionPositions>;
  close(): Promise<void>;
}

interface Buffered {
  readonly offset: number;
  readonly entry: LogEntry;
}

interface PartitionState {
  /** Everything from `base` to `next` (exclusive) that exists in the log is in `queue`. */
  base: number;
  next: number;
  queue: Buffered[];
}

/** The entry a message stands for: a dossier event, a tombstone to pass over, or a message the catalogue rejects. */
export function logEntryOfMessage(topic: string, partition: number, message: KafkaMessage): LogEntry {
  const text = message.value?.toString('utf8');
  if (text === undefined) return { kind: 'skipped' };
  try {
    return { kind: 'dossier', event: parseDossierEvent(JSON.parse(text)) };
  } catch (error) {
    const header = message.headers?.['event-id'];
    const eventId = (Array.isArray(header) ? header[0] : header)?.toString();
    return {
      kind: 'rejected',
      eventId: eventId ?? `${topic}:${partition}:${message.offset}`,
      reason: errorMessageOf(error),
    };
  }
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

export function kafkaRebuildSource(options: KafkaRebuildSourceOptions): KafkaRebuildSource {
  const topic = options.topic ?? DOSSIER_EVENTS_TOPIC;
  const maxBuffered = options.maxBuffered ?? 5_000;
  const stallTimeoutMs = options.stallTimeoutMs ?? 60_000;
  const kafka = new Kafka({
    clientId: options.clientId ?? 'projection-replay',
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5_000 },
  });
  const admin = kafka.admin();
  let adminConnected: Promise<void> | undefined;
  const connectedAdmin = async () => {
    adminConnected ??= admin.connect();
    await adminConnected;
    return admin;
  };

  const partitions = new Map<number, PartitionState>();
  let consumer: KafkaConsumer | undefined;
  let crashed: Error | undefined;
  /** Wakes a `read` waiting for messages (or a fetch loop waiting for room). */
  let wake: (() => void) | undefined;
  let room: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const buffered = () => [...partitions.values()].reduce((n, p) => n + p.queue.length, 0);

  async function offsets() {
    return (await connectedAdmin()).fetchTopicOffsets(topic);
  }

  async function highWatermarks(): Promise<PartitionPositions> {
    return Object.fromEntries((await offsets()).map((o) => [o.partition, Number(o.high)]));
  }

  let starts: Promise<PartitionPositions> | undefined;
  /** Where a new rebuild starts: looked up once (a partition added to the topic later is not read). */
  function startPositions(): Promise<PartitionPositions> {
    starts ??= offsets().then((list) =>
      Object.fromEntries(
        list.map((o) => [o.partition, Math.max(Number(o.low), options.startAt?.[o.partition] ?? 0)]),
      ),
    );
    return starts;
  }

  async function positionsOf(checkpoint: string | undefined): Promise<PartitionPositions> {
    const start = await startPositions();
    return checkpoint === undefined ? start : { ...start, ...decodeKafkaCheckpoint(topic, checkpoint) };
  }

  async function stopConsumer() {
    const running = consumer;
    consumer = undefined;
    room?.();
    room = undefined;
    await running?.disconnect().catch(() => undefined);
  }

  /** A fresh consumer whose buffer starts at `positions`. */
  async function startConsumer(positions: PartitionPositions) {
    await stopConsumer();
    partitions.clear();
    for (const [p, offset] of Object.entries(positions)) {
      partitions.set(Number(p), { base: offset, next: offset, queue: [] });
    }
    crashed = undefined;
    const created = kafka.consumer({
      groupId: `onestop-replay-${randomUUID()}`,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: false,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5_000 },
    });
    consumer = created;
    created.on(created.events.CRASH, ({ payload }) => {
      if (!payload.restart) crashed = payload.error;
      notify();
    });
    await created.connect();
    await created.subscribe({ topic, fromBeginning: true });
    await created.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat, isRunning }) => {
        if (consumer !== created) return;
        const state = partitions.get(batch.partition);
        if (state === undefined) return;
        // The group starts at the log's start and then seeks: a fetch from before the seek is contiguous with
        // `next`, so anything below it is a message the buffer already holds or the rebuild does not want.
        for (const message of batch.messages) {
          const offset = Number(message.offset);
          if (offset < state.next) continue;
          state.queue.push({ offset, entry: logEntryOfMessage(topic, batch.partition, message) });
          state.next = offset + 1;
        }
        notify();
        while (consumer === created && isRunning() && buffered() >= maxBuffered) {
          await Promise.race([new Promise<void>((done) => (room = done)), sleep(1_000)]);
          await heartbeat();
        }
      },
    });
    // Seeks apply at the next fetch, once the group has assigned the partitions.
    for (const [p, offset] of Object.entries(positions)) {
      created.seek({ topic, partition: Number(p), offset: String(offset) });
    }
  }

  /** Positions `after` names; restarts the consumer there unless the buffer covers them. */
  async function align(after: string | undefined): Promise<PartitionPositions> {
    const wanted = await positionsOf(after);
    const covered =
      consumer !== undefined &&
      Object.entries(wanted).every(([p, offset]) => {
        const state = partitions.get(Number(p));
        return state !== undefined && offset >= state.base && offset <= state.next;
      });
    if (!covered) {
      await startConsumer(wanted);
      return wanted;
    }
    for (const [p, offset] of Object.entries(wanted)) {
      const state = partitions.get(Number(p));
      if (state === undefined) continue;
      const drop = state.queue.findIndex((m) => m.offset >= offset);
      state.queue.splice(0, drop === -1 ? state.queue.length : drop);
      state.base = offset;
    }
    room?.();
    return wanted;
  }

  /** What is buffered after `positions`, up to `max` entries and below `bound`, with the positions after them. */
  function take(positions: PartitionPositions, max: number, bound?: PartitionPositions) {
    const entries: Buffered[] = [];
    const next: Record<number, number> = { ...positions };
    for (const [p, state] of [...partitions].sort(([a], [b]) => a - b)) {
      const limit = bound?.[p] ?? Number.POSITIVE_INFINITY;
      let i = 0;
      while (i < state.queue.length && entries.length < max) {
        const item = state.queue[i];
        if (item === undefined || item.offset >= limit) break;
        entries.push(item);
        i++;
      }
      const rest = state.queue[i];
      // All of the buffer taken: the position is the buffer's end (past any gap the log has there).
      next[p] = rest === undefined ? Math.min(state.next, limit) : Math.min(rest.offset, limit);
    }
    return { entries, next };
  }

  async function read(after: string | undefined, max: number) {
    const positions = await align(after);
    let waitingSince = Date.now();
    for (;;) {
      if (crashed !== undefined) {
        throw KafkaSourceStalled(`the replay's Kafka consumer failed: ${crashed.message}`, {
          details: { topic },
          cause: crashed,
        });
      }
      const { entries, next } = take(positions, max);
      if (entries.length > 0) {
        return { entries: entries.map((e) => e.entry), checkpoint: encodeKafkaCheckpoint(topic, next) };
      }
      const high = await highWatermarks();
      const behind = Object.entries(high).some(([p, hw]) => (partitions.get(Number(p))?.next ?? 0) < hw);
      if (!behind) return { entries: [], checkpoint: after };
      if (Date.now() - waitingSince > stallTimeoutMs) {
        throw KafkaSourceStalled(
          `no message of ${topic} arrived for ${stallTimeoutMs} ms while the broker has more`,
          {
            details: { topic },
          },
        );
      }
      const arrived = new Promise<void>((done) => (wake = done));
      await Promise.race([arrived, sleep(500)]);
      if (buffered() > 0) waitingSince = Date.now();
    }
  }

  return {
    topic,
    read,
    async remaining(after) {
      const positions = await positionsOf(after);
      const high = await highWatermarks();
      return Object.entries(high).reduce(
        (sum, [p, hw]) => sum + Math.max(0, hw - (positions[Number(p)] ?? 0)),
        0,
      );
    },
    positionsOf,
    highWatermarks,
    async readBetween(from, to) {
      const out: LogEntry[] = [];
      let checkpoint: string | undefined = encodeKafkaCheckpoint(topic, from);
      const deadline = Date.now() + stallTimeoutMs;
      for (;;) {
        const positions = await align(checkpoint);
        const done = Object.entries(to).every(([p, end]) => {
          const state = partitions.get(Number(p));
          return (
            (positions[Number(p)] ?? 0) >= end ||
            (state !== undefined && state.queue.length === 0 && state.next >= end)
          );
        });
        const { entries, next } = take(positions, 1_000, to);
        out.push(...entries.map((e) => e.entry));
        checkpoint = encodeKafkaCheckpoint(topic, next);
        if (entries.length > 0) continue;
        if (done) return out;
        if (Date.now() > deadline) {
          throw KafkaSourceStalled(`the live consumer's offsets of ${topic} are beyond what arrived`, {
            details: { topic },
          });
        }
        await Promise.race([new Promise<void>((ok) => (wake = ok)), sleep(200)]);
      }
    },
    async close() {
      await stopConsumer();
      if (adminConnected !== undefined) await admin.disconnect().catch(() => undefined);
    },
  };
}

export interface KafkaSwitchOverOptions {
  readonly source: KafkaRebuildSource;
  readonly catalog: Catalog;
  /** The schema of the read models and of the live consumer's bookkeeping (`consumer_offsets`). */
  readonly schema: string;
  /** The live consumer's group id (its rows in `consumer_offsets`). */
  readonly consumer: string;
}

const OffsetRow = z.object({ next_offset: z.union([z.string(), z.number()]).transform(Number) });
const RegclassRow = z.object({ t: z.string().nullable() });

export interface SwitchOverReport {
  /** Partitions whose live offset moved forward to the rebuild's position. */
  readonly movedForward: number;
  /** Events the live consumer had applied past the rebuild's position, applied to the new generation too. */
  readonly caughtUp: number;
}

/**
 * `onSwitch` for `rebuildProjection` over a Kafka source: reconciles the live consumer's offsets with the new
 * generation (see the file comment). `report` receives what it did.
 */
export function kafkaSwitchOver(
  options: KafkaSwitchOverOptions,
  report?: (what: SwitchOverReport) => void,
): (tx: SqlTransaction, checkpoint: string | undefined) => Promise<void> {
  const { source, schema } = options;
  const table = `"${schema}".consumer_offsets`;
  // No generation: the live one, which the switch has just made the rebuilt one (with its calendar).
  const handler = createProjectionHandler({ catalog: options.catalog, schema });
  return async (tx, checkpoint) => {
    const exists = RegclassRow.parse((await tx.query('select to_regclass($1)::text as t', [table])).rows[0]);
    if (exists.t === null) {
      report?.({ movedForward: 0, caughtUp: 0 });
      return;
    }
    const rebuilt = await source.positionsOf(checkpoint);
    const live: Record<number, number> = {};
    let movedForward = 0;
    for (const [p, position] of Object.entries(rebuilt).sort(([a], [b]) => Number(a) - Number(b))) {
      const key = [options.consumer, source.topic, Number(p)];
      // A partition the live consumer never wrote starts at the rebuild's position.
      await tx.query(
        `insert into ${table} (consumer, topic, partition, next_offset) values ($1, $2, $3, $4)
         on conflict do nothing`,
        [...key, position],
      );
      const row = OffsetRow.parse(
        (
          await tx.query(
            `select next_offset from ${table} where consumer = $1 and topic = $2 and partition = $3 for update`,
            key,
          )
        ).rows[0],
      );
      live[Number(p)] = row.next_offset;
      if (row.next_offset < position) {
        await tx.query(
          `update ${table} set next_offset = $4, updated_at = now()
            where consumer = $1 and topic = $2 and partition = $3`,
          [...key, position],
        );
        movedForward++;
      }
    }
    const ahead = Object.entries(live).filter(([p, offset]) => offset > (rebuilt[Number(p)] ?? 0));
    let caughtUp = 0;
    if (ahead.length > 0) {
      for (const entry of await source.readBetween(rebuilt, { ...rebuilt, ...Object.fromEntries(ahead) })) {
        if (entry.kind !== 'dossier') continue;
        await handler(entry.event, tx);
        caughtUp++;
      }
    }
    report?.({ movedForward, caughtUp });
  };
}
