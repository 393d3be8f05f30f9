/**
 * Child process of the messaging bench's end-to-end latency measure: the consuming side, in a process of its own
 * as it is deployed (the projection consumes in its own service, not in the process that appends and relays), so
 * the load generator's and the relay's work do not delay the consumer's event loop and the other way round.
 *
 * Modes:
 * - `ours`: `startKafkaConsumer` with a handler inserting one effect row, effects, inbox and offsets in one
 *   transaction; reports each event once its transaction committed;
 * - `raw`: a plain kafkajs consumer (the baseline); reports each message as it is handed over.
 *
 * Prints one line per event, `<id> <epoch ms>` (epoch with sub-millisecond precision, `performance.timeOrigin +
 * performance.now()`, comparable with the parent's clock on the same machine), and stops when its stdin closes.
 *
 * Usage: tsx src/e2e-consumer.ts ours|raw <brokers, comma-separated> <topic> <group> <concurrency> [<connection
 * string> <schema>]
 */
import { parseEnvelope, silentLogger, startKafkaConsumer } from '@onestop/messaging';
import { Kafka, logLevel } from 'kafkajs';

const [mode, brokerList, topic, groupId, concurrencyText, connectionString, schema] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
if (
  (mode !== 'ours' && mode !== 'raw') ||
  !brokerList ||
  !topic ||
  !groupId ||
  !Number.isInteger(concurrency)
) {
  throw new Error(
    'usage: e2e-consumer ours|raw <brokers> <topic> <group> <concurrency> [<connection string> <schema>]',
  );
}
const brokers = brokerList.split(',');
const now = () => performance.timeOrigin + performance.now();
const report = (id: string): void => {
  process.stdout.write(`${id} ${now()}\n`);
};

let stop: () => Promise<void>;
if (mode === 'ours') {
  if (!connectionString || !schema) throw new Error('ours needs <connection string> <schema>');
  const consumer = await startKafkaConsumer({
    kafka: { brokers, clientId: 'bench-e2e-consumer' },
    groupId,
    topic,
    database: { connectionString, schema },
    parse: parseEnvelope,
    handler: async (event, tx) => {
      await tx.query('insert into bench_effects (event_id) values ($1)', [event.eventId]);
    },
    partitionsConsumedConcurrently: concurrency,
    logger: silentLogger,
    afterCommit: (message) => report(message.eventId),
  });
  stop = () => consumer.stop();
} else {
  const kafka = new Kafka({ clientId: 'bench-raw-consumer', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: concurrency,
    eachMessage: async ({ message }) => {
      report(message.headers?.seq?.toString() ?? '?');
    },
  });
  stop = () => consumer.disconnect();
}

process.stdin.resume();
process.stdin.on('end', () => {
  void stop().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`e2e-consumer: stop failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
});
