/**
 * `pnpm start:stack`: PostgreSQL and Kafka made sure of, then every service in its own process and the gateway
 * in front (the composition root of stack mode; the only place of the launcher that reads the environment).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { authConfigFromEnv, authEnvShape, loadConfig, persistentSecret } from '@onestop/service-kit';
import { z } from 'zod';
import { type RunningStack, startStack } from './launcher/stack.js';
import { schemaName } from './runtime/env.js';

const repoRoot = resolve(import.meta.dirname, '../../..');

const env = loadConfig(
  z.object({
    ONESTOP_STACK_PORT: z.coerce.number().int().min(1).max(65_000).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/onestop'),
    KAFKA_BROKERS: z.string().min(1).default('127.0.0.1:9092'),
    ONESTOP_STACK_PREFIX: schemaName.or(z.literal('')).default(''),
    ONESTOP_DATA_DIR: z.string().min(1).default(resolve(repoRoot, '.data/stack')),
    // With an identity provider (JWKS_URL or JWKS_FILE, JWT_ISSUER, JWT_AUDIENCE …) the gateway and every service
    // (which inherit these variables) check its tokens, and no dev tokens are issued.
    ...authEnvShape,
    ONESTOP_IDP_SIGN_IN_URL: z.url().optional(),
    ONESTOP_VAULT_MASTER_KEY: z.string().min(1).optional(),
    ONESTOP_TRACKING_KEY: z.string().min(32).optional(),
    ONESTOP_TEST_CLOCK: z.enum(['0', '1']).default('0'),
    KAFKA_FROM_BEGINNING: z.enum(['0', '1']).default('1'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
  }),
);

for (const script of ['infra/postgres/ensure.sh', 'infra/kafka/kafka.sh']) {
  execFileSync('bash', [script, ...(script.includes('kafka') ? ['start'] : [])], {
    cwd: repoRoot,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

// Generated on the first start, then kept: dev tokens stay valid across restarts, and a new vault master key would
// make the sealed personal data unreadable.
const secret = (name: string) =>
  persistentSecret(env.ONESTOP_DATA_DIR, name, () => randomBytes(32).toString('base64'));
const jwtSecret = env.JWT_SECRET ?? (await secret('dev-jwt-secret'));
const identityProvider = env.JWKS_URL !== undefined || env.JWKS_FILE !== undefined;
const vaultMasterKey = env.ONESTOP_VAULT_MASTER_KEY ?? (await secret('vault-master-key'));
const trackingKey = env.ONESTOP_TRACKING_KEY ?? (await secret('tracking-key'));

const width = 14;
// Until `startStack` returns it owns the children: a child that dies meanwhile fails the start, which stops the
// others and throws; a Ctrl-C meanwhile is remembered and acted on once there is a stack to stop.
let stack: RunningStack | undefined;
let stopping: Promise<void> | undefined;
let stopWhenStarted: number | undefined;
function shutdown(code: number): Promise<void> {
  const running = stack;
  if (running === undefined) {
    stopWhenStarted ??= code;
    return Promise.resolve();
  }
  stopping ??= (async () => {
    process.stdout.write('\nstopping the stack…\n');
    await running.stop();
    process.stdout.write('stopped\n');
    process.exit(code);
  })();
  return stopping;
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (stack === undefined) {
      process.stdout.write(`\n${signal}: stopping once the services have started…\n`);
      void shutdown(0);
      return;
    }
    if (stopping !== undefined) {
      // A second Ctrl-C: do not wait for the services' graceful shutdown.
      for (const service of stack.services) {
        try {
          process.kill(service.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      process.exit(1);
    }
    void shutdown(0);
  });
}

stack = await startStack({
  repoRoot,
  basePort: env.ONESTOP_STACK_PORT,
  host: env.HOST,
  databaseUrl: env.DATABASE_URL,
  prefix: env.ONESTOP_STACK_PREFIX,
  kafkaBrokers: env.KAFKA_BROKERS.split(',').map((b) => b.trim()),
  jwtSecret,
  ...(identityProvider ? { auth: authConfigFromEnv(env) } : {}),
  ...(env.ONESTOP_IDP_SIGN_IN_URL === undefined ? {} : { signInUrl: env.ONESTOP_IDP_SIGN_IN_URL }),
  vaultMasterKey,
  trackingKey,
  dataDir: env.ONESTOP_DATA_DIR,
  testClock: env.ONESTOP_TEST_CLOCK === '1',
  fromBeginning: env.KAFKA_FROM_BEGINNING === '1',
  logLevel: env.LOG_LEVEL,
  onOutput: (service, line) => process.stdout.write(`[${service}] ${line}\n`),
  onServiceExit: (service, code) => {
    // During the start, `startStack` reports the failure itself (and stops the rest).
    if (stack === undefined) return;
    process.stderr.write(`\n${service} exited (${code}); stopping the stack\n`);
    void shutdown(1);
  },
});
if (stopWhenStarted !== undefined) await shutdown(stopWhenStarted);

const url = stack.gatewayUrl;
const token = 'pnpm onestop token --role clerk --unit kh.p-nha-trang.ttpvhcc';
process.stdout.write(
  [
    '',
    `onestop (stack mode) is running at ${url} (gateway)`,
    ...stack.services.map(
      (s) =>
        `  ${s.name.padEnd(width)} ${s.url}  pid ${s.pid}  ${s.schema === undefined ? '' : `schema ${s.schema}  `}docs ${s.url}/docs`,
    ),
    `  web app:      ${url}/`,
    `  health:       ${url}/health/ready (every service)`,
    `  catalogue:    ${url}/v1/catalog/procedures (needs a token)`,
    identityProvider
      ? `  sign-in:      the identity provider's bearer token (${env.JWKS_URL ?? env.JWKS_FILE})`
      : `  a token:      JWT_SECRET=${env.JWT_SECRET === undefined ? `$(cat ${resolve(env.ONESTOP_DATA_DIR, 'dev-jwt-secret')})` : '…'} ${token}`,
    `  database:     ${env.DATABASE_URL.replace(/\/\/[^@/]*@/, '//')}  Kafka: ${env.KAFKA_BROKERS}`,
    ...(env.ONESTOP_TEST_CLOCK === '1'
      ? [`  test clock:   POST ${url}/v1/dev/clock { "now": "2026-03-02T09:00:00+07:00" } (every service)`]
      : []),
    'Ctrl-C stops everything.',
    '',
  ].join('\n'),
);
