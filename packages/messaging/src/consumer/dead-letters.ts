/**
 * Dead letters: the original message (key, value, headers) on `{topic}.dlq`, with why and where from in
 * headers. Operators list them and replay one to its original topic once the cause is fixed.
 */
import { randomUUID } from 'node:crypto';
import { DLQ_HEADERS } from '@onestop/domain';
import { type IHeaders, Kafka, type KafkaMessage } from 'kafkajs';
import { DeadLetterNotFound, KafkaUnavailable } from '../errors.js';
import { kafkaLogCreator, type MessagingLogger, silentLogger } from '../logger.js';
import type { KafkaConnection } from '../relay/relay.js';

/** The domain's dead-letter headers, plus who gave up and after how many attempts. */
export const DEAD_LETTER_HEADERS = {
  ...DLQ_HEADERS,
  /** The consumer group that gave up on it. */
  consumerGroup: 'consumer-group',
  /** Handler attempts made; 0 when the message failed validation. */
  attempts: 'attempts',
} as const;

/** Set on a replayed message: where on the DLQ it came from. */
export const REPLAYED_FROM_HEADER = 'replayed-from';

export interface DeadLetter {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | undefined;
  readonly value: string | undefined;
  /** Every header as text (the DLQ headers and the original event headers). */
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Reads the whole dead-letter topic (up to `limit` messages), oldest first per partition. Meant for the small
 * volumes a DLQ should have; it uses a throw-away consumer group that it deletes afterwards.
 */
export async function listDeadLetters(options: {
  readonly kafka: KafkaConnection;
  readonly deadLetterTopic: string;
  readonly limit?: number;
  readonly timeoutMs?: number;
  readonly logger?: MessagingLogger;
}): Promise<DeadLetter[]> {
  const limit = options.limit ?? 10_000;
  const kafka = new Kafka({
    clientId: 'dlq-browser',
    brokers: [...options.kafka.brokers],
    logCreator: kafkaLogCreator(options.logger ?? silentLogger),
  });
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `dlq-browser-${randomUUID()}`;
  try {
    const ends = await admin.fetchTopicOffsets(options.deadLetterTopic);
    const remaining = new Map(
      ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)] as const),
    );
    const found: DeadLetter[] = [];
    if (remaining.size === 0) return found;
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: options.deadLetterTopic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              KafkaUnavailable(`reading ${options.deadLetterTopic} timed out`, {
                details: { topic: options.deadLetterTopic },
              }),
            ),
          options.timeoutMs ?? 30_000,
        );
        const finish = () => {
          clearTimeout(timer);
          resolve();
        };
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              const end = remaining.get(partition);
              if (end === undefined) return;
              if (found.length < limit) found.push(toDeadLetter(partition, message));
              if (BigInt(message.offset) + 1n >= end) remaining.delete(partition);
              if (remaining.size === 0 || found.length >= limit) finish();
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    return found.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  } finally {
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect();
  }
}

/**
 * Publishes the dead letter at `partition`/`offset` again to its original topic: same key and value, its
 * original headers, plus `replayed-from`. The consumer applies it like any other message (a dead letter never
 * entered the inbox), so replay after fixing the handler or the data. Replaying twice is harmless: the inbox
 * drops the second copy once the first was applied.
 */
export async function replayDeadLetter(options: {
  readonly kafka: KafkaConnection;
  readonly deadLetterTopic: string;
  readonly partition: number;
  readonly offset: string;
  readonly logger?: MessagingLogger;
}): Promise<{ topic: string; key: string | undefined }> {
  const letters = await listDeadLetters(options);
  const letter = letters.find((l) => l.partition === options.partition && l.offset === options.offset);
  const original = letter?.headers[DEAD_LETTER_HEADERS.originalTopic];
  if (letter === undefined || original === undefined) {
    throw DeadLetterNotFound(
      `no dead letter at ${options.deadLetterTopic}[${options.partition}]@${options.offset}`,
      { details: { topic: options.deadLetterTopic, partition: options.partition, offset: options.offset } },
    );
  }
  const dlqHeaderNames = new Set<string>(Object.values(DEAD_LETTER_HEADERS));
  const headers: IHeaders = Object.fromEntries(
    Object.entries(letter.headers).filter(
      ([name]) => !dlqHeaderNames.has(name) && name !== REPLAYED_FROM_HEADER,
    ),
  );
  headers[REPLAYED_FROM_HEADER] = `${options.deadLetterTopic}/${options.partition}/${options.offset}`;
  const kafka = new Kafka({
    clientId: 'dlq-replay',
    brokers: [...options.kafka.brokers],
    logCreator: kafkaLogCreator(options.logger ?? silentLogger),
  });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    await producer.send({
      topic: original,
      acks: -1,
      messages: [{ key: letter.key ?? null, value: letter.value ?? null, headers }],
    });
  } finally {
    await producer.disconnect();
  }
  return { topic: original, key: letter.key };
}

function toDeadLetter(partition: number, message: KafkaMessage): DeadLetter {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) headers[name] = first.toString();
  }
  return {
    partition,
    offset: message.offset,
    key: message.key?.toString(),
    value: message.value?.toString(),
    headers,
  };
}
