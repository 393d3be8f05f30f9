/**
 * A server under load for the HTTP bench, in a process of its own so the load generator does not share its event
 * loop: `node --import tsx src/http-target.ts <baseline|intake-pg|embedded>`. Prints `{"port":N}` on stdout once
 * it listens on 127.0.0.1; closes cleanly on SIGTERM.
 * Env: BENCH_DATABASE_URL (baseline, intake-pg), BENCH_DATA_DIR (embedded), BENCH_JWT_SECRET (intake-pg, embedded),
 * BENCH_BASELINE_TABLE (baseline).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { demoCatalog } from '@onestop/catalog';
import { postgresEventStore } from '@onestop/event-store';
import { buildApp, createPseudonyms, postgresPersonalDataVault } from '@onestop/intake';
import { startEmbedded } from '@onestop/runner';
import { systemClock, uuidv7Ids } from '@onestop/service-kit';
import Fastify from 'fastify';
import pg from 'pg';
import { z } from 'zod';
import { payloadPool } from './harness.js';

const env = z
  .object({
    BENCH_DATABASE_URL: z.string().optional(),
    BENCH_DATA_DIR: z.string().optional(),
    BENCH_JWT_SECRET: z.string().min(32).optional(),
    BENCH_BASELINE_TABLE: z
      .string()
      .regex(/^[a-z_]+$/)
      .default('http_baseline'),
  })
  .parse(process.env);
const mode = z.enum(['baseline', 'intake-pg', 'embedded']).parse(process.argv[2]);

function required(value: string | undefined, name: string): string {
  if (value === undefined) throw new Error(`${name} is required for ${mode}`);
  return value;
}

interface Server {
  listen(options: { port: number; host: string }): Promise<string>;
  readonly server: { address(): unknown };
}

async function start(): Promise<{ server: Server; close: () => Promise<void> }> {
  if (mode === 'baseline') return baseline(required(env.BENCH_DATABASE_URL, 'BENCH_DATABASE_URL'));
  const jwtSecret = required(env.BENCH_JWT_SECRET, 'BENCH_JWT_SECRET');
  if (mode === 'embedded') {
    const system = await startEmbedded({
      dataDir: required(env.BENCH_DATA_DIR, 'BENCH_DATA_DIR'),
      jwtSecret,
      logger: false,
    });
    return { server: system.app, close: () => system.close() };
  }
  const store = postgresEventStore({
    connectionString: required(env.BENCH_DATABASE_URL, 'BENCH_DATABASE_URL'),
    schema: 'intake',
  });
  await store.ready();
  const masterKey = randomBytes(32);
  const vault = postgresPersonalDataVault({ db: store, masterKey, clock: systemClock });
  await vault.ready();
  const app = await buildApp(
    {
      store,
      clock: systemClock,
      ids: uuidv7Ids,
      catalog: demoCatalog,
      vault,
      pseudonyms: createPseudonyms(masterKey),
    },
    { auth: { mode: 'hs256', secret: jwtSecret }, logger: false },
  );
  return {
    server: app,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

/**
 * The floor any receive route stands on: fastify parses the JSON body and one INSERT of a ~1 KB JSON row (the
 * body plus padding) commits per request, over a pool as large as the event store's default (10).
 */
async function baseline(connectionString: string): Promise<{ server: Server; close: () => Promise<void> }> {
  const pool = new pg.Pool({ connectionString, max: 10 });
  const padding = payloadPool(64);
  const app = Fastify({ logger: false });
  let n = 0;
  app.post('/v1/intake/dossiers', async (request, reply) => {
    const id = randomUUID();
    const key = z.string().parse(request.headers['idempotency-key']);
    const row = { request: request.body, notes: padding[n++ % padding.length] };
    await pool.query({
      name: 'baseline-insert',
      text: `insert into ${env.BENCH_BASELINE_TABLE} (id, idempotency_key, body) values ($1, $2, $3)`,
      values: [id, key, row],
    });
    return reply.code(201).send({ id });
  });
  return {
    server: app,
    close: async () => {
      await app.close();
      await pool.end();
    },
  };
}

const { server, close } = await start();
await server.listen({ port: 0, host: '127.0.0.1' });
const address = z.object({ port: z.number() }).parse(server.server.address());
process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
process.once('SIGTERM', () => {
  close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
