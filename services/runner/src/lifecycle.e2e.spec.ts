/**
 * One dossier through its whole life in embedded mode, over real HTTP: received at a commune centre for a
 * provincial department (cross-boundary), digitized, transferred; the bus opens the case; the department pauses
 * it for a supplement and approves it; the bus brings the result to the desk; the clerk returns it and records a
 * rating. Every service's state and every stream are checked at the end.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoUnitIds } from '@onestop/catalog';
import { DigitizationView } from '@onestop/digitization';
import { dossierEventFromStored, streamIdFor } from '@onestop/domain';
import { ReceiveResponse } from '@onestop/intake';
import { CaseView } from '@onestop/processing';
import { ReturnView } from '@onestop/result-return';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BUS_CONSUMER } from './bus.js';
import { type EmbeddedSystem, startEmbedded } from './embedded.js';
import { type Client, client, idempotencyKey, tinyPdf, waitFor } from './testing/client.js';

/** Cấp Phiếu lý lịch tư pháp: 10 working days, competent unit the provincial Department of Justice. */
const CRIMINAL_RECORD = '2.000488';
const CENTRE = demoUnitIds.nhaTrangCentre; // a commune (ward) one-stop centre
const JUSTICE = demoUnitIds.justice; // a provincial department
/** Monday 9 March 2026, 09:00 in Vietnam; the next working morning is Tuesday 10 March. */
const MONDAY_0900 = '2026-03-09T09:00:00+07:00';
const TUESDAY_0900 = '2026-03-10T09:00:00+07:00';
const HOUR = 3_600_000;

const IntakeDossier = z.looseObject({
  dossierId: z.string(),
  dossierCode: z.string(),
  status: z.number(),
  dueAt: z.string(),
  crossBoundary: z.boolean(),
  units: z.looseObject({ receiving: z.string(), competent: z.string(), transferredTo: z.string() }),
});
const Readiness = z.object({
  status: z.string(),
  checks: z.record(z.string(), z.looseObject({ ok: z.boolean(), detail: z.string().optional() })),
});

let dataDir: string;
let system: EmbeddedSystem;
let api: Client;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'onestop-e2e-'));
  system = await startEmbedded({ dataDir, testClock: true, logger: false, pollIntervalMs: 50 });
  const address = await system.app.listen({ port: 0, host: '127.0.0.1' });
  api = client(address, system.jwtSecret);
});

afterAll(async () => {
  await system?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('embedded mode, end to end over HTTP', () => {
  it('given a cross-boundary dossier, when it goes through receipt, digitization, transfer, processing with a supplement, decision, return and rating, then every service agrees and every stream is in order', async () => {
    const clerk = await api.token('clerk', CENTRE, 'clerk-nha-trang');
    const specialist = await api.token('specialist', JUSTICE, 'specialist-justice');
    const leader = await api.token('leader', JUSTICE, 'leader-justice');

    expect((await api.post('/v1/dev/clock', { now: MONDAY_0900 })).status).toBe(200);

    // Receipt at the ward centre for the provincial department.
    const received = await api.post(
      '/v1/intake/dossiers',
      {
        procedureCode: CRIMINAL_RECORD,
        channel: 'desk',
        receivingUnitId: CENTRE,
        competentUnitId: JUSTICE,
        applicant: { type: 1, fullName: 'Lê Thị Hoa', idNumber: '056190001234', phone: '0905000111' },
        components: [
          { code: 'to-khai-lltp', provided: true },
          { code: 'giay-to-tuy-than', provided: true },
        ],
      },
      clerk,
      { 'idempotency-key': idempotencyKey() },
    );
    expect(received.status).toBe(201);
    const receipt = ReceiveResponse.parse(received.body);
    const { dossierId } = receipt;
    // 10 working days from Monday 09:00 (plus the moments the test clock has run since it was set): Monday
    // two weeks later, 09:00.
    const dueDrift = Date.parse(receipt.dueAt) - Date.parse('2026-03-23T09:00:00+07:00');
    expect(dueDrift).toBeGreaterThanOrEqual(0);
    expect(dueDrift).toBeLessThan(60_000);

    // Digitization of both components.
    const documents = { 'to-khai-lltp': tinyPdf('to khai'), 'giay-to-tuy-than': tinyPdf('cccd') };
    for (const [code, bytes] of Object.entries(documents)) {
      const digitized = await api.post(
        `/v1/digitization/dossiers/${dossierId}/components`,
        {
          code,
          fileName: `${code}.pdf`,
          mediaType: 'application/pdf',
          contentBase64: bytes.toString('base64'),
        },
        clerk,
      );
      expect(digitized.status).toBe(201);
    }

    // Transfer; the bus opens the case at the department.
    const transferred = await api.post(
      `/v1/intake/dossiers/${dossierId}/transfer`,
      { toUnitId: JUSTICE, channel: 'electronic' },
      clerk,
    );
    expect(transferred.status).toBe(200);
    const opened = await waitFor('the case to open', async () => {
      const reply = await api.get(`/v1/processing/cases/${dossierId}`, specialist);
      return reply.status === 200 ? CaseView.parse(reply.body) : undefined;
    });
    expect(opened).toMatchObject({ status: 4, competentUnitId: JUSTICE, receivingUnitId: CENTRE });

    // Processing: assign, pause for a supplement over one working day, approve.
    const assigned = await api.post(
      `/v1/processing/cases/${dossierId}/assign`,
      { officerId: 'specialist-justice' },
      specialist,
    );
    expect(assigned.status).toBe(200);
    const paused = await api.post(
      `/v1/processing/cases/${dossierId}/request-supplement`,
      { reason: 'Bản chụp căn cước không rõ' },
      specialist,
    );
    expect(paused.status).toBe(200);
    expect(CaseView.parse(paused.body).status).toBe(5);
    expect((await api.post('/v1/dev/clock', { now: TUESDAY_0900 })).status).toBe(200);
    const resumed = await api.post(`/v1/processing/cases/${dossierId}/receive-supplement`, {}, specialist);
    expect(resumed.status).toBe(200);
    expect(CaseView.parse(resumed.body).status).toBe(4);
    const decided = await api.post(
      `/v1/processing/cases/${dossierId}/decide`,
      { outcome: 'approved' },
      leader,
    );
    expect(decided.status).toBe(200);

    // The bus brings the result to the receiving desk; the clerk returns it and records the rating.
    const atDesk = await waitFor('the result to reach the desk', async () => {
      const reply = await api.get(`/v1/return/dossiers/${dossierId}`, clerk);
      return reply.status === 200 ? ReturnView.parse(reply.body) : undefined;
    });
    expect(atDesk).toMatchObject({ nationalStatus: 9, returningUnitId: CENTRE, receivedBy: 'system' });
    expect(
      (await api.post(`/v1/return/dossiers/${dossierId}/return`, { channel: 'desk' }, clerk)).status,
    ).toBe(200);
    expect((await api.post(`/v1/return/dossiers/${dossierId}/rate`, { rating: 1 }, clerk)).status).toBe(200);

    // --- every service's state ---------------------------------------------------------------------------
    const intake = IntakeDossier.parse((await api.get(`/v1/intake/dossiers/${dossierId}`, clerk)).body);
    expect(intake).toMatchObject({
      dossierCode: receipt.dossierCode,
      status: 4,
      dueAt: receipt.dueAt,
      crossBoundary: true,
      units: { receiving: CENTRE, competent: JUSTICE, transferredTo: JUSTICE },
    });

    const digitization = DigitizationView.parse(
      (await api.get(`/v1/digitization/dossiers/${dossierId}`, clerk)).body,
    );
    expect(
      Object.fromEntries(digitization.components.map((c) => [c.code, [c.sha256, c.mediaType, c.sizeBytes]])),
    ).toEqual(
      Object.fromEntries(
        Object.entries(documents).map(([code, bytes]) => [
          code,
          [createHash('sha256').update(bytes).digest('hex'), 'application/pdf', bytes.length],
        ]),
      ),
    );

    const processing = CaseView.parse((await api.get(`/v1/processing/cases/${dossierId}`, specialist)).body);
    expect(processing.status).toBe(9);
    expect(processing.statutoryDueAt).toBe(receipt.dueAt);
    // Paused from Monday ~09:00 to Tuesday 09:00 (business time moves with the wall clock between steps):
    // 8 working hours, so the due moves from Monday 23 to Tuesday 24 March, ~09:00.
    expect(processing.clock?.pausedWorkingHours).toBeGreaterThan(7.9);
    expect(processing.clock?.pausedWorkingHours).toBeLessThanOrEqual(8);
    const moved = Date.parse(processing.clock?.statutoryDueAt ?? '') - Date.parse(receipt.dueAt);
    expect(Math.abs(moved - 24 * HOUR)).toBeLessThan(5 * 60_000);
    expect(processing.clock?.classification.statutory).toBe('early');

    const returned = ReturnView.parse((await api.get(`/v1/return/dossiers/${dossierId}`, clerk)).body);
    expect(returned).toMatchObject({ nationalStatus: 10, channel: 'desk', rating: 1 });

    // The vault on the embedded store: the clerk reads the applicant through the dossier (and it is logged).
    const personal = await api.get(
      `/v1/intake/applicants/${receipt.applicantId}/personal-data?purpose=${encodeURIComponent('trả kết quả')}&dossierId=${dossierId}`,
      clerk,
    );
    expect(personal.status).toBe(200);
    expect(personal.body).toMatchObject({ fullName: 'Lê Thị Hoa', idNumber: '056190001234' });

    // --- every stream, in order, and the causal links across services -------------------------------------
    const stream = async (source: 'intake' | 'digitization' | 'processing' | 'result-return') =>
      (await system.store.readStream(streamIdFor(source, dossierId))).map(dossierEventFromStored);
    const intakeEvents = await stream('intake');
    const processingEvents = await stream('processing');
    const returnEvents = await stream('result-return');
    expect(intakeEvents.map((e) => e.type)).toEqual(['DossierReceived', 'DossierTransferred']);
    expect((await stream('digitization')).map((e) => e.type)).toEqual([
      'ComponentDigitized',
      'ComponentDigitized',
    ]);
    expect(processingEvents.map((e) => e.type)).toEqual([
      'CaseOpened',
      'CaseAssigned',
      'SupplementRequested',
      'SupplementReceived',
      'DossierDecided',
      'ResultSentToDesk',
    ]);
    expect(returnEvents.map((e) => e.type)).toEqual([
      'ResultReceivedAtDesk',
      'ResultReturned',
      'SatisfactionRated',
    ]);
    for (const events of [intakeEvents, processingEvents, returnEvents]) {
      expect(events.map((e) => e.streamVersion)).toEqual(events.map((_, i) => i));
    }
    expect(processingEvents[0]?.causationId).toBe(intakeEvents[1]?.eventId);
    expect(returnEvents[0]?.causationId).toBe(processingEvents[5]?.eventId);
    // The case opened at the hand-over instant, not when the bus happened to run.
    expect(processingEvents[0]?.occurredAt).toBe(intakeEvents[1]?.occurredAt);

    // The bus is caught up, and says so on the readiness probe.
    const ready = await waitFor('the bus to catch up', async () => {
      const reply = Readiness.parse((await api.get('/health/ready')).body);
      return reply.checks.bus?.detail?.includes('lag 0 ') ? reply : undefined;
    });
    expect(ready.status).toBe('ok');
    expect(ready.checks.bus?.ok).toBe(true);
    expect(await system.store.loadCheckpoint(BUS_CONSUMER)).toBe((await system.bus.status()).head.toString());

    // --- the analyst's view: the projection has counted the dossier -----------------------------------------
    await waitFor('the projection to catch up', async () => {
      const reply = Readiness.parse((await api.get('/health/ready')).body);
      return reply.checks.projection?.ok && reply.checks.projection.detail?.includes('lag 0 ')
        ? reply
        : undefined;
    });
    const analyst = await api.token('analyst', undefined, 'analyst-province');
    const period = 'from=2026-03-01&to=2026-04-01';
    const kpi = await api.get(`/v1/kpi/units/${JUSTICE}?${period}`, analyst);
    expect(kpi.status).toBe(200);
    expect(kpi.body).toMatchObject({
      unitId: JUSTICE,
      received: 1,
      ended: 1,
      early: 1,
      onTime: 0,
      late: 0,
      open: 0,
      onTimeRate: 1,
      // Both components were scanned; the result was not digitized, so 4.2 is not met yet.
      componentsDigitizedRate: 1,
      digitizationRate: 0,
      rated: 1,
      dissatisfied: 0,
    });
    const drill = await api.get(`/v1/kpi/units/${JUSTICE}/dossiers?${period}`, analyst);
    expect(drill.status).toBe(200);
    expect(drill.body).toMatchObject({
      total: 1,
      items: [{ dossierId, dossierCode: receipt.dossierCode, classification: 'early', nationalStatus: 10 }],
    });
    const timeline = await api.get(`/v1/dossiers/${dossierId}/timeline`, analyst);
    expect(timeline.status).toBe(200);
    const entries = z
      .object({ events: z.array(z.object({ type: z.string(), nationalStatus: z.number().nullable() })) })
      .parse(timeline.body).events;
    expect(entries).toHaveLength(13);
    const statuses = entries.flatMap((e, i) =>
      e.nationalStatus !== null && e.nationalStatus !== entries[i - 1]?.nationalStatus
        ? [e.nationalStatus]
        : [],
    );
    expect(statuses).toEqual([2, 4, 5, 4, 9, 10]);
  });
});
