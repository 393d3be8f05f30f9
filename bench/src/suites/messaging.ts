/**
 * Messaging benchmarks: the relay (store → Kafka) against a raw kafkajs producer sending the very same messages in
 * the same batches, and against Kafka's own `ProducerPerformance` as the physical reference of this broker; then
 * the end-to-end latency append → relay → topic → `startKafkaConsumer` handler at a steady rate, against raw
 * kafkajs produce → consume at the same rate. Each measure has a topic of its own (12 partitions), deleted after.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { type JsonObject, postgresEventStore, type StoredEvent } from '@onestop/event-store';
import { type RelayMessage, silentLogger, startRelay, toRelayMessage } from '@onestop/messaging';
import { createTopicsReady } from '@onestop/testing';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { clients, dropDatabase, recreateDatabase, settleDisk } from '../db.js';
import {
  type BenchResult,
  median,
  payloadPool,
  percentile,
  type Rate,
  round,
  throughputResult,
} from '../harness.js';

export interface MessagingBenchOptions {
  readonly brokers: readonly string[];
  /** Events pre-appended for the relay throughput measure. */
  readonly events: number;
  readonly runs: number;
  /** Steady append rate of the latency measure, events/s. */
  readonly rate: number;
  readonly latencyMs: number;
  readonly log: (line: string) => void;
}

/** The relay's defaults, used for the raw producer too, so both send the same requests. */
const BATCH_SIZE = 500;
const MAX_BATCH_BYTES = 512 * 1024;
const PARTITIONS = 12;
/** Partitions the end-to-end consumers handle in parallel (both ours and the raw one). */
const CONSUMER_CONCURRENCY = 12;
const EVENTS_PER_STREAM = 10;

const benchDir = resolve(import.meta.dirname, '../..');
const payloads = payloadPool();
const payload = (i: number): JsonObject => payloads[i % payloads.length] ?? {};

export async function messagingBench(options: MessagingBenchOptions): Promise<BenchResult[]> {
  const kafka = new Kafka({
    clientId: 'onestop-bench',
    brokers: [...options.brokers],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  const topics: string[] = [];
  const newTopic = async (what: string): Promise<string> => {
    const topic = `onestop.bench.${what}.${Date.now().toString(36)}`;
    await createTopicsReady(admin, [{ topic, numPartitions: PARTITIONS }]);
    topics.push(topic);
    return topic;
  };
  const url = await recreateDatabase('onestop_bench_messaging');
  try {
    const results = await relayThroughput(options, kafka, url, newTopic);
    results.push(await endToEndLatency(options, kafka, url, newTopic));
    return results;
  } finally {
    await deleteTopics(admin, topics);
    await admin.disconnect();
    await dropDatabase('onestop_bench_messaging');
  }
}

// ── (a) relay throughput ─────────────────────────────────────────────────────────────────────────────────────

async function relayThroughput(
  options: MessagingBenchOptions,
  kafka: Kafka,
  url: string,
  newTopic: (what: string) => Promise<string>,
): Promise<BenchResult[]> {
  const { log, events, runs } = options;
  const schema = 'relay_bench';
  const store = postgresEventStore({ connectionString: url, schema });
  try {
    log(`seeding ${events.toLocaleString('en-US')} events (${EVENTS_PER_STREAM} per dossier stream)`);
    await seedStore(store, events);
    // The same messages, byte for byte, in the same batches, over a producer configured like the relay's.
    const messages = (await readEverything(store)).map((event) => toRelayMessage(event, 'intake'));
    const batches = batchesOf(messages);
    const relayTopic = await newTopic('relay');
    const rawTopic = await newTopic('kafkajs');
    const relayRates: number[] = [];
    const rawRates: number[] = [];
    let batchesPerRun = 0;
    // Alternated, so a slow patch of the machine (the broker flushing, another process) hits both sides alike.
    for (let run = 0; run < runs; run++) {
      log(`relay: ${events.toLocaleString('en-US')} events → Kafka (run ${run + 1}/${runs})`);
      // A source of its own per run: a fresh checkpoint, so each run publishes the whole store.
      const measured = await timeRelay(
        store,
        url,
        schema,
        relayTopic,
        options.brokers,
        `bench-run-${run}`,
        events,
      );
      relayRates.push(measured.perSecond);
      batchesPerRun = measured.batches;
      log(`kafkajs producer: ${messages.length.toLocaleString('en-US')} messages (run ${run + 1}/${runs})`);
      rawRates.push(await timeRawProducer(kafka, rawTopic, batches));
    }
    const relay = rateOf(relayRates);
    const raw = rateOf(rawRates);

    const averageValueBytes = Math.round(messages.reduce((n, m) => n + m.value.length, 0) / messages.length);
    const batchNote = `${batches.length} requests of ≤${BATCH_SIZE} events/≤512 KiB (relay: ${batchesPerRun}); steady state, first ack → last ack; values avg ${averageValueBytes} B`;
    const results: BenchResult[] = [
      throughputResult(
        `relay (${fmtCount(events)} stored events → Kafka, acks=all)`,
        relay,
        'kafkajs producer (same messages and batches, idempotent, 1 in flight)',
        raw,
        'events/s',
        batchNote,
      ),
    ];

    const ppTopic = await newTopic('producer-perf');
    log(
      `kafka ProducerPerformance: ${events.toLocaleString('en-US')} records of ${averageValueBytes} B, acks=all`,
    );
    const reference = await producerPerformance(options.brokers, ppTopic, events, averageValueBytes);
    if (reference === undefined) {
      log('java or the Kafka tools jars are missing: ProducerPerformance row skipped');
    } else {
      results.push(
        throughputResult(
          `relay (${fmtCount(events)} stored events → Kafka, acks=all)`,
          relay,
          `kafka ProducerPerformance (${averageValueBytes} B records, acks=all, client defaults)`,
          reference,
          'events/s',
          `Java client of the broker's own release; its p50/p99 send latency ${reference.p50Ms} / ${reference.p99Ms} ms`,
        ),
      );
    }
    return results;
  } finally {
    await store.close();
  }
}

async function seedStore(store: ReturnType<typeof postgresEventStore>, total: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < total) {
        const n = Math.min(EVENTS_PER_STREAM, total - next);
        const first = next;
        next += n;
        const dossierId = randomUUID();
        await store.appendToStream(
          `dossier-${dossierId}`,
          Array.from({ length: n }, (_, k) => ({
            eventId: randomUUID(),
            type: 'DossierReceived',
            data: payload(first + k),
            metadata: metadataOf(dossierId),
          })),
          { expectedVersion: 'no_stream' },
        );
      }
    }),
  );
}

function metadataOf(dossierId: string): JsonObject {
  return {
    dossierId,
    schemaVersion: 1,
    source: 'intake',
    correlationId: dossierId,
    occurredAt: '2025-07-02T02:00:00.000Z',
  };
}

interface RelayRun {
  readonly perSecond: number;
  readonly batches: number;
}

/** Starts a relay on a store holding `total` events and times the acknowledgements, first to last. */
async function timeRelay(
  store: ReturnType<typeof postgresEventStore>,
  url: string,
  schema: string,
  topic: string,
  brokers: readonly string[],
  source: string,
  total: number,
): Promise<RelayRun> {
  let acknowledged = 0;
  let firstAck: { at: number; count: number } | undefined;
  let lastAck = 0;
  let allDone: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const relay = startRelay({
    store,
    kafka: { brokers, clientId: `bench-${source}` },
    source,
    checkpointStore: { connectionString: url, schema },
    topic,
    batchSize: BATCH_SIZE,
    maxBatchBytes: MAX_BATCH_BYTES,
    logger: silentLogger,
    onPublished: (batch) => {
      const now = performance.now();
      firstAck ??= { at: now, count: batch.count };
      acknowledged += batch.count;
      lastAck = now;
      if (acknowledged >= total) allDone();
    },
  });
  try {
    await withTimeout(finished, 300_000, () => `relay published ${acknowledged} of ${total} events`);
    const batches = relay.metrics().batches;
    if (firstAck === undefined) throw new Error('relay acknowledged nothing');
    return { perSecond: (total - firstAck.count) / ((lastAck - firstAck.at) / 1000), batches };
  } finally {
    await relay.stop();
  }
}

async function readEverything(store: ReturnType<typeof postgresEventStore>): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.readAll(after === undefined ? { maxCount: 5000 } : { after, maxCount: 5000 });
    if (page.events.length === 0) return all;
    all.push(...page.events);
    after = page.checkpoint;
  }
}

/** The relay's batching rule: at most BATCH_SIZE messages and MAX_BATCH_BYTES of keys + values per request. */
function batchesOf(messages: readonly RelayMessage[]): RelayMessage[][] {
  const batches: RelayMessage[][] = [];
  let current: RelayMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = message.key.length + message.value.length;
    if (current.length === BATCH_SIZE || (current.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

async function timeRawProducer(
  kafka: Kafka,
  topic: string,
  batches: readonly RelayMessage[][],
): Promise<number> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    let firstAck: { at: number; count: number } | undefined;
    let sent = 0;
    for (const batch of batches) {
      await producer.send({ topic, acks: -1, messages: batch });
      sent += batch.length;
      firstAck ??= { at: performance.now(), count: batch.length };
    }
    if (firstAck === undefined) throw new Error('nothing to send');
    return (sent - firstAck.count) / ((performance.now() - firstAck.at) / 1000);
  } finally {
    await producer.disconnect();
  }
}

/** Kafka's `ProducerPerformance` from the jars `infra/kafka/kafka.sh fetch` caches; undefined without java/jars. */
async function producerPerformance(
  brokers: readonly string[],
  topic: string,
  records: number,
  recordSize: number,
): Promise<Rate | undefined> {
  const libs = await kafkaLibs();
  if (libs === undefined) return undefined;
  const args = [
    '-Xmx512m',
    '-cp',
    `${libs}/*`,
    `-Dlog4j2.configurationFile=${resolve(repoRoot, 'infra/kafka/log4j2.properties')}`,
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    topic,
    '--num-records',
    String(records),
    '--record-size',
    String(recordSize),
    '--throughput',
    '-1',
    '--bootstrap-server',
    brokers.join(','),
    '--command-property',
    'acks=all',
  ];
  const output = await run(process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin/java') : 'java', args);
  if (output === undefined) return undefined;
  // "20000 records sent, 11210.76 records/sec (10.95 MB/sec), 109.57 ms avg latency, 528.00 ms max latency,
  //  90 ms 50th, 251 ms 95th, 263 ms 99th, 278 ms 99.9th."
  const summary = output
    .split('\n')
    .find((line) => line.startsWith(`${records} records sent`) && line.includes('99th'));
  const match = summary?.match(/records sent, ([\d.]+) records\/sec.*?(\d+) ms 50th.*?(\d+) ms 99th/);
  if (!match) throw new Error(`no ProducerPerformance summary line in:\n${output.slice(-2000)}`);
  const perSecond = Number(match[1]);
  return { perSecond, range: [perSecond, perSecond], p50Ms: Number(match[2]), p99Ms: Number(match[3]) };
}

const repoRoot = resolve(import.meta.dirname, '../../..');

async function kafkaLibs(): Promise<string | undefined> {
  const pom = await readFile(resolve(repoRoot, 'infra/kafka/pom.xml'), 'utf8');
  const version = pom.match(/<kafka\.version>([^<]+)<\/kafka\.version>/)?.[1];
  if (version === undefined) return undefined;
  const cache =
    process.env.ONESTOP_KAFKA_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'onestop');
  const libs = join(cache, `kafka-${version}`, 'libs');
  const complete = () =>
    access(join(libs, '.complete')).then(
      () => true,
      () => false,
    );
  if (!(await complete())) {
    await run('bash', [resolve(repoRoot, 'infra/kafka/kafka.sh'), 'fetch']).catch(() => undefined);
  }
  return (await complete()) ? libs : undefined;
}

/**
 * Runs a command to completion and returns its stdout + stderr; undefined when the command does not exist. A
 * non-zero exit throws with the end of its output: a broken reference run must not pass silently.
 */
function run(command: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.on('error', (error) => {
      if ('code' in error && error.code === 'ENOENT') done(undefined);
      else fail(error);
    });
    child.on('close', (code) => {
      if (code === 0) done(output);
      else fail(new Error(`${command} exited with ${code}:\n${output.slice(-2000)}`));
    });
  });
}

// ── (b) end-to-end latency at a steady rate ──────────────────────────────────────────────────────────────────

async function endToEndLatency(
  options: MessagingBenchOptions,
  kafka: Kafka,
  url: string,
  newTopic: (what: string) => Promise<string>,
): Promise<BenchResult> {
  const { log, rate, latencyMs } = options;
  const total = Math.round((rate * latencyMs) / 1000);

  log(
    `raw kafkajs produce → consume at ${rate} events/s for ${RAMP_MS / 1000} + ${latencyMs / 1000} s (ramp, measured)`,
  );
  const rawTopic = await newTopic('e2e-kafkajs');
  await settleDisk();
  const raw = await rawEndToEnd(kafka, options.brokers, rawTopic, rate, total);

  log(
    `append → relay → Kafka → consumer handler at ${rate} events/s for ${RAMP_MS / 1000} + ${latencyMs / 1000} s (ramp, measured)`,
  );
  const topic = await newTopic('e2e');
  await settleDisk();
  const ours = await ourEndToEnd(options, url, topic, rate, total);

  return {
    name: `append → relay → Kafka → handler row (${rate.toLocaleString('en-US')} events/s open loop, p99)`,
    value: round(ours.p99Ms, 1),
    unit: 'ms',
    baseline: `raw kafkajs produce → consume (same rate, acks=all, p99)`,
    baselineValue: round(raw.p99Ms, 1),
    ratio: round(raw.p99Ms / ours.p99Ms, 3),
    p50Ms: round(ours.p50Ms, 1),
    p99Ms: round(ours.p99Ms, 1),
    note: `latency from the scheduled append time (no coordinated omission), after ${RAMP_MS / 1000} s at the rate unmeasured; ratio = baseline p99 ÷ ours (higher is better); kafkajs p50 ${round(raw.p50Ms, 1)} ms (produce alone p50/p99 ${round(raw.produce.p50Ms, 1)} / ${round(raw.produce.p99Ms, 1)} ms); of ours, the append alone p50/p99 ${round(ours.append.p50Ms, 1)} / ${round(ours.append.p99Ms, 1)} ms; ${CONSUMER_CONCURRENCY} partitions consumed concurrently; load, appends and relay in one process, the consumer in another (src/e2e-consumer.ts), as deployed`,
  };
}

/**
 * Events of the first seconds at the steady rate, sent but not measured: on this machine both pipelines, ours and
 * raw kafkajs alike, stalled for 150–570 ms within the first second at the rate (new topic, fresh connections
 * and code paths warming up) and ran at 10–120 ms per-second maxima after it; the measure is of the steady state.
 */
const RAMP_MS = 3_000;
const rampEvents = (rate: number) => Math.round((rate * RAMP_MS) / 1000);

interface Latencies {
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/**
 * Fires `start(i)` at `t0 + i / rate` whether or not earlier ones finished (open loop), and returns the scheduled
 * times so latencies are measured from when the work was due, not from when it happened to start.
 */
async function openLoop(rate: number, total: number, start: (i: number) => Promise<void>): Promise<number[]> {
  const scheduled: number[] = [];
  const inFlight: Promise<void>[] = [];
  const t0 = performance.now() + 5;
  let i = 0;
  while (i < total) {
    const now = performance.now();
    while (i < total && t0 + (i * 1000) / rate <= now) {
      scheduled.push(t0 + (i * 1000) / rate);
      inFlight.push(start(i));
      i++;
    }
    if (i < total) await sleep(Math.max(0, t0 + (i * 1000) / rate - performance.now()));
  }
  await Promise.all(inFlight);
  return scheduled;
}

async function ourEndToEnd(
  options: MessagingBenchOptions,
  url: string,
  topic: string,
  rate: number,
  total: number,
): Promise<Latencies & { readonly append: Latencies }> {
  // A schema of its own: the relay must start at an empty store, not behind the throughput measure's events.
  const schema = 'e2e_bench';
  const store = postgresEventStore({ connectionString: url, schema });
  await store.ready();
  const [setup] = await clients(url, 1);
  if (!setup) throw new Error('no client');
  await setup.query(
    `create table if not exists ${schema}.bench_effects (event_id uuid primary key, applied_at timestamptz not null default now())`,
  );
  await setup.end();

  const applied = new Map<string, number>();
  const appended = new Map<string, number>();
  let onApplied: () => void = () => {};
  const relay = startRelay({
    store,
    kafka: { brokers: options.brokers, clientId: 'bench-e2e-relay' },
    source: 'bench-e2e',
    checkpointStore: { connectionString: url, schema },
    topic,
    logger: silentLogger,
  });
  const consumer = consumerProcess(
    [
      'ours',
      options.brokers.join(','),
      topic,
      `bench-e2e-${topic}`,
      String(CONSUMER_CONCURRENCY),
      url,
      schema,
    ],
    (id, at) => {
      applied.set(id, at);
      onApplied();
    },
  );
  const append = (eventId: string, i: number) => {
    const dossierId = randomUUID();
    return store
      .appendToStream(
        `dossier-${dossierId}`,
        [{ eventId, type: 'DossierReceived', data: payload(i), metadata: metadataOf(dossierId) }],
        { expectedVersion: 'no_stream' },
      )
      .then(() => {
        appended.set(eventId, performance.now());
      });
  };
  const until = (count: number, what: string) =>
    withTimeout(
      new Promise<void>((resolve) => {
        onApplied = () => {
          if (applied.size >= count) resolve();
        };
        onApplied();
      }),
      60_000,
      () => `${what}: ${applied.size} of ${count} events applied`,
      consumer.failed,
    );
  try {
    // Warm-up: the group has its partitions and every connection is open before the clock starts.
    const warmup = Array.from({ length: 100 }, () => randomUUID());
    await Promise.all(warmup.map((id, i) => append(id, i)));
    await until(warmup.length, 'warm-up');

    const ramp = rampEvents(rate);
    const ids = Array.from({ length: ramp + total }, () => randomUUID());
    const scheduled = await openLoop(rate, ramp + total, (i) => append(ids[i] ?? randomUUID(), i));
    await until(warmup.length + ramp + total, 'measured run');
    const measured = (at: Map<string, number>) =>
      summarize(ids.slice(ramp).map((id, i) => (at.get(id) ?? Number.NaN) - (scheduled[ramp + i] ?? 0)));
    return { ...measured(applied), append: measured(appended) };
  } finally {
    await consumer.stop();
    await relay.stop();
    await store.close();
  }
}

async function rawEndToEnd(
  kafka: Kafka,
  brokers: readonly string[],
  topic: string,
  rate: number,
  total: number,
): Promise<Latencies & { readonly produce: Latencies }> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const received = new Map<number, number>();
  const produced = new Map<number, number>();
  let onReceived: () => void = () => {};
  await producer.connect();
  const consumer = consumerProcess(
    ['raw', brokers.join(','), topic, `bench-raw-${topic}`, String(CONSUMER_CONCURRENCY)],
    (seq, at) => {
      received.set(Number(seq), at);
      onReceived();
    },
  );
  // Same shape as the relay's messages: a dossier key and the ~1 KB envelope.
  const send = (seq: number) => {
    const dossierId = randomUUID();
    const value = JSON.stringify({
      eventId: randomUUID(),
      type: 'DossierReceived',
      ...metadataOf(dossierId),
      streamId: `dossier-${dossierId}`,
      streamVersion: 0,
      recordedAt: new Date().toISOString(),
      data: payload(seq),
    });
    return producer
      .send({ topic, acks: -1, messages: [{ key: dossierId, value, headers: { seq: String(seq) } }] })
      .then(() => {
        produced.set(seq, performance.now());
      });
  };
  const until = (count: number, what: string) =>
    withTimeout(
      new Promise<void>((resolve) => {
        onReceived = () => {
          if (received.size >= count) resolve();
        };
        onReceived();
      }),
      60_000,
      () => `${what}: ${received.size} of ${count} messages consumed`,
      consumer.failed,
    );
  try {
    const warmup = 100;
    await Promise.all(Array.from({ length: warmup }, (_, i) => send(-1 - i)));
    await until(warmup, 'warm-up');
    const ramp = rampEvents(rate);
    const scheduled = await openLoop(rate, ramp + total, send);
    await until(warmup + ramp + total, 'measured run');
    const measured = (at: Map<number, number>) =>
      summarize(scheduled.slice(ramp).map((due, i) => (at.get(ramp + i) ?? Number.NaN) - due));
    return { ...measured(received), produce: measured(produced) };
  } finally {
    await consumer.stop();
    await producer.disconnect();
  }
}

interface ConsumerProcess {
  /** Rejects if the child exits before `stop`. */
  readonly failed: Promise<never>;
  readonly stop: () => Promise<void>;
}

/**
 * Starts src/e2e-consumer.ts with `args` and calls `onApplied(id, at)` for each event it reports, `at` converted to
 * this process's `performance.now()` clock.
 */
function consumerProcess(
  args: readonly string[],
  onApplied: (id: string, at: number) => void,
): ConsumerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/e2e-consumer.ts', ...args], {
    cwd: benchDir,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [id, epochMs] = line.split(' ');
    if (id !== undefined && epochMs !== undefined) onApplied(id, Number(epochMs) - performance.timeOrigin);
  });
  let stopping = false;
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const failed = exited.then((code) => {
    throw new Error(`the consumer process exited with code ${code}${stopping ? ' while stopping' : ''}`);
  });
  // Only a race reads `failed`: an exit after `stop` must not surface as an unhandled rejection.
  failed.catch(() => {});
  return {
    failed,
    async stop() {
      stopping = true;
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      if (code !== 0) throw new Error(`the consumer process exited with code ${code} on stop`);
    },
  };
}

function summarize(latencies: readonly number[]): Latencies {
  if (latencies.some((ms) => Number.isNaN(ms))) throw new Error('some events were never applied');
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
}

// ── helpers ──────────────────────────────────────────────────────────────────────────────────────────────────

function rateOf(rates: readonly number[]): Rate {
  return { perSecond: median(rates), range: [Math.min(...rates), Math.max(...rates)], p50Ms: 0, p99Ms: 0 };
}

async function deleteTopics(admin: Admin, topics: readonly string[]): Promise<void> {
  if (topics.length === 0) return;
  await admin.deleteTopics({ topics: [...topics] }).catch(() => {});
  // Only the end-to-end topics have groups; kafkajs deletes the groups that exist and then reports the others.
  await admin.deleteGroups(topics.flatMap((t) => [`bench-e2e-${t}`, `bench-raw-${t}`])).catch(() => {});
}

function fmtCount(n: number): string {
  return n >= 1000 ? `${Math.round(n / 1000)}k` : String(n);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `what` is called at the timeout, so it can report progress made until then; `failed` rejects early. */
async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  what: () => string,
  failed: Promise<never> = new Promise(() => {}),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      failed,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms (${what()})`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
