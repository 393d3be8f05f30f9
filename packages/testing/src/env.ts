/**
 * Where tests find PostgreSQL and Kafka: one place for every test. The running services named by
 * `DATABASE_URL` / `KAFKA_BROKERS` (set by `pnpm test` via scripts/test.sh, and by .ci/run); otherwise, where a
 * Docker engine answers, containers that `global-setup.ts` started and put in these same variables; otherwise a
 * clear failure that says which command starts them.
 */
export interface TestEnv {
  /** Connection string of the test database (a fresh schema per test file is created in it). */
  readonly databaseUrl: string;
  /** Kafka bootstrap servers, `host:port` strings. */
  readonly kafkaBrokers: string[];
}

const howToStart =
  'Run the suite with `pnpm test` (it starts PostgreSQL and Kafka), or start them yourself with ' +
  '`bash infra/postgres/ensure.sh && bash infra/kafka/kafka.sh start` and export ' +
  'DATABASE_URL=postgres://postgres@127.0.0.1:5432/onestop_test KAFKA_BROKERS=127.0.0.1:9092 ' +
  '(on a machine with a Docker engine, the int and e2e projects start both in containers instead).';

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error(`DATABASE_URL is not set. ${howToStart}`);
  return url;
}

export function kafkaBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error(`KAFKA_BROKERS is not set. ${howToStart}`);
  return brokers.split(',').map((b) => b.trim());
}

export function testEnv(): TestEnv {
  return { databaseUrl: databaseUrl(), kafkaBrokers: kafkaBrokers() };
}
