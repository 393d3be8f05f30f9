import { isDomainError } from '@onestop/domain';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigInvalid, loadConfig } from './config.js';

const schema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  DATABASE_URL: z.url(),
  KAFKA_BROKERS: z.string().min(1),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn']).default('info'),
});

function failure(env: Record<string, string>): unknown {
  try {
    loadConfig(schema, env);
  } catch (error) {
    return error;
  }
  throw new Error('expected loadConfig to fail');
}

describe('loadConfig', () => {
  it('given a valid env, then it returns typed values with coercions and defaults', () => {
    const config = loadConfig(schema, {
      DATABASE_URL: 'postgres://db/onestop',
      KAFKA_BROKERS: 'k:9092',
      PORT: '8080',
    });
    expect(config).toEqual({
      PORT: 8080,
      DATABASE_URL: 'postgres://db/onestop',
      KAFKA_BROKERS: 'k:9092',
      LOG_LEVEL: 'info',
    });
  });

  it('given missing and bad variables, then one validation error names each on its own line', () => {
    const error = failure({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'postgres://db/x' });
    expect(isDomainError(error) && error.kind).toBe('validation');
    expect(ConfigInvalid.is(error)).toBe(true);
    if (!ConfigInvalid.is(error)) return;
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('invalid configuration:');
    expect(lines.slice(1).map((line) => line.split(':')[0])).toEqual([
      '  - PORT',
      '  - KAFKA_BROKERS',
      '  - LOG_LEVEL',
    ]);
    expect(lines).toContain('  - KAFKA_BROKERS: missing');
    expect(error.details.issues.map((i) => i.path)).toEqual(['PORT', 'KAFKA_BROKERS', 'LOG_LEVEL']);
  });

  it('given a bad secret-like value, then the message does not echo it', () => {
    const error = failure({ DATABASE_URL: 'not a url with password hunter2', KAFKA_BROKERS: 'k' });
    expect(error).toBeInstanceOf(Error);
    expect(String(error instanceof Error && error.message)).toMatch(/DATABASE_URL: /);
    expect(String(error instanceof Error && error.message)).not.toContain('hunter2');
  });

  it('given no env argument, then process.env is read', () => {
    expect(loadConfig(z.object({ PATH: z.string() })).PATH).toBe(process.env.PATH);
  });
});
