import { afterEach, describe, expect, it, vi } from 'vitest';
import { databaseUrl, kafkaBrokers, testEnv } from './env.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('test environment', () => {
  it('given the unit project, then no server is configured (vitest.config.ts blanks both variables)', () => {
    expect(process.env.DATABASE_URL).toBe('');
    expect(process.env.KAFKA_BROKERS).toBe('');
    expect(() => testEnv()).toThrow(/is not set/);
  });

  it('given DATABASE_URL and KAFKA_BROKERS, when read, then the running services are used', () => {
    vi.stubEnv('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/onestop_test');
    vi.stubEnv('KAFKA_BROKERS', '127.0.0.1:9092, 127.0.0.1:9094');
    expect(testEnv()).toEqual({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/onestop_test',
      kafkaBrokers: ['127.0.0.1:9092', '127.0.0.1:9094'],
    });
  });

  it('given no DATABASE_URL, when a test asks for PostgreSQL, then the error names the commands that start it', () => {
    vi.stubEnv('DATABASE_URL', undefined);
    expect(() => databaseUrl()).toThrow(/^DATABASE_URL is not set\. Run the suite with `pnpm test`/);
    expect(() => databaseUrl()).toThrow('bash infra/postgres/ensure.sh');
  });

  it('given an empty KAFKA_BROKERS, when a test asks for Kafka, then the error names the command that starts it', () => {
    vi.stubEnv('KAFKA_BROKERS', '');
    expect(() => kafkaBrokers()).toThrow(/^KAFKA_BROKERS is not set\./);
    expect(() => kafkaBrokers()).toThrow('bash infra/kafka/kafka.sh start');
  });
});
