import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { kafkaBrokers } from './env.js';
import { useScratchKafka } from './kafka.js';

const TOPIC = 'onestop.dossier-events.v1';

function client(brokers: string[]) {
  return new Kafka({
    clientId: `test-${randomUUID()}`,
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 8 },
  });
}

/** Consumes until `count` messages of `runId` arrived; commits after each one (autoCommit off, explicit commit). */
async function consumeRun(consumer: Consumer, runId: string, count: number): Promise<string[]> {
  const seen: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out with ${seen.length}/${count}`)), 30_000);
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          if (message.headers?.['run-id']?.toString() !== runId) return;
          seen.push(message.value?.toString() ?? '');
          await consumer.commitOffsets([
            { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
          ]);
          if (seen.length === count) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  return seen;
}

describe('the shared local broker', () => {
  const consumers: Consumer[] = [];
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.disconnect()));
  });

  it('has the dossier topic with 12 partitions and infinite retention, and its DLQ', async () => {
    const admin = client(kafkaBrokers()).admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [TOPIC, `${TOPIC}.dlq`] });
      expect(meta.topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual([
        [TOPIC, 12],
        [`${TOPIC}.dlq`, 12],
      ]);
      const configs = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: 2, name: TOPIC, configNames: ['retention.ms', 'cleanup.policy'] }],
      });
      const entries = Object.fromEntries(
        (configs.resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]),
      );
      expect(entries).toEqual({ 'retention.ms': '-1', 'cleanup.policy': 'delete' });
    } finally {
      await admin.disconnect();
    }
  });

  it('given a consumer group that committed half a run, when it restarts, then it resumes after its commit', async () => {
    const kafka = client(kafkaBrokers());
    const runId = randomUUID();
    const groupId = `test-group-${runId}`;
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    // One key: one partition, so "the first 5" and "the rest" are well defined.
    const send = (from: number, to: number) =>
      producer.send({
        topic: TOPIC,
        acks: -1,
        messages: Array.from({ length: to - from }, (_, i) => ({
          key: runId,
          value: `m${from + i}`,
          headers: { 'run-id': runId },
        })),
      });

    await send(0, 5);
    const first = kafka.consumer({ groupId });
    consumers.push(first);
    await first.connect();
    await first.subscribe({ topic: TOPIC, fromBeginning: true });
    expect(await consumeRun(first, runId, 5)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    await first.disconnect();
    consumers.splice(consumers.indexOf(first), 1);

    await send(5, 10);
    await producer.disconnect();
    const second = kafka.consumer({ groupId });
    consumers.push(second);
    await second.connect();
    await second.subscribe({ topic: TOPIC, fromBeginning: true });
    // fromBeginning only applies without a committed offset: the group resumes at m5, nothing is re-read.
    expect(await consumeRun(second, runId, 5)).toEqual(['m5', 'm6', 'm7', 'm8', 'm9']);
  });
});

describe('a broker that is killed and restarted (scratch broker)', () => {
  const scratch = useScratchKafka();

  it('keeps acknowledged messages across SIGKILL and serves them after restart; start twice reuses, stop leaves no process', async () => {
    const { brokers, dataDir } = scratch.current;
    const kafka = client(brokers);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const runId = randomUUID();
    await producer.send({
      topic: TOPIC,
      acks: -1,
      messages: Array.from({ length: 20 }, (_, i) => ({
        key: runId,
        value: `k${i}`,
        headers: { 'run-id': runId },
      })),
    });
    await producer.disconnect();

    await scratch.current.kill();
    expect(brokerProcesses(dataDir)).toEqual([]);
    await scratch.current.start();

    const consumer = kafka.consumer({ groupId: `scratch-${runId}` });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    try {
      const values = await consumeRun(consumer, runId, 20);
      expect(values).toEqual(Array.from({ length: 20 }, (_, i) => `k${i}`));
    } finally {
      await consumer.disconnect();
    }

    await scratch.current.start(); // idempotent: reuses the running broker
    expect(brokerProcesses(dataDir)).toHaveLength(1);
    await scratch.current.stop();
    expect(brokerProcesses(dataDir)).toEqual([]);
    await scratch.current.stop(); // idempotent: a stopped broker is no error
    expect(brokerProcesses(dataDir)).toEqual([]);
    await scratch.current.start();
  });
});

function brokerProcesses(dataDir: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes('kafka.Kafka') && line.includes(dataDir));
}
