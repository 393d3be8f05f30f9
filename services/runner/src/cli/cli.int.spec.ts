/**
 * The analyst commands as a user runs them: `node --import tsx services/runner/src/cli.ts …` in a child process,
 * against the data directory of an embedded system that keeps running (and serving) meanwhile. The dossiers are
 * driven through the HTTP surface: one decided, returned and rated; one open; one withdrawn; a refusal; one in
 * April (outside the March period).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoCatalog, demoUnitIds } from '@onestop/catalog';
import { parseDossierEvent } from '@onestop/domain';
import {
  createProjectionHandler,
  liveCounts,
  migrateProjection,
  postgresProjectionDatabase,
  REBUILD_HEAP_MB,
} from '@onestop/projection';
import { useTestSchema } from '@onestop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type EmbeddedSystem, startEmbedded } from '../embedded.js';
import { type CliRun, runCli } from '../testing/cli.js';
import {
  type Client,
  CRIMINAL_RECORD,
  client,
  criminalRecordReceipt,
  idempotencyKey,
  waitFor,
} from '../testing/client.js';
import { logEntryOf } from './log-source.js';

const NHA_TRANG = demoUnitIds.nhaTrangCentre;
const CAM_RANH = demoUnitIds.camRanhCentre;
const JUSTICE = demoUnitIds.justice;
const MARCH = 'from=2026-03-01&to=2026-04-01';
/** After every action of the set-up (business time), so the endpoint judges from its aggregates. */
const AS_OF = '2026-04-10T09:00:00+07:00';
/** The applicants of the set-up: none of this may appear in an export. */
const APPLICANTS = [1, 2, 3, 4].map((n) => criminalRecordReceipt(NHA_TRANG, JUSTICE, n).applicant);

let dataDir: string;
let system: EmbeddedSystem;
let api: Client;
let analyst: string;

function onestop(...args: string[]): Promise<CliRun> {
  return runCli(dataDir, args);
}

async function clock(now: string) {
  expect((await api.post('/v1/dev/clock', { now })).status).toBe(200);
}

async function receive(unitId: string, n: number, token: string): Promise<string> {
  const reply = await api.post('/v1/intake/dossiers', criminalRecordReceipt(unitId, JUSTICE, n), token, {
    'idempotency-key': idempotencyKey(),
  });
  expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  return z.object({ dossierId: z.string() }).parse(reply.body).dossierId;
}

async function transfer(dossierId: string, token: string, specialist: string) {
  const reply = await api.post(
    `/v1/intake/dossiers/${dossierId}/transfer`,
    { toUnitId: JUSTICE, channel: 'electronic' },
    token,
  );
  expect(reply.status).toBe(200);
  await waitFor('the case to open', async () =>
    (await api.get(`/v1/processing/cases/${dossierId}`, specialist)).status === 200 ? true : undefined,
  );
}

async function projectionCaughtUp() {
  await waitFor('the projection to catch up', async () => {
    const status = await system.projection.status();
    const bus = await system.bus.status();
    return status.lag === 0 && bus.lag === 0 ? status : undefined;
  });
}

/** What an analyst sees over HTTP: the KPIs, the drill-down and every dossier's timeline. */
async function analystView(dossierIds: readonly string[]) {
  const kpi = await api.get(`/v1/kpi/units/${JUSTICE}?${MARCH}&asOf=${encodeURIComponent(AS_OF)}`, analyst);
  const drill = await api.get(
    `/v1/kpi/units/${JUSTICE}/dossiers?${MARCH}&asOf=${encodeURIComponent(AS_OF)}`,
    analyst,
  );
  const timelines = [];
  for (const id of dossierIds) timelines.push((await api.get(`/v1/dossiers/${id}/timeline`, analyst)).body);
  expect(kpi.status).toBe(200);
  expect(drill.status).toBe(200);
  return { kpi: kpi.body, drill: drill.body, timelines };
}

const ReplayResult = z.object({
  status: z.enum(['switched', 'paused']),
  generation: z.string(),
  previousGeneration: z.string(),
  resumed: z.boolean(),
  eventsRead: z.number(),
  applied: z.number(),
  skipped: z.number(),
  readThisRun: z.number(),
  counts: z.object({
    events: z.number(),
    dossiers: z.number(),
    unitDaily: z.number(),
    intakeDaily: z.number(),
    officerSteps: z.number(),
  }),
  memory: z.object({ peakRssMb: z.number(), heapLimitMb: z.number() }),
});

let dossiers: string[];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'onestop-cli-'));
  system = await startEmbedded({ dataDir, testClock: true, logger: false, pollIntervalMs: 50 });
  api = client(await system.app.listen({ port: 0, host: '127.0.0.1' }), system.jwtSecret);
  analyst = await api.token('analyst');
  const nhaTrang = await api.token('clerk', NHA_TRANG, 'clerk-nha-trang');
  const camRanh = await api.token('clerk', CAM_RANH, 'clerk-cam-ranh');
  const specialist = await api.token('specialist', JUSTICE, 'specialist-justice');
  const leader = await api.token('leader', JUSTICE, 'leader-justice');

  await clock('2026-03-09T09:00:00+07:00');
  const decided = await receive(NHA_TRANG, 1, nhaTrang);
  await transfer(decided, nhaTrang, specialist);
  const open = await receive(CAM_RANH, 2, camRanh);
  await transfer(open, camRanh, specialist);
  const withdrawn = await receive(NHA_TRANG, 3, nhaTrang);
  expect(
    (await api.post(`/v1/intake/dossiers/${withdrawn}/withdraw`, { reason: 'người dân rút' }, nhaTrang))
      .status,
  ).toBe(200);
  const refused = await api.post(
    '/v1/intake/refusals',
    { procedureCode: CRIMINAL_RECORD, receivingUnitId: CAM_RANH, reason: 'không thuộc thẩm quyền' },
    camRanh,
  );
  expect(refused.status).toBe(201);

  await clock('2026-03-11T10:00:00+07:00');
  const post = async (path: string, body: unknown, token: string) =>
    expect((await api.post(`/v1/processing/cases/${decided}/${path}`, body, token)).status).toBe(200);
  await post('assign', { officerId: 'specialist-justice' }, specialist);
  await post('decide', { outcome: 'approved' }, leader);
  await waitFor('the result at the desk', async () =>
    (await api.get(`/v1/return/dossiers/${decided}`, nhaTrang)).status === 200 ? true : undefined,
  );
  expect(
    (await api.post(`/v1/return/dossiers/${decided}/return`, { channel: 'desk' }, nhaTrang)).status,
  ).toBe(200);
  expect((await api.post(`/v1/return/dossiers/${decided}/rate`, { rating: 2 }, nhaTrang)).status).toBe(200);

  await clock('2026-04-06T09:00:00+07:00');
  const april = await receive(NHA_TRANG, 4, nhaTrang);
  dossiers = [decided, open, withdrawn, april];
  await projectionCaughtUp();
}, 60_000);

afterAll(async () => {
  await system?.close();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

describe('pnpm onestop replay', () => {
  it('given a live projection and a running server, when replayed, then the rebuilt tables have the same rows, the server switches to them and keeps projecting new events', async () => {
    const before = await liveCounts(system.store);
    const view = await analystView(dossiers);
    expect(view.kpi).toMatchObject({ received: 3, ended: 2, withdrawn: 1, decided: 1, open: 1 });
    const head = (await system.projection.status()).head;

    const run = await onestop('replay', '--json');
    expect(run.code, run.stderr).toBe(0);
    // Not a terminal: the progress bar is written as lines.
    expect(run.stderr).toMatch(new RegExp(`\\] 100\\.0% ${head}/${head} events {2}\\d+ ev/s {2}ETA 0s`));
    const result = ReplayResult.parse(JSON.parse(run.stdout));
    expect(result).toMatchObject({
      status: 'switched',
      previousGeneration: before.generation,
      resumed: false,
      eventsRead: head,
      readThisRun: head,
    });
    expect(result.generation).not.toBe(before.generation);
    // Run under the replay's V8 old-space ceiling (the command restarted itself with it), within 512 MB.
    expect(result.memory.heapLimitMb).toBeLessThanOrEqual(REBUILD_HEAP_MB + 96);
    expect(result.memory.peakRssMb).toBeLessThan(512);
    const { generation: _, ...beforeCounts } = before;
    expect(result.counts).toEqual(beforeCounts);
    expect(result.applied).toBe(before.events);
    expect(result.skipped).toBeGreaterThan(0); // intake's dossier codes and idempotency keys
    expect(await liveCounts(system.store)).toEqual({ generation: result.generation, ...beforeCounts });
    // The running server answers from the new generation, with the same figures.
    expect(await analystView(dossiers)).toEqual(view);

    // …and its consumer feeds the new generation.
    const clerk = await api.token('clerk', NHA_TRANG);
    await clock('2026-03-31T09:00:00+07:00');
    dossiers.push(await receive(NHA_TRANG, 5, clerk));
    await projectionCaughtUp();
    const kpi = await api.get(`/v1/kpi/units/${JUSTICE}?${MARCH}&asOf=${encodeURIComponent(AS_OF)}`, analyst);
    expect(kpi.body).toMatchObject({ received: 4, open: 2 });
    expect((await liveCounts(system.store)).dossiers).toBe(before.dossiers + 1);
  }, 30_000);

  it('given a replay paused twice (--stop-after), when run again, then it resumes where it stopped and ends with the same tables and figures', async () => {
    await projectionCaughtUp();
    const before = await liveCounts(system.store);
    const view = await analystView(dossiers);
    const head = (await system.projection.status()).head;

    const first = ReplayResult.parse(
      JSON.parse((await onestop('replay', '--json', '--stop-after', '7')).stdout),
    );
    expect(first).toMatchObject({ status: 'paused', resumed: false, eventsRead: 7, readThisRun: 7 });
    // Paused: the server still answers from the live generation.
    expect(await liveCounts(system.store)).toEqual(before);
    expect(await analystView(dossiers)).toEqual(view);

    const second = ReplayResult.parse(
      JSON.parse((await onestop('replay', '--json', '--stop-after', '7')).stdout),
    );
    expect(second).toMatchObject({
      status: 'paused',
      resumed: true,
      generation: first.generation,
      eventsRead: 14,
      readThisRun: 7,
    });

    const last = await onestop('replay');
    expect(last.code, last.stderr).toBe(0);
    expect(last.stdout).toContain(`replay: ${first.generation} is live (was ${before.generation})`);
    expect(last.stdout).toMatch(new RegExp(`events read\\s+${head}\\b`));
    expect(last.stdout).toMatch(new RegExp(`dossiers\\s+${before.dossiers}\\b`));
    const { generation: _, ...beforeCounts } = before;
    expect(await liveCounts(system.store)).toEqual({ generation: first.generation, ...beforeCounts });
    expect(await analystView(dossiers)).toEqual(view);
  }, 30_000);

  it('given an unknown calendar version, then replay fails with exit 1 naming the known ones', async () => {
    const run = await onestop('replay', '--calendar', 'vn-civil-service-1999.1');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('unknown calendar version vn-civil-service-1999.1');
    expect(run.stderr).toContain('vn-civil-service-2026.1');
  }, 15_000);
});

describe('pnpm onestop kpi', () => {
  it('given the same period and instant, then --json prints the figures of GET /v1/kpi/units/{unitId} and the table shows them', async () => {
    await projectionCaughtUp();
    for (const extra of [[], ['--due', 'appointment'], ['--rollup', 'historical']]) {
      const run = await onestop(
        'kpi',
        '--unit',
        JUSTICE,
        '--from',
        '2026-03-01',
        '--to',
        '2026-04-01',
        '--as-of',
        AS_OF,
        '--json',
        ...extra,
      );
      expect(run.code, run.stderr).toBe(0);
      const query = extra.length === 0 ? '' : `&${extra[0]?.slice(2)}=${extra[1]}`;
      const http = await api.get(
        `/v1/kpi/units/${JUSTICE}?${MARCH}&asOf=${encodeURIComponent(AS_OF)}${query}`,
        analyst,
      );
      expect(http.status).toBe(200);
      // The server's business clock is in April, the CLI's is now: the server judges from its aggregates and
      // the CLI recomputes as of AS_OF. Both paths must give the same figures.
      const { source: cliSource, ...cli } = z
        .looseObject({ source: z.string() })
        .parse(JSON.parse(run.stdout));
      const { source: _, ...endpoint } = z.looseObject({ source: z.string() }).parse(http.body);
      expect(cliSource).toBe('recomputed');
      expect(cli).toEqual(endpoint);
    }

    const table = await onestop('kpi', '--unit', JUSTICE, '--from', '2026-03-01', '--to', '2026-04-01');
    expect(table.code, table.stderr).toBe(0);
    const http = z
      .object({ received: z.number(), ended: z.number(), withdrawn: z.number() })
      .parse(
        (await api.get(`/v1/kpi/units/${JUSTICE}?${MARCH}&asOf=${encodeURIComponent(AS_OF)}`, analyst)).body,
      );
    expect(table.stdout).toMatch(new RegExp(`^received\\s+${http.received}$`, 'm'));
    expect(table.stdout).toMatch(new RegExp(`^ended\\s+${http.ended}$`, 'm'));
    expect(table.stdout).toMatch(new RegExp(`^withdrawn\\s+${http.withdrawn}$`, 'm'));
    expect(table.stdout).toMatch(/^points$/m);
    expect(table.stdout).toMatch(/^ {2}progress\s+\S+$/m);
  }, 30_000);

  it('given command-line mistakes, then it exits 2 with the usage; an unknown unit exits 1', async () => {
    const [noUnit, unknownFlag, badDue, unknownCommand, unknownUnit] = await Promise.all([
      onestop('kpi'),
      onestop('kpi', '--unit', JUSTICE, '--colour'),
      onestop('kpi', '--unit', JUSTICE, '--due', 'sometime'),
      onestop('frobnicate'),
      onestop('kpi', '--unit', 'kh.so-khong-co'),
    ]);
    for (const run of [noUnit, unknownFlag, badDue, unknownCommand]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('usage: pnpm onestop');
    }
    expect(noUnit.stderr).toContain('--unit');
    expect(unknownFlag.stderr).toContain("'--colour'");
    expect(badDue.stderr).toContain('due');
    expect(unknownCommand.stderr).toContain('unknown command: frobnicate');
    expect(unknownUnit.code).toBe(1);
    expect(unknownUnit.stderr).toContain('kh.so-khong-co');
    expect(unknownUnit.stderr).not.toContain('usage:');
  }, 30_000);
});

describe('pnpm onestop export', () => {
  const parseLines = (text: string) =>
    text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => parseDossierEvent(JSON.parse(line)));

  it('given a period, then it writes the catalogue events that occurred in it as NDJSON, without personal data', async () => {
    await projectionCaughtUp();
    const run = await onestop('export', '--from', '2026-03-01', '--to', '2026-04-01');
    expect(run.code, run.stderr).toBe(0);
    const events = parseLines(run.stdout);
    const from = Date.parse('2026-03-01T00:00:00+07:00');
    const to = Date.parse('2026-04-01T00:00:00+07:00');
    const { rows } = await system.store.query('select metadata from events');
    const expected = rows
      .map((row) => z.object({ occurredAt: z.string().optional() }).parse(JSON.parse(String(row.metadata))))
      .filter(
        (m) =>
          m.occurredAt !== undefined && Date.parse(m.occurredAt) >= from && Date.parse(m.occurredAt) < to,
      );
    expect(events).toHaveLength(expected.length);
    expect(events.every((e) => Date.parse(e.occurredAt) >= from && Date.parse(e.occurredAt) < to)).toBe(true);
    expect(new Set(events.map((e) => e.type))).toContain('DossierRefused');
    expect(events.some((e) => e.dossierId === dossiers[3])).toBe(false); // received in April
    for (const applicant of APPLICANTS) {
      expect(run.stdout).not.toContain(applicant.fullName);
      expect(run.stdout).not.toContain(applicant.idNumber);
    }
    expect(run.stderr).toContain(`export: ${events.length} events`);
  }, 30_000);

  it('given --unit, --procedure and --out, then only the matching dossiers are written, to the file', async () => {
    const out = join(dataDir, 'cam-ranh.ndjson');
    const [camRanh, wrongProcedure, toFile, missingTo] = await Promise.all([
      onestop('export', '--from', '2026-03-01', '--to', '2026-05-01', '--unit', CAM_RANH),
      onestop('export', '--from', '2026-03-01', '--to', '2026-05-01', '--procedure', '1.001193'),
      onestop(
        'export',
        '--from',
        '2026-03-01',
        '--to',
        '2026-05-01',
        '--procedure',
        CRIMINAL_RECORD,
        '--out',
        out,
      ),
      onestop('export', '--from', '2026-03-01'),
    ]);
    expect(camRanh.code, camRanh.stderr).toBe(0);
    const camRanhEvents = parseLines(camRanh.stdout);
    // The open dossier (received at Cam Ranh) and the refusal at Cam Ranh; nothing of Nha Trang's dossiers.
    expect(new Set(camRanhEvents.map((e) => e.dossierId)).size).toBe(2);
    expect(camRanhEvents.map((e) => e.dossierId)).toContain(dossiers[1]);
    expect(camRanhEvents.some((e) => e.dossierId === dossiers[0] || e.dossierId === dossiers[2])).toBe(false);

    expect(wrongProcedure.code).toBe(0);
    expect(wrongProcedure.stdout).toBe('');

    expect(toFile.code, toFile.stderr).toBe(0);
    expect(toFile.stdout).toBe('');
    const written = parseLines(await readFile(out, 'utf8'));
    expect(new Set(written.map((e) => e.dossierId))).toEqual(
      new Set([
        ...dossiers,
        ...camRanhEvents.filter((e) => e.type === 'DossierRefused').map((e) => e.dossierId),
      ]),
    );

    expect(missingTo.code).toBe(2);
    expect(missingTo.stderr).toContain('--to');
  }, 30_000);
});

describe('the analyst commands on a stack-mode projection (--database-url, --schema)', () => {
  const pg = useTestSchema('cli');

  it('given a PostgreSQL projection fed the same events, then kpi and export print what they print in embedded mode', async () => {
    await projectionCaughtUp();
    const db = await postgresProjectionDatabase({
      connectionString: pg.current.connectionString,
      schema: pg.current.schema,
    });
    try {
      await migrateProjection(db);
      const handler = createProjectionHandler({ catalog: demoCatalog, schema: db.schema });
      const { events } = await system.store.readAll();
      for (const stored of events) {
        const entry = logEntryOf(stored);
        if (entry.kind === 'dossier') await db.withTransaction((tx) => handler(entry.event, tx));
      }
    } finally {
      await db.close();
    }
    const target = ['--database-url', pg.current.connectionString, '--schema', pg.current.schema];
    const kpi = [
      'kpi',
      '--unit',
      JUSTICE,
      '--from',
      '2026-03-01',
      '--to',
      '2026-04-01',
      '--as-of',
      AS_OF,
      '--json',
    ];
    const period = ['export', '--from', '2026-03-01', '--to', '2026-05-01', '--unit', NHA_TRANG];
    const [pgKpi, embeddedKpi, pgExport, embeddedExport] = await Promise.all([
      onestop(...kpi, ...target),
      onestop(...kpi),
      onestop(...period, ...target),
      onestop(...period),
    ]);
    expect(pgKpi.code, pgKpi.stderr).toBe(0);
    expect(JSON.parse(pgKpi.stdout)).toEqual(JSON.parse(embeddedKpi.stdout));
    expect(JSON.parse(pgKpi.stdout)).toMatchObject({ received: 4, withdrawn: 1 });
    expect(pgExport.code, pgExport.stderr).toBe(0);
    const ids = (text: string) =>
      text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => parseDossierEvent(JSON.parse(line)).eventId)
        .sort();
    expect(ids(pgExport.stdout)).toEqual(ids(embeddedExport.stdout));
    expect(ids(pgExport.stdout).length).toBeGreaterThan(10);

    // Stack-mode replay reads the topic (services/projection/src/read-model/kafka-source.int.spec.ts); its
    // Kafka flags mean nothing without a stack-mode target.
    const replay = await onestop('replay', '--brokers', '127.0.0.1:9092');
    expect(replay.code).toBe(2);
    expect(replay.stderr).toContain('--brokers needs --database-url');
  }, 30_000);
});
