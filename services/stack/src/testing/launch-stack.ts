/**
 * Stack mode for end-to-end tests: `services/stack/src/main.ts` as a real process (it starts each service as its
 * own process), on free ports, with a schema prefix of its own in the test database, the shared broker, a
 * throw-away data directory and the test clock. `stop()` kills what it started and drops what it created.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { databaseUrl, kafkaBrokers } from '@onestop/testing';
import pg from 'pg';
import { STACK_SERVICES } from '../launcher/services.js';

const repoRoot = resolve(import.meta.dirname, '../../../..');

export interface LaunchStackOptions {
  /** Put in front of every schema and consumer group (a lower-case identifier ending in `_`). */
  readonly prefix: string;
  /** The dev tokens' HS256 secret (JWT_SECRET), so the test signs tokens the stack accepts. */
  readonly secret: string;
  /** Where the random base port is drawn from (ports base … base + 9); keep specs apart. Default 20 000. */
  readonly portsFrom?: number;
  /** The base port itself (a spec that holds one of its ports on purpose); default: a free one from `portsFrom`. */
  readonly basePort?: number;
  /** More environment for the launcher (and, through it, every service). */
  readonly env?: Readonly<Record<string, string>>;
  readonly startTimeoutMs?: number;
}

export interface LaunchedService {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
}

export interface LaunchedStack {
  readonly child: ChildProcess;
  /** Every line the launcher (and the services, through it) wrote. */
  readonly output: readonly string[];
  /** The gateway: `http://127.0.0.1:<base>`. */
  readonly gateway: string;
  readonly services: readonly LaunchedService[];
  readonly dataDir: string;
  /** Kills the launcher and every service, drops the prefix's schemas, removes the data directory. */
  stop(): Promise<void>;
}

/** Ports a stack takes: the gateway's and one per service after it. */
const PORTS = Math.max(...STACK_SERVICES.map((s) => s.portOffset)) + 1;

/** Whether `port` can be listened on at 127.0.0.1 right now. */
export function portFree(port: number): Promise<boolean> {
  return new Promise<boolean>((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** The IPv4 addresses listening on each TCP port of this machine (from /proc/net/tcp; Linux). */
export function listeningAddresses(): Map<number, string[]> {
  const byPort = new Map<number, string[]>();
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const [, local, , state] = line.trim().split(/\s+/);
    if (state !== '0A' || local === undefined) continue; // 0A: LISTEN
    const [hex = '', portHex = ''] = local.split(':');
    const address = [3, 2, 1, 0].map((i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
    const port = Number.parseInt(portHex, 16);
    byPort.set(port, [...(byPort.get(port) ?? []), address]);
  }
  return byPort;
}

export async function freeBasePort(from: number): Promise<number> {
  const step = Math.max(10, PORTS);
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = from + Math.floor(Math.random() * 200) * step;
    const ports = Array.from({ length: PORTS }, (_, i) => base + i);
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free ports');
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function dropSchemas(prefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    const { rows } = await client.query<{ nspname: string }>(
      'select nspname from pg_namespace where starts_with(nspname, $1)',
      [prefix],
    );
    for (const { nspname } of rows) await client.query(`drop schema "${nspname}" cascade`);
  } finally {
    await client.end();
  }
}

/** A prefix no other run uses: `<tag><6 hex>_`. */
export function stackPrefix(tag: string): string {
  return `${tag}${randomBytes(3).toString('hex')}_`;
}

export async function launchStack(options: LaunchStackOptions): Promise<LaunchedStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'onestop-stack-'));
  const base = options.basePort ?? (await freeBasePort(options.portsFrom ?? 20_000));
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/stack/src/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ONESTOP_STACK_PORT: String(base),
      ONESTOP_STACK_PREFIX: options.prefix,
      DATABASE_URL: databaseUrl(),
      KAFKA_BROKERS: kafkaBrokers().join(','),
      JWT_SECRET: options.secret,
      ONESTOP_VAULT_MASTER_KEY: randomBytes(32).toString('base64'),
      ONESTOP_TEST_CLOCK: '1',
      // The shared topic holds other tests' dossiers: this throw-away stack must not react to them.
      KAFKA_FROM_BEGINNING: '0',
      ONESTOP_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const services: LaunchedService[] = [];
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      for (const { pid } of services) if (alive(pid)) process.kill(pid, 'SIGKILL');
      await dropSchemas(options.prefix);
      await rm(dataDir, { recursive: true, force: true });
    })();
    return stopped;
  };
  const timeoutMs = options.startTimeoutMs ?? 90_000;
  try {
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`stack not up in ${timeoutMs} ms:\n${output.join('\n')}`)),
        timeoutMs,
      );
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`the launcher exited (${code}):\n${output.join('\n')}`));
      });
      for (const stream of [child.stdout, child.stderr]) {
        createInterface({ input: stream }).on('line', (line) => {
          output.push(line);
          const service = /^ {2}(\S+)\s+(http:\/\/\S+)\s+pid (\d+)/.exec(line);
          if (service?.[1] && service[2] && service[3]) {
            services.push({ name: service[1], url: service[2], pid: Number(service[3]) });
          }
          if (line.startsWith('Ctrl-C stops everything')) {
            clearTimeout(timer);
            done();
          }
        });
      }
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { child, output, gateway: `http://127.0.0.1:${base}`, services, dataDir, stop };
}
