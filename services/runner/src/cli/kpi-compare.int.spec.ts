/**
 * `pnpm onestop kpi --compare-calendar V1 V2` as a user runs it (a child process on the data directory of a
 * running embedded system). Calendar 2026.2 (an illustrative amendment) adds Fri 5 Jun 2026 as a day off, so a
 * 10-working-day dossier received Fri 22 May is due Fri 5 Jun 09:00 under 2026.1 and Mon 8 Jun 09:00 under
 * 2026.2. The set-up, at the Justice department: one such dossier decided Mon 8 Jun 08:00 (late → on time), one
 * left open and judged Mon 8 Jun 08:30 (overdue → in time), and one from March decided well within its due (the
 * same under both).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoUnitIds } from '@onestop/catalog';
import { vnCivilServiceCalendars } from '@onestop/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type EmbeddedSystem, startEmbedded } from '../embedded.js';
import { type CliRun, runCli } from '../testing/cli.js';
import { type Client, client, criminalRecordReceipt, idempotencyKey, waitFor } from '../testing/client.js';

const NHA_TRANG = demoUnitIds.nhaTrangCentre;
const JUSTICE = demoUnitIds.justice;
const [V1, V2] = vnCivilServiceCalendars.map((calendar) => calendar.version);
const FROM = '2026-03-01';
const TO = '2026-07-01';
/** After the late dossier's decision, before the open one's due under 2026.2. */
const AS_OF = '2026-06-08T08:30:00+07:00';
const PERIOD = ['--from', FROM, '--to', TO, '--as-of', AS_OF] as const;

let dataDir: string;
let system: EmbeddedSystem;
let api: Client;
let analyst: string;
let crossingDecided: string;
let crossingOpen: string;

function onestop(...args: string[]): Promise<CliRun> {
  return runCli(dataDir, args);
}

async function clock(now: string) {
  expect((await api.post('/v1/dev/clock', { now })).status).toBe(200);
}

const Comparison = z.object({
  calendars: z.tuple([z.string(), z.string()]),
  reports: z.tuple([z.looseObject({ source: z.string() }), z.looseObject({ source: z.string() })]),
  changedFigures: z.array(z.object({ figure: z.string(), values: z.tuple([z.unknown(), z.unknown()]) })),
  changedDossiers: z.array(
    z.object({
      dossierId: z.string(),
      dossierCode: z.string(),
      procedureCode: z.string(),
      due: z.tuple([z.string().nullable(), z.string().nullable()]),
      classification: z.tuple([z.string().nullable(), z.string().nullable()]),
    }),
  ),
});

const Counts = z.looseObject({
  received: z.number(),
  late: z.number(),
  onTime: z.number(),
  early: z.number(),
  inTime: z.number(),
  overdue: z.number(),
});

const instant = (local: string) => new Date(local).toISOString();

beforeAll(async () => {
  if (V1 === undefined || V2 === undefined) throw new Error('expected two calendar versions');
  dataDir = await mkdtemp(join(tmpdir(), 'onestop-kpi-compare-'));
  system = await startEmbedded({ dataDir, testClock: true, logger: false, pollIntervalMs: 50 });
  api = client(await system.app.listen({ port: 0, host: '127.0.0.1' }), system.jwtSecret);
  analyst = await api.token('analyst');
  const clerk = await api.token('clerk', NHA_TRANG, 'clerk-nha-trang');
  const specialist = await api.token('specialist', JUSTICE, 'specialist-justice');
  const leader = await api.token('leader', JUSTICE, 'leader-justice');

  const receiveAndTransfer = async (n: number) => {
    const reply = await api.post('/v1/intake/dossiers', criminalRecordReceipt(NHA_TRANG, JUSTICE, n), clerk, {
      'idempotency-key': idempotencyKey(),
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    const id = z.object({ dossierId: z.string() }).parse(reply.body).dossierId;
    const transfer = await api.post(
      `/v1/intake/dossiers/${id}/transfer`,
      { toUnitId: JUSTICE, channel: 'electronic' },
      clerk,
    );
    expect(transfer.status).toBe(200);
    await waitFor('the case to open', async () =>
      (await api.get(`/v1/processing/cases/${id}`, specialist)).status === 200 ? true : undefined,
    );
    return id;
  };
  const decide = async (id: string) => {
    for (const [path, body, token] of [
      ['assign', { officerId: 'specialist-justice' }, specialist],
      ['decide', { outcome: 'approved' }, leader],
    ] as const) {
      const reply = await api.post(`/v1/processing/cases/${id}/${path}`, body, token);
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    }
  };

  await clock('2026-03-09T09:00:00+07:00');
  const march = await receiveAndTransfer(1);
  await clock('2026-03-11T10:00:00+07:00');
  await decide(march);

  await clock('2026-05-22T09:00:00+07:00');
  crossingDecided = await receiveAndTransfer(2);
  crossingOpen = await receiveAndTransfer(3);
  await clock('2026-06-08T08:00:00+07:00');
  await decide(crossingDecided);

  await waitFor('the projection to catch up', async () => {
    const status = await system.projection.status();
    const bus = await system.bus.status();
    return status.lag === 0 && bus.lag === 0 ? status : undefined;
  });
}, 60_000);

afterAll(async () => {
  await system?.close();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

describe('pnpm onestop kpi --compare-calendar', () => {
  it('given a dossier whose due crosses the amended day, when compared as JSON, then V1 gives the endpoint figures and V2 reclassifies exactly the crossing dossiers', async () => {
    const run = await onestop(
      'kpi',
      '--unit',
      JUSTICE,
      ...PERIOD,
      '--compare-calendar',
      `${V1}`,
      `${V2}`,
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    const comparison = Comparison.parse(JSON.parse(run.stdout));
    expect(comparison.calendars).toEqual([V1, V2]);

    const http = await api.get(
      `/v1/kpi/units/${JUSTICE}?from=${FROM}&to=${TO}&asOf=${encodeURIComponent(AS_OF)}`,
      analyst,
    );
    expect(http.status).toBe(200);
    const { source: _endpointSource, ...endpoint } = z.looseObject({ source: z.string() }).parse(http.body);
    const [underV1, underV2] = comparison.reports;
    const { source: v1Source, ...v1Figures } = underV1;
    expect(v1Source).toBe('recomputed');
    expect(v1Figures).toEqual(endpoint);

    const before = Counts.parse(underV1);
    const after = Counts.parse(underV2);
    expect(before.received).toBe(3);
    expect(after.received).toBe(before.received);
    // The decided crossing dossier: late → on time; the open one: overdue → in time.
    expect(after.late).toBe(before.late - 1);
    expect(after.onTime).toBe(before.onTime + 1);
    expect(after.early).toBe(before.early);
    expect(after.overdue).toBe(before.overdue - 1);
    expect(after.inTime).toBe(before.inTime + 1);

    const changed = new Map(comparison.changedFigures.map((c) => [c.figure, c.values]));
    for (const figure of ['late', 'onTime', 'overdue', 'inTime', 'onTimeRate', 'points.progress']) {
      expect(changed.has(figure), figure).toBe(true);
    }
    expect(changed.get('late')).toEqual([before.late, after.late]);
    for (const [figure, [a, b]] of changed) expect(a, figure).not.toEqual(b);
    expect(changed.has('received')).toBe(false);

    // The test clock runs on from where it is set: the receipts are a few ms after 09:00, and so are the dues.
    const minutes = (due: readonly (string | null)[]) => due.map((d) => d?.slice(0, 16));
    const expectedDue = [instant('2026-06-05T09:00:00+07:00'), instant('2026-06-08T09:00:00+07:00')];
    expect(comparison.changedDossiers.map((d) => [d.dossierId, minutes(d.due), d.classification])).toEqual([
      [crossingDecided, minutes(expectedDue), ['late', 'on_time']],
      [crossingOpen, minutes(expectedDue), ['overdue', 'in_time']],
    ]);
    for (const { due } of comparison.changedDossiers) {
      // Fri 09:00 → Mon 09:00: exactly the one working day the amendment takes away, to the ms.
      expect(Date.parse(due[1] ?? '') - Date.parse(due[0] ?? '')).toBe(3 * 86_400_000);
    }
  }, 30_000);

  it('given the same comparison as a table, then both columns are printed, changed figures marked and the crossing dossiers listed by code', async () => {
    const [json, table] = await Promise.all([
      onestop('kpi', '--unit', JUSTICE, ...PERIOD, '--compare-calendar', `${V1}`, `${V2}`, '--json'),
      onestop('kpi', '--unit', JUSTICE, ...PERIOD, '--compare-calendar', `${V1}`, `${V2}`),
    ]);
    expect(table.code, table.stderr).toBe(0);
    const comparison = Comparison.parse(JSON.parse(json.stdout));
    const [before, after] = comparison.reports.map((report) => Counts.parse(report));
    expect(table.stdout).toMatch(new RegExp(`^ {2}calendar\\s+${V1}\\s+${V2}$`, 'm'));
    expect(table.stdout).toMatch(new RegExp(`^\\* late\\s+${before?.late}\\s+${after?.late}$`, 'm'));
    expect(table.stdout).toMatch(
      new RegExp(`^ {2}received\\s+${before?.received}\\s+${after?.received}$`, 'm'),
    );
    expect(table.stdout).toMatch(/^\* {3}progress\s+\S+\s+\S+$/m);
    expect(table.stdout).toContain(`${comparison.changedFigures.length} figure(s) differ (marked *)`);
    expect(table.stdout).toContain('2 dossier(s) whose due or classification changes:');
    const [decided, open] = comparison.changedDossiers;
    expect(table.stdout).toMatch(
      new RegExp(
        `^ {2}${decided?.dossierCode}\\s+\\S+\\s+2026-06-05 09:00 → 2026-06-08 09:00\\s+late → on_time$`,
        'm',
      ),
    );
    expect(table.stdout).toMatch(
      new RegExp(
        `^ {2}${open?.dossierCode}\\s+\\S+\\s+2026-06-05 09:00 → 2026-06-08 09:00\\s+overdue → in_time$`,
        'm',
      ),
    );
  }, 30_000);

  it('given the same version twice, then nothing differs', async () => {
    const run = await onestop(
      'kpi',
      '--unit',
      JUSTICE,
      ...PERIOD,
      '--compare-calendar',
      `${V2}`,
      `${V2}`,
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    const comparison = Comparison.parse(JSON.parse(run.stdout));
    expect(comparison.reports[0]).toEqual(comparison.reports[1]);
    expect(comparison.changedFigures).toEqual([]);
    expect(comparison.changedDossiers).toEqual([]);
  }, 30_000);

  it('given an unknown version, then it exits 1 naming it; a missing second version exits 2 with the usage', async () => {
    const [unknown, missing] = await Promise.all([
      onestop('kpi', '--unit', JUSTICE, '--compare-calendar', `${V1}`, 'vn-civil-service-1999.9'),
      onestop('kpi', '--unit', JUSTICE, '--compare-calendar', `${V1}`),
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('vn-civil-service-1999.9');
    expect(unknown.stderr).toContain('PROJ_UNKNOWN_CALENDAR_VERSION');
    expect(unknown.stderr).not.toContain('usage:');
    expect(unknown.stdout).toBe('');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--compare-calendar needs two values');
    expect(missing.stderr).toContain('usage: pnpm onestop');
  }, 30_000);
});
