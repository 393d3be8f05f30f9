/**
 * The relay's kafkajs producer runs on a worker thread. Measured (bench `messaging`, docs/decisions/0007): a
 * relay is CPU-bound on one thread, and kafkajs's request encoding is about two thirds of its work per event; the
 * other third is reading the store (row parsing) and building the envelopes. On one thread the two add up; on two
 * they overlap, the store is read while the previous batch is encoded and sent. The main thread keeps every
 * decision (retries, backoff, readiness, the lock, checkpoints); the thread only connects, sends and drops.
 *
 * Protocol: the parent posts `{ id, kind: 'connect' | 'send' | 'drop' | 'close', topic?, messages? }`, the thread
 * answers each with `{ id, kind: 'done' }` or `{ id, kind: 'failed', error }`, in order, and forwards kafkajs's
 * error log as `{ kind: 'log' }`. A thread that dies fails what was pending; the next request starts a new one.
 */
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import type { RelayMessage } from '../envelope.js';
import type { MessagingLogger } from '../logger.js';

export interface ProducerThreadOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: MessagingLogger;
}

export interface ProducerThread {
  /** Connects the producer if it is not (resolves when connected). */
  connect(): Promise<void>;
  /** Resolves when Kafka acknowledged every message (acks = all); rejects with the send's error. */
  send(topic: string, messages: readonly RelayMessage[]): Promise<void>;
  /** Disconnects the producer; the next `connect` or `send` makes a fresh one (new producer id). */
  drop(): Promise<void>;
  /** Disconnects and ends the thread. */
  close(): Promise<void>;
}

const reply = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('done'), id: z.number() }),
  z.object({ kind: z.literal('failed'), id: z.number(), error: z.string() }),
  z.object({
    kind: z.literal('log'),
    namespace: z.string().optional(),
    message: z.string(),
    fields: z.record(z.string(), z.unknown()),
  }),
]);

const workerFile = new URL('./producer-thread.mjs', import.meta.url);

export function startProducerThread(options: ProducerThreadOptions): ProducerThread {
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();

  function failPending(error: Error): void {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  }

  function running(): Worker {
    if (worker) return worker;
    const started = new Worker(workerFile, {
      workerData: { brokers: [...options.brokers], clientId: options.clientId },
    });
    started.on('message', (raw: unknown) => {
      const message = reply.parse(raw);
      if (message.kind === 'log') {
        options.logger.error(
          { namespace: message.namespace, ...message.fields },
          `kafkajs: ${message.message}`,
        );
        return;
      }
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.kind === 'done') waiting?.resolve();
      else waiting?.reject(new Error(message.error));
    });
    const gone = (error: Error) => {
      if (worker === started) worker = undefined;
      failPending(error);
    };
    started.on('error', (error) => gone(new Error(`relay producer thread failed: ${error.message}`)));
    started.on('exit', (code) => gone(new Error(`relay producer thread exited (code ${code})`)));
    worker = started;
    return started;
  }

  function request(kind: 'connect' | 'send' | 'drop' | 'close', fields: object = {}): Promise<void> {
    const id = nextId++;
    const target = running();
    return new Promise<void>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      target.postMessage({ id, kind, ...fields });
    });
  }

  return {
    connect: () => request('connect'),
    send: (topic, messages) => request('send', { topic, messages }),
    drop: () => (worker === undefined ? Promise.resolve() : request('drop')),
    async close() {
      const current = worker;
      if (current === undefined) return;
      await request('close').catch(() => undefined);
      // The thread exits once its port closes; terminate is the backstop for one stuck in a disconnect.
      await current.terminate();
    },
  };
}
