// @ts-check
/**
 * The relay's Kafka producer, on a thread of its own (see `producer-thread.ts` for why and for the protocol).
 * Plain JavaScript on purpose: a worker thread starts without the TypeScript loader its parent may have (vitest,
 * tsx), so this file must run as it is, under any of them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Kafka, logLevel } from 'kafkajs';

if (parentPort === null) throw new Error('producer-thread.mjs runs only as a worker thread');
const port = parentPort;

/** @type {{ brokers: string[], clientId: string }} */
const settings = workerData;

const kafka = new Kafka({
  clientId: settings.clientId,
  brokers: settings.brokers,
  // kafkajs's own log, errors only, goes to the parent's logger.
  logCreator:
    () =>
    ({ namespace, level, log }) => {
      if (level > logLevel.ERROR) return;
      const { message, ...fields } = log;
      port.postMessage({ kind: 'log', namespace, message: String(message), fields: plain(fields) });
    },
  connectionTimeout: 2_000,
  // Short inner retries: the relay's own loop retries forever and flips its readiness meanwhile.
  retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
});

/** @type {import('kafkajs').Producer | undefined} */
let producer;

async function connected() {
  if (producer) return producer;
  const created = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
  try {
    await created.connect();
  } catch (error) {
    await created.disconnect().catch(() => {});
    throw error;
  }
  producer = created;
  return created;
}

async function drop() {
  const old = producer;
  producer = undefined;
  await old?.disconnect().catch(() => {});
}

// One request at a time, in arrival order: the relay never has two in flight, and `drop` must not overtake a send.
let queue = Promise.resolve();

port.on(
  'message',
  (/** @type {{ id: number, kind: string, topic?: string, messages?: never[] }} */ request) => {
    queue = queue.then(async () => {
      try {
        if (request.kind === 'connect') await connected();
        else if (request.kind === 'send') {
          const p = await connected();
          await p.send({ topic: String(request.topic), acks: -1, messages: request.messages ?? [] });
        } else if (request.kind === 'drop') await drop();
        else if (request.kind === 'close') {
          await drop();
          port.postMessage({ kind: 'done', id: request.id });
          port.close();
          return;
        } else throw new Error(`unknown request ${request.kind}`);
        port.postMessage({ kind: 'done', id: request.id });
      } catch (error) {
        port.postMessage({
          kind: 'failed',
          id: request.id,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
      }
    });
  },
);

/** Log fields as plain data (kafkajs may put errors or buffers there, which do not all survive postMessage). */
function plain(/** @type {object} */ fields) {
  try {
    return JSON.parse(JSON.stringify(fields));
  } catch {
    return {};
  }
}
