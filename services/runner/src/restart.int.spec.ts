/**
 * Embedded mode across restarts: the data stays, and the bus resumes from its checkpoint instead of re-applying
 * what it had applied; redelivering everything (a checkpoint lost) still duplicates nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoUnitIds } from '@onestop/catalog';
import { streamIdFor } from '@onestop/domain';
import { ReceiveResponse } from '@onestop/intake';
import { CaseView } from '@onestop/processing';
import { ReturnView } from '@onestop/result-return';
import { afterEach, describe, expect, it } from 'vitest';
import { BUS_CONSUMER } from './bus.js';
import { type EmbeddedSystem, startEmbedded } from './embedded.js';
import { type Client, client, criminalRecordReceipt, idempotencyKey, waitFor } from './testing/client.js';

const CENTRE = demoUnitIds.nhaTrangCentre;
const JUSTICE = demoUnitIds.justice;
const MONDAY_0900 = '2026-03-09T09:00:00+07:00';
/** After a restart business time goes on (the test clock starts afresh with each process). */
const MONDAY_1000 = '2026-03-09T10:00:00+07:00';

const dirs: string[] = [];
const running: EmbeddedSystem[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function boot(dataDir: string, now: string): Promise<{ system: EmbeddedSystem; api: Client }> {
  const system = await startEmbedded({ dataDir, testClock: true, logger: false, pollIntervalMs: 50 });
  running.push(system);
  const address = await system.app.listen({ port: 0, host: '127.0.0.1' });
  const api = client(address, system.jwtSecret);
  expect((await api.post('/v1/dev/clock', { now })).status).toBe(200);
  return { system, api };
}

async function stop(system: EmbeddedSystem): Promise<void> {
  await system.close();
  running.splice(running.indexOf(system), 1);
}

/** Receives, transfers and approves a dossier; waits until the bus has brought the result to the desk. */
async function decidedDossier(api: Client, n: number): Promise<{ dossierId: string; dossierCode: string }> {
  const clerk = await api.token('clerk', CENTRE);
  const leader = await api.token('leader', JUSTICE);
  const received = await api.post('/v1/intake/dossiers', criminalRecordReceipt(CENTRE, JUSTICE, n), clerk, {
    'idempotency-key': idempotencyKey(),
  });
  expect(received.status).toBe(201);
  const { dossierId, dossierCode } = ReceiveResponse.parse(received.body);
  const transfer = { toUnitId: JUSTICE, channel: 'electronic' };
  expect((await api.post(`/v1/intake/dossiers/${dossierId}/transfer`, transfer, clerk)).status).toBe(200);
  await waitFor('the case to open', async () => {
    const reply = await api.get(`/v1/processing/cases/${dossierId}`, leader);
    return reply.status === 200 ? reply : undefined;
  });
  expect(
    (await api.post(`/v1/processing/cases/${dossierId}/decide`, { outcome: 'approved' }, leader)).status,
  ).toBe(200);
  await waitFor('the result at the desk', async () => {
    const reply = await api.get(`/v1/return/dossiers/${dossierId}`, clerk);
    return reply.status === 200 ? reply : undefined;
  });
  return { dossierId, dossierCode };
}

async function typesOf(system: EmbeddedSystem, streamId: string): Promise<string[]> {
  return (await system.store.readStream(streamId)).map((e) => e.type);
}

async function caughtUp(system: EmbeddedSystem) {
  return waitFor('the bus to catch up', async () => {
    const status = await system.bus.status();
    return status.caughtUp && status.lag === 0 ? status : undefined;
  });
}

describe('embedded mode across restarts', () => {
  it('given a decided dossier, when the system is stopped and started on the same data dir, then everything is still there and the bus resumes from its checkpoint without re-applying', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'onestop-restart-'));
    dirs.push(dataDir);
    const first = await boot(dataDir, MONDAY_0900);
    const { dossierId, dossierCode } = await decidedDossier(first.api, 1);
    const before = await caughtUp(first.system);
    expect(before.metrics.applied).toBeGreaterThan(0);
    const jwtSecret = first.system.jwtSecret;
    await stop(first.system);

    const second = await boot(dataDir, MONDAY_1000);
    expect(second.system.jwtSecret).toBe(jwtSecret);
    const after = await caughtUp(second.system);
    // Resumed at the saved position: nothing was handled again.
    expect(await second.system.store.loadCheckpoint(BUS_CONSUMER)).toBe(String(before.checkpoint));
    expect(after.metrics.applied).toBe(0);
    expect(after.checkpoint).toBe(before.checkpoint);

    const clerk = await second.api.token('clerk', CENTRE);
    const leader = await second.api.token('leader', JUSTICE);
    const intake = await second.api.get(`/v1/intake/dossiers/${dossierId}`, clerk);
    expect(intake.body).toMatchObject({ dossierCode, status: 4 });
    const kase = CaseView.parse((await second.api.get(`/v1/processing/cases/${dossierId}`, leader)).body);
    expect(kase.status).toBe(9);
    const desk = ReturnView.parse((await second.api.get(`/v1/return/dossiers/${dossierId}`, clerk)).body);
    expect(desk.nationalStatus).toBe(9);
    expect(await typesOf(second.system, streamIdFor('processing', dossierId))).toEqual([
      'CaseOpened',
      'DossierDecided',
      'ResultSentToDesk',
    ]);
    expect(await typesOf(second.system, streamIdFor('result-return', dossierId))).toEqual([
      'ResultReceivedAtDesk',
    ]);

    // The bus still works after the restart, and the day's codes go on from where they were.
    const next = await decidedDossier(second.api, 2);
    expect(next.dossierCode).not.toBe(dossierCode);
    expect(Number(next.dossierCode.slice(-4))).toBe(Number(dossierCode.slice(-4)) + 1);
    expect(await typesOf(second.system, streamIdFor('processing', next.dossierId))).toEqual([
      'CaseOpened',
      'DossierDecided',
      'ResultSentToDesk',
    ]);
  });

  it('given the bus checkpoint is lost, when the system starts again, then every event is redelivered and no reaction is duplicated', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'onestop-redeliver-'));
    dirs.push(dataDir);
    const first = await boot(dataDir, MONDAY_0900);
    const { dossierId } = await decidedDossier(first.api, 3);
    const { head } = await caughtUp(first.system);
    await first.system.store.withTransaction(async (tx) => {
      await tx.query('DELETE FROM consumer_checkpoints WHERE name = $1', [BUS_CONSUMER]);
    });
    await stop(first.system);

    const second = await boot(dataDir, MONDAY_1000);
    const status = await caughtUp(second.system);
    // Every dossier event was handed to the reactors again (the bookkeeping events are passed over)...
    expect(status.metrics.applied).toBe(head);
    expect(status.head).toBe(head);
    expect(status.metrics.deadLettered).toBe(0);
    // ...and each reaction found its work done.
    expect(await typesOf(second.system, streamIdFor('processing', dossierId))).toEqual([
      'CaseOpened',
      'DossierDecided',
      'ResultSentToDesk',
    ]);
    expect(await typesOf(second.system, streamIdFor('result-return', dossierId))).toEqual([
      'ResultReceivedAtDesk',
    ]);
  });
});
