import { dossierEventFromStored, streamIdFor } from '@onestop/domain';
import { describe, expect, it } from 'vitest';
import { birthRegistration, newKey, units, useIntakeHarness } from '../fixtures/harness.js';
import { deskDossiersTable } from './table.js';

const h = useIntakeHarness();
const MONDAY = new Date('2025-07-07T02:00:00.000Z'); // 09:00 in Vietnam
const TUESDAY = new Date('2025-07-08T02:00:00.000Z');

async function bearer(role: Parameters<typeof h.current.token>[0], unitId?: string) {
  return { authorization: `Bearer ${await h.current.token(role, unitId)}` };
}

async function receiveAt(unitId: string): Promise<{ dossierId: string; dossierCode: string }> {
  const response = await h.current.app.inject({
    method: 'POST',
    url: '/v1/intake/dossiers',
    headers: { ...(await bearer('clerk', unitId)), 'idempotency-key': newKey() },
    payload: birthRegistration({ receivingUnitId: unitId }),
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

/**
 * What the consumer of each mode does: the dossiers' events applied to the desk table in a transaction each, run
 * twice as a redelivery would. Read per stream (`readAll` trails appends while other transactions in the cluster
 * are open).
 */
async function consume(dossierIds: readonly string[]): Promise<void> {
  const { store } = h.current;
  const desk = deskDossiersTable(store);
  await desk.ready();
  const events = [];
  for (const id of dossierIds) events.push(...(await store.readStream(streamIdFor('intake', id))));
  for (const _redelivery of [1, 2]) {
    for (const stored of events) {
      const event = dossierEventFromStored(stored);
      await store.withTransaction((tx) => desk.apply(event, tx));
    }
  }
}

async function deskDay(unitId: string, query = '', role: 'clerk' | 'admin' | 'specialist' = 'clerk') {
  return h.current.app.inject({
    url: `/v1/intake/units/${unitId}/received${query}`,
    headers: await bearer(role, role === 'admin' ? undefined : unitId),
  });
}

describe('the desk list of a one-stop centre', () => {
  it('given receipts at two centres on two days, one transferred and one withdrawn, when the consumer has applied them (twice), then each centre lists its own day, latest first, with where each stands', async () => {
    h.current.clock.set(MONDAY);
    const monday = await receiveAt(units.nhaTrangCentre);
    h.current.clock.set(TUESDAY);
    const first = await receiveAt(units.nhaTrangCentre);
    const second = await receiveAt(units.nhaTrangCentre);
    const third = await receiveAt(units.nhaTrangCentre);
    const elsewhere = await receiveAt(units.camRanhCentre);
    const clerk = await bearer('clerk', units.nhaTrangCentre);
    const transfer = await h.current.app.inject({
      method: 'POST',
      url: `/v1/intake/dossiers/${first.dossierId}/transfer`,
      headers: clerk,
      payload: { toUnitId: units.nhaTrangWard, channel: 'electronic' },
    });
    expect(transfer.statusCode).toBe(200);
    const withdraw = await h.current.app.inject({
      method: 'POST',
      url: `/v1/intake/dossiers/${second.dossierId}/withdraw`,
      headers: clerk,
      payload: { reason: 'Người nộp xin rút hồ sơ' },
    });
    expect(withdraw.statusCode).toBe(200);
    await consume([monday, first, second, third, elsewhere].map((d) => d.dossierId));

    // Today is the service's business day (Tuesday).
    const today = await deskDay(units.nhaTrangCentre);
    expect(today.statusCode).toBe(200);
    const body = today.json();
    expect(body).toMatchObject({ unitId: units.nhaTrangCentre, day: '2025-07-08' });
    expect(
      body.dossiers.map((d: { dossierCode: string; status: string }) => [d.dossierCode, d.status]),
    ).toEqual([
      [third.dossierCode, 'received'],
      [second.dossierCode, 'withdrawn'],
      [first.dossierCode, 'transferred'],
    ]);
    expect(body.dossiers[0]).toMatchObject({
      dossierId: third.dossierId,
      procedureCode: '1.001193',
      procedureName: expect.stringMatching(/khai sinh/i),
      channel: 'desk',
      crossBoundary: false,
      receivedAt: expect.stringMatching(/^2025-07-08T02:00/),
    });

    const earlier = (await deskDay(units.nhaTrangCentre, '?day=2025-07-07')).json();
    expect(earlier.dossiers.map((d: { dossierId: string }) => d.dossierId)).toEqual([monday.dossierId]);
    const other = (await deskDay(units.camRanhCentre)).json();
    expect(other.dossiers.map((d: { dossierId: string }) => d.dossierId)).toEqual([elsewhere.dossierId]);
  });

  it('given another centre’s clerk, a specialist, an admin and no token, then 403, 403, 200 and 401', async () => {
    const foreign = await h.current.app.inject({
      url: `/v1/intake/units/${units.nhaTrangCentre}/received`,
      headers: await bearer('clerk', units.camRanhCentre),
    });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json()).toMatchObject({ code: 'AUTH_UNIT_FORBIDDEN' });
    const specialist = await deskDay(units.nhaTrangCentre, '', 'specialist');
    expect(specialist.statusCode).toBe(403);
    expect(specialist.json()).toMatchObject({ code: 'AUTH_FORBIDDEN' });
    expect((await deskDay(units.nhaTrangCentre, '', 'admin')).statusCode).toBe(200);
    const anonymous = await h.current.app.inject({
      url: `/v1/intake/units/${units.nhaTrangCentre}/received`,
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('given a day that is no date, or a unit that does not exist, then 400 naming the day and 404 naming the unit', async () => {
    const bad = await deskDay(units.nhaTrangCentre, '?day=2025-13-40');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details.issues[0].path).toBe('querystring.day');
    const unknown = await deskDay('kh.no-such-unit', '', 'admin');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('CATALOG_UNIT_NOT_FOUND');
  });
});
