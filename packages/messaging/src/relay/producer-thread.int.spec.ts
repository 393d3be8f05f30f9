/**
 * The relay's producer thread on its own, against the shared broker: what it acknowledges is on the topic, a
 * broker it cannot reach fails the send (the relay then retries), and after a drop or a close the next request
 * gets a working producer again.
 */
import { kafkaBrokers } from '@onestop/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { RelayMessage } from '../envelope.js';
import { createTestTopic } from '../fixtures/dossier-events.js';
import { type MessagingLogger, silentLogger } from '../logger.js';
import { topicMessageCount } from '../metrics.js';
import { startProducerThread } from './producer-thread.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

const messages = (from: number, count: number): RelayMessage[] =>
  Array.from({ length: count }, (_, i) => ({
    key: `dossier-${(from + i) % 7}`,
    value: JSON.stringify({ n: from + i }),
    headers: { 'event-id': `e-${from + i}` },
  }));

const topicMessages = (topic: string) => topicMessageCount({ kafka: { brokers: kafkaBrokers() }, topic });

describe('the relay producer thread', () => {
  it('given a reachable broker, when batches are sent, then each resolves once Kafka holds them, also after a drop and after a close', async () => {
    const topic = await createTestTopic(kafkaBrokers(), 3);
    cleanups.push(() => topic.drop());
    const thread = startProducerThread({
      brokers: kafkaBrokers(),
      clientId: 'thread-spec',
      logger: silentLogger,
    });
    cleanups.push(() => thread.close());

    await thread.connect();
    await thread.send(topic.topic, messages(0, 50));
    expect(await topicMessages(topic.topic)).toBe(50);

    await thread.drop();
    await thread.send(topic.topic, messages(50, 25));
    expect(await topicMessages(topic.topic)).toBe(75);

    // A closed thread is gone; the next request starts a new one.
    await thread.close();
    await thread.send(topic.topic, messages(75, 5));
    expect(await topicMessages(topic.topic)).toBe(80);
  });

  it('given a broker that does not answer, when a batch is sent, then the send rejects with the connection error and kafkajs errors reach the logger', async () => {
    const logged: string[] = [];
    const logger: MessagingLogger = {
      info: () => {},
      warn: () => {},
      error: (_fields, message) => logged.push(message),
    };
    // Port 9 (discard) on 127.0.0.1: nothing listens there on these machines.
    const thread = startProducerThread({ brokers: ['127.0.0.1:9'], clientId: 'thread-spec-down', logger });
    cleanups.push(() => thread.close());
    await expect(thread.send('any-topic', messages(0, 1))).rejects.toThrow(/ECONNREFUSED|Connection/);
    expect(logged.some((message) => message.startsWith('kafkajs: '))).toBe(true);
  });
});
