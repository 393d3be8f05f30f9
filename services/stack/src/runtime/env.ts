/**
 * The environment every service reads in stack mode, as zod shapes each `main.ts` spreads into its own schema
 * (its composition root stays the only place that reads the environment). The launcher sets these for its children.
 */
import { authEnvShape } from '@onestop/service-kit';
import { z } from 'zod';

const flag = z.enum(['0', '1']);

/** PostgreSQL schema names we create: lower-case identifiers that need no quoting. */
export const schemaName = z.string().regex(/^[a-z_][a-z0-9_]{0,59}$/, 'a lower-case SQL identifier');

export interface StackServiceDefaults {
  /** The port in `pnpm start:stack` (intake 3001, digitization 3002, …). */
  readonly port: number;
  /** The service's own PostgreSQL schema (the service name with `_` for `-`). */
  readonly schema: string;
}

export function stackServiceEnvShape(defaults: StackServiceDefaults) {
  return {
    PORT: z.coerce.number().int().min(0).max(65535).default(defaults.port),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: z.url(),
    DATABASE_SCHEMA: schemaName.default(defaults.schema),
    KAFKA_BROKERS: z
      .string()
      .min(1)
      .default('127.0.0.1:9092')
      .transform((list) => list.split(',').map((broker) => broker.trim())),
    /** Never in production: serves `POST /v1/dev/clock` (DESIGN.md section 5). */
    ONESTOP_TEST_CLOCK: flag.default('0'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ...authEnvShape,
  };
}

/** For services that consume the dossier topic. */
export function stackConsumerEnvShape(defaults: { readonly groupId: string }) {
  return {
    KAFKA_GROUP_ID: z.string().min(1).default(defaults.groupId),
    /**
     * Where a group with no offsets in PostgreSQL starts: `1` (default) reads the whole topic (it keeps
     * everything); `0` starts at its end, for a throw-away stack sharing a broker whose history is not its own.
     */
    KAFKA_FROM_BEGINNING: flag.default('1'),
  };
}
