/**
 * Receive over HTTP (`POST /v1/intake/dossiers`, a distinct Idempotency-Key and applicant per request, valid demo
 * bodies), embedded mode and intake on PostgreSQL, each against a fastify route doing one PostgreSQL insert of a
 * ~1 KB JSON row. Every server runs in a child process (src/http-target.ts); autocannon drives it from this one.
 *
 * Each measure also reports where the CPU went, per request: the server process, the PostgreSQL backends serving
 * the bench database, and this process (the load generator), with the share of the machine that was busy. On a
 * machine the three already keep busy, throughput is bound by the sum, so these figures say how far a ratio can
 * move (decision 0008).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { demoUnitIds } from '@onestop/catalog';
import { signDevToken } from '@onestop/service-kit';
import autocannon from 'autocannon';
import type pg from 'pg';
import { z } from 'zod';
import { clients, dropDatabase, recreateDatabase } from '../db.js';
import { type BenchResult, type CpuPerRequest, median, round } from '../harness.js';

export interface HttpBenchOptions {
  readonly durationS: number;
  readonly warmupS: number;
  readonly runs: number;
  readonly connections: number;
  readonly log: (line: string) => void;
}

type Target = 'baseline' | 'intake-pg' | 'embedded';

interface Measured {
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly failed: number;
  readonly cpu: CpuPerRequest;
}

const PATH = '/v1/intake/dossiers';
const BASELINE_TABLE = 'http_baseline';
const benchDir = resolve(import.meta.dirname, '../..');

export async function httpBench(options: HttpBenchOptions): Promise<BenchResult[]> {
  const { log } = options;
  const jwtSecret = randomBytes(32).toString('base64url');
  // A clerk per ward centre: receipts rotate over the three, so a fast run does not use up one unit's 9,999
  // dossier codes of the day (codes are per receiving unit and day).
  const clerks = await Promise.all(
    CENTRES.map(async (unitId) => ({
      unitId,
      token: await signDevToken({ sub: `bench-clerk-${unitId}`, roles: ['clerk'], unitId }, jwtSecret),
    })),
  );
  const runsOf: Record<Target, Measured[]> = { baseline: [], embedded: [], 'intake-pg': [] };
  // Interleaved, so drift on a shared machine hits every target alike; each measurement starts from empty.
  for (let run = 0; run < options.runs; run++) {
    for (const target of ['baseline', 'embedded', 'intake-pg'] as const) {
      log(
        `${target}: ${options.connections} connections, ${options.durationS} s (run ${run + 1}/${options.runs})`,
      );
      const dataDir = await mkdtemp(join(tmpdir(), 'onestop-bench-http-'));
      const url = await recreateDatabase('onestop_bench_http');
      try {
        if (target === 'baseline') {
          const [admin] = await clients(url, 1);
          if (!admin) throw new Error('no client');
          await admin.query(
            `create table ${BASELINE_TABLE} (id uuid primary key, idempotency_key text not null unique, body jsonb not null, received_at timestamptz not null default now())`,
          );
          await admin.end();
        }
        const env = {
          BENCH_DATABASE_URL: url,
          BENCH_DATA_DIR: dataDir,
          BENCH_JWT_SECRET: jwtSecret,
          BENCH_BASELINE_TABLE: BASELINE_TABLE,
        };
        runsOf[target].push(await measure(target, url, env, clerks, options));
      } finally {
        await rm(dataDir, { recursive: true, force: true });
        await dropDatabase('onestop_bench_http');
      }
    }
  }
  const base = summary(runsOf.baseline);
  const baselineName = `fastify + 1 insert (~1 KB JSON row, PostgreSQL, ${options.connections} connections)`;
  return [
    result(`receive over HTTP, embedded mode (${options.connections} connections)`, summary(runsOf.embedded)),
    result(
      `receive over HTTP, intake on PostgreSQL (${options.connections} connections)`,
      summary(runsOf['intake-pg']),
    ),
  ];

  function result(name: string, ours: Summary): BenchResult {
    return {
      name,
      value: round(ours.perSecond),
      unit: 'req/s',
      baseline: baselineName,
      baselineValue: round(base.perSecond),
      ratio: round(ours.perSecond / base.perSecond, 3),
      p50Ms: ours.p50Ms,
      p99Ms: ours.p99Ms,
      range: ours.range,
      cpuUsPerRequest: ours.cpu,
      baselineCpuUsPerRequest: base.cpu,
      note:
        `2xx responses only (${ours.failed} failed); baseline p50/p99 ${base.p50Ms} / ${base.p99Ms} ms; server in a ` +
        `child process, autocannon here; CPU per request: ${describeCpu(ours.cpu)} (baseline: ${describeCpu(base.cpu)})`,
    };
  }
}

function describeCpu(cpu: CpuPerRequest): string {
  const us = (value: number | undefined) => (value === undefined ? 'n/a' : `${value} µs`);
  const busy = cpu.machineBusy === undefined ? 'n/a' : `${Math.round(cpu.machineBusy * 100)} %`;
  return `server ${us(cpu.server)}, PostgreSQL ${us(cpu.postgres)}, load generator ${us(cpu.loadGenerator)}, machine busy ${busy}`;
}

interface Summary extends Measured {
  readonly range: readonly [number, number];
}

function summary(runs: readonly Measured[]): Summary {
  const rates = runs.map((r) => r.perSecond);
  const medianOf = (values: readonly (number | undefined)[]) => {
    const known = values.filter((v): v is number => v !== undefined);
    return known.length === 0 ? undefined : round(median(known), 3);
  };
  return {
    perSecond: median(rates),
    range: [round(Math.min(...rates)), round(Math.max(...rates))],
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    failed: runs.reduce((n, r) => n + r.failed, 0),
    cpu: {
      server: medianOf(runs.map((r) => r.cpu.server)),
      postgres: medianOf(runs.map((r) => r.cpu.postgres)),
      loadGenerator: median(runs.map((r) => r.cpu.loadGenerator)),
      machineBusy: medianOf(runs.map((r) => r.cpu.machineBusy)),
    },
  };
}

let serial = 0;
const runTag = randomBytes(4).toString('hex');

const CENTRES = [demoUnitIds.nhaTrangCentre, demoUnitIds.camRanhCentre, demoUnitIds.phanRangCentre];

interface Clerk {
  readonly unitId: string;
  readonly token: string;
}

/** A complete birth registration at one of the ward centres in turn, by a new applicant under a new key. */
function nextRequest(clerks: readonly Clerk[]): { key: string; body: string; token: string } {
  serial += 1;
  const clerk = clerks[serial % clerks.length];
  if (clerk === undefined) throw new Error('no clerk');
  return {
    key: `bench-${runTag}-${serial}`,
    token: clerk.token,
    body: JSON.stringify({
      procedureCode: '1.001193',
      channel: 'desk',
      receivingUnitId: clerk.unitId,
      applicant: {
        type: 1,
        fullName: `Trần Thị Mai ${serial}`,
        idNumber: `056${String(serial).padStart(9, '0')}`,
        phone: '0905123456',
        address: '12 Trần Phú, Nha Trang',
      },
      components: [
        { code: 'to-khai-khai-sinh', provided: true },
        { code: 'giay-chung-sinh', provided: true },
      ],
    }),
  };
}

async function measure(
  target: Target,
  databaseUrl: string,
  env: Record<string, string>,
  clerks: readonly Clerk[],
  options: HttpBenchOptions,
): Promise<Measured> {
  const server = await startTarget(target, env);
  try {
    const base = `http://127.0.0.1:${server.port}`;
    // One request first: a broken body or token fails loudly here instead of as a run of 4xx.
    const probe = nextRequest(clerks);
    const response = await fetch(`${base}${PATH}`, {
      method: 'POST',
      headers: headersOf(probe.token, probe.key),
      body: probe.body,
    });
    if (response.status !== 201) {
      throw new Error(`${target}: probe answered ${response.status}: ${await response.text()}`);
    }
    if (options.warmupS > 0) await load(base, clerks, options.connections, options.warmupS);
    const [observer] = await clients(databaseUrl, 1);
    if (!observer) throw new Error('no client');
    try {
      const before = await cpuSnapshot(server.pid, observer);
      const result = await load(base, clerks, options.connections, options.durationS);
      const after = await cpuSnapshot(server.pid, observer);
      const served = result['2xx'];
      return {
        perSecond: served / result.duration,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        failed: result.non2xx + result.errors,
        cpu: cpuPerRequest(before, after, served),
      };
    } finally {
      await observer.end();
    }
  } finally {
    await server.stop();
  }
}

interface CpuSnapshot {
  readonly server: number | undefined;
  /** Per backend pid of the bench database (the observer's own excluded). */
  readonly postgres: ReadonlyMap<number, number>;
  readonly self: NodeJS.CpuUsage;
  readonly machine: { readonly busy: number; readonly total: number } | undefined;
}

/** Kernel clock ticks per second, the unit of /proc/<pid>/stat; undefined off Linux. */
const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || undefined;
  } catch {
    return undefined;
  }
})();

/** User + system CPU of a process in µs, from /proc; undefined where /proc or the process is not there. */
function processCpuUs(pid: number | undefined): number | undefined {
  if (pid === undefined || clockTicks === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after it are fixed: utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks;
  } catch {
    return undefined;
  }
}

/** Busy and total CPU time of the whole machine (first line of /proc/stat, in ticks). */
function machineTicks(): CpuSnapshot['machine'] {
  try {
    const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
    const ticks = (cpu ?? '').trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
    return total > 0 ? { busy: total - idle, total } : undefined;
  } catch {
    return undefined;
  }
}

async function cpuSnapshot(serverPid: number | undefined, observer: pg.Client): Promise<CpuSnapshot> {
  // The pids are the server's (PostgreSQL on this machine, as the bench requires); elsewhere /proc has none.
  const backends = await observer.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  const postgres = new Map<number, number>();
  for (const { pid } of backends.rows) {
    const us = processCpuUs(pid);
    if (us !== undefined) postgres.set(pid, us);
  }
  return { server: processCpuUs(serverPid), postgres, self: process.cpuUsage(), machine: machineTicks() };
}

function cpuPerRequest(before: CpuSnapshot, after: CpuSnapshot, served: number): CpuPerRequest {
  const per = (us: number) => Math.round(us / Math.max(1, served));
  const server =
    before.server === undefined || after.server === undefined ? undefined : per(after.server - before.server);
  // A backend that connected during the window counts from zero; one that left during it is missed (pools keep
  // theirs for the whole run). No backend at all (the embedded server uses none): undefined, not zero.
  let postgresUs = 0;
  for (const [pid, us] of after.postgres) postgresUs += us - (before.postgres.get(pid) ?? 0);
  const machine =
    before.machine && after.machine && after.machine.total > before.machine.total
      ? (after.machine.busy - before.machine.busy) / (after.machine.total - before.machine.total)
      : undefined;
  return {
    server,
    postgres: after.postgres.size === 0 ? undefined : per(postgresUs),
    loadGenerator: per(after.self.user - before.self.user + after.self.system - before.self.system),
    machineBusy: machine === undefined ? undefined : round(machine, 3),
  };
}

function headersOf(token: string, key: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key };
}

function load(
  base: string,
  clerks: readonly Clerk[],
  connections: number,
  durationS: number,
): Promise<autocannon.Result> {
  return autocannon({
    url: base,
    connections,
    duration: durationS,
    requests: [
      {
        method: 'POST',
        path: PATH,
        setupRequest: (request) => {
          const next = nextRequest(clerks);
          return { ...request, headers: headersOf(next.token, next.key), body: next.body };
        },
      },
    ],
  });
}

interface RunningTarget {
  readonly port: number;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

async function startTarget(target: Target, env: Record<string, string>): Promise<RunningTarget> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/http-target.ts', target], {
    cwd: benchDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const stdout = child.stdout;
  if (!stdout) throw new Error('no stdout');
  const lines = createInterface({ input: stdout });
  const diedEarly = exited.then((code): never => {
    throw new Error(`${target} server exited with ${code} before listening`);
  });
  // Once the port is known this promise is no longer raced; its rejection at stop() is expected.
  diedEarly.catch(() => {});
  const port = await Promise.race([
    new Promise<number>((done, fail) => {
      lines.once('line', (line) => {
        try {
          done(z.object({ port: z.number() }).parse(JSON.parse(line)).port);
        } catch (error) {
          fail(error);
        }
      });
    }),
    diedEarly,
  ]);
  return {
    port,
    pid: child.pid,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      lines.close();
    },
  };
}
