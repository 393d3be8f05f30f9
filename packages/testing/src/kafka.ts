import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Admin, ITopicConfig } from 'kafkajs';
import { afterAll, beforeAll } from 'vitest';

const run = promisify(execFile);
const script = resolve(import.meta.dirname, '../../../infra/kafka/kafka.sh');

/**
 * A broker of its own for tests that stop, kill or restart Kafka: the shared broker on 9092 serves every other
 * test file at the same time, so faults are injected into a scratch broker on other ports with its own data dir.
 */
export interface ScratchKafka {
  readonly brokers: string[];
  readonly dataDir: string;
  /** Starts (or restarts) the broker and waits until it answers and the topics exist. */
  start(): Promise<void>;
  /** Graceful stop (SIGTERM, then SIGKILL after 30 s). */
  stop(): Promise<void>;
  /** SIGKILL, as a crash or power cut would. */
  kill(): Promise<void>;
  /** Stops the broker and removes its data. */
  destroy(): Promise<void>;
}

let nextPort = 19092 + (process.pid % 400) * 2;

export async function createScratchKafka(): Promise<ScratchKafka> {
  const dataDir = await mkdtemp(join(tmpdir(), 'onestop-kafka-'));
  const port = nextPort;
  nextPort += 2;
  const env = {
    ...process.env,
    ONESTOP_KAFKA_DATA: dataDir,
    ONESTOP_KAFKA_PORT: String(port),
    ONESTOP_KAFKA_CONTROLLER_PORT: String(port + 1),
    KAFKA_HEAP_OPTS: '-Xms128m -Xmx384m',
  };
  const kafka = (command: string) => run('bash', [script, command], { env, timeout: 120_000 });
  return {
    brokers: [`127.0.0.1:${port}`],
    dataDir,
    start: async () => void (await kafka('start')),
    stop: async () => void (await kafka('stop')),
    kill: async () => void (await kafka('kill')),
    destroy: async () => {
      await kafka('stop');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A scratch broker started before the enclosing file's tests and destroyed after them; read `.current` in tests. */
export function useScratchKafka(): { readonly current: ScratchKafka } {
  let kafka: ScratchKafka | undefined;
  beforeAll(async () => {
    kafka = await createScratchKafka();
    await kafka.start();
  }, 120_000);
  afterAll(async () => {
    await kafka?.destroy();
  }, 60_000);
  return {
    get current(): ScratchKafka {
      if (!kafka) throw new Error('useScratchKafka: read .current inside a test or hook');
      return kafka;
    },
  };
}

/**
 * Creates `topics` and waits until every partition has a leader in the metadata the broker serves. kafkajs's own
 * `waitForLeaders` retries only LEADER_NOT_AVAILABLE, but a KRaft broker busy with other files' topics can answer
 * UNKNOWN_TOPIC_OR_PARTITION for a moment after the create returned (seen in CI), which failed whole spec files.
 */
export async function createTopicsReady(admin: Admin, topics: readonly ITopicConfig[], timeoutMs = 30_000) {
  await admin.createTopics({ waitForLeaders: false, topics: [...topics] });
  const names = topics.map((t) => t.topic);
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no metadata yet';
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: names });
      const waiting = found.filter(
        (t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0),
      );
      if (waiting.length === 0 && found.length === names.length) return;
      lastProblem = `no leader yet for ${waiting.map((t) => t.name).join(', ')}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline)
      throw new Error(`topics ${names.join(', ')} not ready after ${timeoutMs} ms: ${lastProblem}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
