/**
 * Operator commands (docs/operations.md): `tsx packages/messaging/src/cli.ts <command> [--option value]`.
 * Connection defaults come from DATABASE_URL and KAFKA_BROKERS. Every command prints JSON.
 */
import { parseArgs } from 'node:util';
import { parseOrThrow } from '@onestop/domain';
import { postgresEventStore } from '@onestop/event-store';
import { z } from 'zod';
import { listDeadLetters, replayDeadLetter } from './consumer/dead-letters.js';
import { InvalidMessagingOption } from './errors.js';
import { consumerLag, deadLetterCounts, topicMessageCount, watermarkLagOf } from './metrics.js';
import { relayLag, resetRelayCheckpoint } from './relay/tools.js';
import { DOSSIER_EVENTS_TOPIC, deadLetterTopicOf } from './topics.js';

const usage = `commands:
  relay-lag          --schema S [--source intake]       events the relay has not yet published
  watermark-lag      --schema S                         events committed but held back by an older writer
  consumer-lag       --schema S --group G [--topic T]   per partition: next offset (PostgreSQL), end, lag
  dead-letter-counts --schema S --group G               dead letters this consumer produced, by error code
  dlq-count          [--topic T]                        messages on {T}.dlq
  dlq-list           [--topic T] [--limit N]            dead letters with their headers
  dlq-replay         [--topic T] --partition P --offset O   publish one dead letter again to its topic
  reseed             --schema S [--source intake]       forget the relay checkpoint (stop every relay first)
options: --database URL (default $DATABASE_URL), --brokers h:p,h:p (default $KAFKA_BROKERS)`;

const Args = z.object({
  command: z.enum([
    'relay-lag',
    'watermark-lag',
    'consumer-lag',
    'dead-letter-counts',
    'dlq-count',
    'dlq-list',
    'dlq-replay',
    'reseed',
  ]),
  database: z.string().min(1).optional(),
  brokers: z.string().min(1).optional(),
  schema: z.string().min(1).optional(),
  source: z.string().min(1).default('intake'),
  group: z.string().min(1).optional(),
  topic: z.string().min(1).default(DOSSIER_EVENTS_TOPIC),
  partition: z.coerce.number().int().nonnegative().optional(),
  offset: z.string().regex(/^\d+$/).optional(),
  limit: z.coerce.number().int().positive().default(100),
});

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) {
    throw InvalidMessagingOption(`--${name} is required\n${usage}`, { details: { option: name } });
  }
  return value;
}

async function main(): Promise<unknown> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: Object.fromEntries(
      ['database', 'brokers', 'schema', 'source', 'group', 'topic', 'partition', 'offset', 'limit'].map(
        (name) => [name, { type: 'string' as const }],
      ),
    ),
  });
  const args = parseOrThrow(Args, { ...values, command: positionals[0] }, `command line\n${usage}`);
  const connectionString = () => required(args.database ?? process.env.DATABASE_URL, 'database');
  const kafka = () => ({
    brokers: required(args.brokers ?? process.env.KAFKA_BROKERS, 'brokers')
      .split(',')
      .map((b) => b.trim()),
  });
  const location = () => ({ connectionString: connectionString(), schema: required(args.schema, 'schema') });
  const dlq = deadLetterTopicOf(args.topic);

  switch (args.command) {
    case 'relay-lag':
    case 'watermark-lag': {
      const store = postgresEventStore(location());
      try {
        return args.command === 'relay-lag'
          ? await relayLag({ store, checkpointStore: location(), source: args.source })
          : await watermarkLagOf(store);
      } finally {
        await store.close();
      }
    }
    case 'consumer-lag':
      return consumerLag({
        kafka: kafka(),
        database: location(),
        groupId: required(args.group, 'group'),
        topic: args.topic,
      });
    case 'dead-letter-counts':
      return deadLetterCounts({ database: location(), groupId: required(args.group, 'group') });
    case 'dlq-count':
      return { topic: dlq, messages: await topicMessageCount({ kafka: kafka(), topic: dlq }) };
    case 'dlq-list':
      return listDeadLetters({ kafka: kafka(), deadLetterTopic: dlq, limit: args.limit });
    case 'dlq-replay':
      return replayDeadLetter({
        kafka: kafka(),
        deadLetterTopic: dlq,
        partition: required(args.partition, 'partition'),
        offset: required(args.offset, 'offset'),
      });
    case 'reseed':
      return resetRelayCheckpoint({ checkpointStore: location(), source: args.source });
  }
}

main().then(
  (result) => {
    process.stdout.write(
      `${JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`,
    );
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
