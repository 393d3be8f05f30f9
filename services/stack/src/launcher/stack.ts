/**
 * Stack mode (DESIGN.md section 1): every service in its own process on PostgreSQL + Kafka, and the gateway in
 * this one. `startStack` resolves once every service answers `/health/ready` (its store, its relay's Kafka
 * connection and, for consumers, its group membership); `stop()` stops the gateway, then every service.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { demoCatalog } from '@onestop/catalog';
import type { AuthConfig } from '@onestop/service-kit';
import type { Logger } from 'pino';
import { type ServiceProcess, startServiceProcess } from './children.js';
import { StackStartFailed } from './errors.js';
import { type Gateway, startGateway, type Upstream } from './gateway.js';
import { buildGatewayApp } from './gateway-app.js';
import { STACK_SERVICES, type StackServiceSpec } from './services.js';

export interface StackOptions {
  readonly repoRoot: string;
  /** The gateway's port; service N listens on this + its offset (3000 → intake 3001, …). */
  readonly basePort: number;
  readonly host: string;
  readonly databaseUrl: string;
  /** Put in front of every schema and consumer group, so stacks sharing a database and a broker stay apart. */
  readonly prefix: string;
  readonly kafkaBrokers: readonly string[];
  /** The dev tokens' HS256 secret, given to every service as JWT_SECRET. */
  readonly jwtSecret: string;
  /**
   * How the gateway checks tokens (default HS256 with `jwtSecret`, and it issues dev tokens). With an identity
   * provider, give each service the same settings in the environment (JWKS_URL …: they inherit the launcher's).
   */
  readonly auth?: AuthConfig;
  /** The identity provider's sign-in page, announced by the gateway's `GET /v1/sign-in`. */
  readonly signInUrl?: string;
  readonly vaultMasterKey: string;
  /** The key of the receipts' tracking secrets: intake prints them, the projection checks them. */
  readonly trackingKey: string;
  /** Documents of the digitization service go under it. */
  readonly dataDir: string;
  readonly testClock: boolean;
  /** Where new consumer groups start: the beginning of the topic (default) or its end. */
  readonly fromBeginning: boolean;
  /** The services' log level. */
  readonly logLevel: string;
  readonly services?: readonly StackServiceSpec[];
  /** Each line a service writes. */
  readonly onOutput?: (service: string, line: string) => void;
  /** Called when a service exits while the stack runs (not during `stop()`). */
  readonly onServiceExit?: (service: string, code: number | string) => void;
  readonly gatewayLogger?: Logger | false;
  readonly readyTimeoutMs?: number;
}

export interface RunningService {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  /** Absent for a service without data (the web server). */
  readonly schema?: string;
}

export interface RunningStack {
  readonly gatewayUrl: string;
  readonly services: readonly RunningService[];
  stop(): Promise<void>;
}

/** The services to run: the list, minus optional ones whose entry does not exist yet. */
export function servicesToRun(repoRoot: string, services: readonly StackServiceSpec[] = STACK_SERVICES) {
  return services.filter((s) => !s.optional || existsSync(resolve(repoRoot, s.entry)));
}

export async function startStack(options: StackOptions): Promise<RunningStack> {
  const specs = servicesToRun(options.repoRoot, options.services);
  const processes: ServiceProcess[] = [];
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    await Promise.all(processes.map((p) => p.stop()));
  };

  const running: RunningService[] = [];
  try {
    for (const spec of specs) {
      const url = `http://${options.host}:${options.basePort + spec.portOffset}`;
      const schema = spec.schema === undefined ? undefined : `${options.prefix}${spec.schema}`;
      const child = startServiceProcess({
        name: spec.name,
        entry: resolve(options.repoRoot, spec.entry),
        cwd: options.repoRoot,
        env: serviceEnv(options, spec, schema),
        onLine: (line) => options.onOutput?.(spec.name, line),
      });
      processes.push(child);
      void child.exited.then((code) => {
        if (!stopping) options.onServiceExit?.(spec.name, code);
      });
      running.push({ name: spec.name, url, pid: child.pid, ...(schema === undefined ? {} : { schema }) });
    }
    await Promise.all(
      running.map((service, i) => {
        const child = processes[i];
        if (child === undefined) return undefined;
        return waitUntilReady(service, child, options.readyTimeoutMs ?? 90_000);
      }),
    );
  } catch (error) {
    await stopAll();
    throw error;
  }

  const upstreams: Upstream[] = running.map((s) => ({ name: s.name, url: s.url }));
  // The services that keep business time: each gets the test clock; the first answers reading it.
  const clocked = upstreams.filter((_, i) => specs[i]?.businessClock !== false);
  let gateway: Gateway | undefined;
  const app = await buildGatewayApp({
    catalog: demoCatalog,
    auth: options.auth ?? { mode: 'hs256', secret: options.jwtSecret },
    ...(options.signInUrl === undefined ? {} : { signInUrl: options.signInUrl }),
    services: upstreams,
    logger: options.gatewayLogger ?? false,
  });
  try {
    const own = await app.listen({ port: 0, host: '127.0.0.1' });
    gateway = await startGateway({
      host: options.host,
      port: options.basePort,
      routes: [
        ...specs.flatMap((spec, i) => {
          const upstream = upstreams[i];
          return upstream === undefined ? [] : spec.routes.map((prefix) => ({ prefix, upstream }));
        }),
        // Reading the clock asks one service (the POST that sets it goes to all of them).
        ...(clocked[0] === undefined ? [] : [{ prefix: '/v1/dev/clock', upstream: clocked[0] }]),
      ],
      clockTargets: clocked,
      fallback: { name: 'gateway', url: own },
    });
  } catch (error) {
    await app.close();
    await stopAll();
    throw error;
  }

  let stopped: Promise<void> | undefined;
  return {
    gatewayUrl: gateway.url,
    services: running,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        await gateway?.close();
        await app.close();
        await stopAll();
      })();
      return stopped;
    },
  };
}

function serviceEnv(
  options: StackOptions,
  spec: StackServiceSpec,
  schema: string | undefined,
): Record<string, string> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return {
    ...inherited,
    PORT: String(options.basePort + spec.portOffset),
    HOST: options.host,
    DATABASE_URL: options.databaseUrl,
    ...(schema === undefined ? {} : { DATABASE_SCHEMA: schema }),
    KAFKA_BROKERS: options.kafkaBrokers.join(','),
    JWT_SECRET: options.jwtSecret,
    ONESTOP_TEST_CLOCK: options.testClock ? '1' : '0',
    LOG_LEVEL: options.logLevel,
    ...(spec.consumes
      ? {
          KAFKA_GROUP_ID: `${options.prefix}${spec.name}`,
          KAFKA_FROM_BEGINNING: options.fromBeginning ? '1' : '0',
        }
      : {}),
    // Intake and feedback seal personal data under the same master key.
    ...(spec.name === 'intake' || spec.name === 'feedback'
      ? { ONESTOP_VAULT_MASTER_KEY: options.vaultMasterKey }
      : {}),
    ...(spec.name === 'intake' || spec.name === 'projection' || spec.name === 'feedback'
      ? { ONESTOP_TRACKING_KEY: options.trackingKey }
      : {}),
    // The public rate limits count the address the gateway saw, not the gateway's own.
    ...(spec.name === 'projection' || spec.name === 'feedback' ? { ONESTOP_TRUSTED_PROXY_HOPS: '1' } : {}),
    ...(spec.name === 'digitization' ? { DOCUMENTS_DIR: join(options.dataDir, 'documents') } : {}),
    ...(spec.name === 'feedback'
      ? { FEEDBACK_ATTACHMENTS_DIR: join(options.dataDir, 'feedback-attachments') }
      : {}),
  };
}

async function waitUntilReady(service: RunningService, child: ServiceProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let exit: number | string | undefined;
  void child.exited.then((code) => {
    exit = code;
  });
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (exit !== undefined) {
      throw StackStartFailed(`${service.name} exited (${exit}) before it was ready`, {
        details: { service: service.name, output: child.tail() },
      });
    }
    try {
      const answer = await fetch(`${service.url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      if (answer.ok) return;
      last = `${answer.status} ${await answer.text()}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw StackStartFailed(`${service.name} not ready after ${timeoutMs} ms: ${last}`, {
    details: { service: service.name, output: child.tail() },
  });
}
