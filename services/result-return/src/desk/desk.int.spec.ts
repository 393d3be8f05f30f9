import { randomUUID } from 'node:crypto';
import { demoUnitIds } from '@onestop/catalog';
import { type DossierEvent, dossierEventFromStored, streamIdFor } from '@onestop/domain';
import { dossierReceivedEvent } from '@onestop/domain/testing';
import { uuidv7 } from '@onestop/service-kit';
import { useTestSchema } from '@onestop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiveResultOnResultSentToDesk } from '../receive/reactor.js';
import {
  type Harness,
  otherUnit,
  resultSentToDesk,
  returningUnit,
  startHarness,
} from '../testing/harness.js';
import { deskResultsTable } from './table.js';

const schema = useTestSchema('ret_desk');
let h: Harness;
beforeAll(async () => {
  h = await startHarness(schema.current);
});
afterAll(async () => {
  await h?.close();
});

let serial = 0;
/** Intake's receipt of the dossier, as the topic (or the embedded bus) delivers it to this service's consumer. */
function dossierReceived(dossierId: string): { event: DossierEvent; code: string } {
  serial += 1;
  const code = `000.00.21.H34-260302-${String(serial).padStart(4, '0')}`;
  const event = dossierReceivedEvent({
    eventId: uuidv7(),
    dossierId,
    data: {
      dossierCode: code,
      receivingUnitId: returningUnit,
      competentUnitId: demoUnitIds.justice,
      crossBoundary: true,
      applicantId: randomUUID(),
    },
  });
  return { event, code };
}

/** The result sent to a desk at `at`, received there by the reactor; its stored events, parsed. */
async function atDesk(
  dossierId: string,
  at: string,
  unitId: string = returningUnit,
): Promise<DossierEvent[]> {
  await receiveResultOnResultSentToDesk({ ...resultSentToDesk(dossierId, unitId), occurredAt: at }, h.deps);
  return stored(dossierId);
}

async function stored(dossierId: string): Promise<DossierEvent[]> {
  return (await h.store.readStream(streamIdFor('result-return', dossierId))).map(dossierEventFromStored);
}

async function waiting(unitId: string, role: 'clerk' | 'admin' | 'analyst' = 'clerk', asUnit = unitId) {
  return h.app.inject({
    url: `/v1/return/units/${unitId}/waiting`,
    headers: { authorization: `Bearer ${await h.token(role, role === 'clerk' ? asUnit : undefined)}` },
  });
}

describe('the results waiting at a returning desk', () => {
  it('given three results at the desk (one returned) and one elsewhere, events applied out of order and twice, then the desk lists the two waiting, longest first, with their codes', async () => {
    const [early, late, returned, elsewhere] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const receipts = [early, late, returned, elsewhere].map(dossierReceived);
    const events = [
      ...(await atDesk(late, '2026-03-06T08:00:00.000Z')),
      ...(await atDesk(early, '2026-03-05T08:00:00.000Z')),
      ...(await atDesk(returned, '2026-03-04T08:00:00.000Z')),
      ...(await atDesk(elsewhere, '2026-03-04T08:00:00.000Z', otherUnit)),
    ];
    const clerk = await h.token('clerk', returningUnit);
    expect(
      (await h.post(`/v1/return/dossiers/${returned}/return`, { channel: 'desk' }, clerk)).statusCode,
    ).toBe(200);
    const returnedEvents = await stored(returned);
    // The desk's events before intake's receipts (another service's relay may publish later), then a redelivery.
    const desk = deskResultsTable(h.store);
    await desk.ready();
    const delivery = [...events, ...returnedEvents, ...receipts.map((r) => r.event)];
    for (const event of [...delivery, ...delivery])
      await h.store.withTransaction((tx) => desk.apply(event, tx));

    const answer = await waiting(returningUnit);
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({
      unitId: returningUnit,
      results: [
        {
          dossierId: early,
          dossierCode: receipts[0]?.code,
          procedureCode: '2.000488',
          receivedAt: '2026-03-05T08:00:00.000Z',
        },
        {
          dossierId: late,
          dossierCode: receipts[1]?.code,
          procedureCode: '2.000488',
          receivedAt: '2026-03-06T08:00:00.000Z',
        },
      ],
    });
    const other = (await waiting(otherUnit)).json();
    expect(other.results.map((r: { dossierId: string }) => r.dossierId)).toEqual([elsewhere]);
  });

  it('given a result whose receipt was not seen, then it is listed without a code', async () => {
    const id = randomUUID();
    const desk = deskResultsTable(h.store);
    for (const event of await atDesk(id, '2026-03-07T01:00:00.000Z', demoUnitIds.phanRangCentre)) {
      await h.store.withTransaction((tx) => desk.apply(event, tx));
    }
    expect((await waiting(demoUnitIds.phanRangCentre)).json().results).toEqual([
      { dossierId: id, dossierCode: null, procedureCode: null, receivedAt: '2026-03-07T01:00:00.000Z' },
    ]);
  });

  it('given another unit’s clerk, an analyst, an admin and an unknown unit, then 403, 403, 200 and 404', async () => {
    const foreign = await waiting(returningUnit, 'clerk', otherUnit);
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().code).toBe('AUTH_UNIT_FORBIDDEN');
    const analyst = await waiting(returningUnit, 'analyst');
    expect(analyst.statusCode).toBe(403);
    expect(analyst.json().code).toBe('AUTH_FORBIDDEN');
    expect((await waiting(returningUnit, 'admin')).statusCode).toBe(200);
    const unknown = await waiting('kh.no-such-unit', 'admin');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('CATALOG_UNIT_NOT_FOUND');
  });
});
