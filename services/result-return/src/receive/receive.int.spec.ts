import { randomUUID } from 'node:crypto';
import { useTestSchema } from '@onestop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  consume,
  decidedDossier,
  type Harness,
  otherUnit,
  processingEvent,
  resultSentToDesk,
  returningUnit,
  startHarness,
} from '../testing/harness.js';
import { receiveResultOnResultSentToDesk } from './reactor.js';

const schema = useTestSchema('ret_recv');
let h: Harness;
beforeAll(async () => {
  h = await startHarness(schema.current);
});
afterAll(async () => {
  await h?.close();
});

const url = (id: string) => `/v1/return/dossiers/${id}/receive-result`;

describe('receiveResultOnResultSentToDesk', () => {
  it('given ResultSentToDesk, then ResultReceivedAtDesk is appended to return-{id}, caused by it, at its business time', async () => {
    const id = randomUUID();
    const cause = resultSentToDesk(id);

    await receiveResultOnResultSentToDesk(cause, h.deps);

    const stream = await h.store.readStream(`return-${id}`);
    expect(stream).toHaveLength(1);
    expect(stream[0]).toMatchObject({
      type: 'ResultReceivedAtDesk',
      data: { returningUnitId: returningUnit },
      metadata: {
        dossierId: id,
        occurredAt: cause.occurredAt,
        source: 'result-return',
        correlationId: cause.correlationId,
        causationId: cause.eventId,
        actor: { id: 'result-return', role: 'system', unitId: returningUnit },
      },
    });
  });

  it('given the same event delivered again, and three times at once, then one event is stored', async () => {
    const id = randomUUID();
    const cause = resultSentToDesk(id);

    await receiveResultOnResultSentToDesk(cause, h.deps);
    await receiveResultOnResultSentToDesk(cause, h.deps);
    await Promise.all([1, 2, 3].map(() => receiveResultOnResultSentToDesk(cause, h.deps)));

    expect((await h.store.readStream(`return-${id}`)).map((e) => e.type)).toEqual(['ResultReceivedAtDesk']);
  });

  it('given an event of another type, then nothing is appended', async () => {
    const id = randomUUID();
    const other = processingEvent(id, 'DossierDecided', { outcome: 'approved' });

    await receiveResultOnResultSentToDesk(other, h.deps);

    expect(await h.store.readStream(`return-${id}`)).toEqual([]);
  });
});

describe('POST /v1/return/dossiers/{id}/receive-result', () => {
  it('given a clerk of the returning unit, when receiving a paper result, then the dossier is at status 9 at their desk', async () => {
    const id = await decidedDossier(h);
    const clerk = await h.token('clerk', returningUnit);

    const first = await h.post(url(id), {}, clerk);
    const again = await h.post(url(id), {}, clerk);

    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({
      dossierId: id,
      version: 0,
      nationalStatus: 9,
      returningUnitId: returningUnit,
      receivedAt: '2026-03-09T03:00:00.000Z',
      receivedBy: 'clerk-1',
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().version).toBe(0);
  });

  it('given an admin naming the unit, then it is received there', async () => {
    const res = await h.post(
      url(await decidedDossier(h)),
      { returningUnitId: otherUnit },
      await h.token('admin'),
    );
    expect(res.statusCode).toBe(201);
    expect(res.json().returningUnitId).toBe(otherUnit);
  });

  it('given a result already received electronically at another desk, then 409 names that desk', async () => {
    const id = randomUUID();
    await receiveResultOnResultSentToDesk(resultSentToDesk(id, returningUnit), h.deps);

    const res = await h.post(url(id), {}, await h.token('clerk', otherUnit));

    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'RET_RECEIVED_BY_OTHER_UNIT',
      details: { dossierId: id, returningUnitId: returningUnit },
    });
  });

  it('given a dossier processing has not decided, or has stopped, then 409 naming its status and nothing is stored', async () => {
    const clerk = await h.token('clerk', returningUnit);
    const unknown = randomUUID();
    const inProcessing = randomUUID();
    await consume(
      h,
      processingEvent(inProcessing, 'SupplementRequested', { reason: 'Thiếu giấy tờ', requestNumber: 1 }),
    );
    const stopped = randomUUID();
    await consume(h, processingEvent(stopped, 'ProcessingStopped', { reason: 'Hồ sơ giả mạo' }));

    for (const [id, status] of [
      [unknown, 'none'],
      [inProcessing, 5],
      [stopped, 8],
    ] as const) {
      const res = await h.post(url(id), {}, clerk);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({
        code: 'DOM_INVALID_TRANSITION',
        details: { currentStatus: status },
      });
      expect(await h.store.readStream(`return-${id}`)).toEqual([]);
    }
  });

  it('given a clerk naming a unit other than their own, then 403', async () => {
    const res = await h.post(
      url(randomUUID()),
      { returningUnitId: otherUnit },
      await h.token('clerk', returningUnit),
    );
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('AUTH_UNIT_FORBIDDEN');
  });

  it.each(['specialist', 'leader', 'analyst'] as const)('given a %s, then 403', async (role) => {
    const res = await h.post(url(randomUUID()), {}, await h.token(role, returningUnit));
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('AUTH_FORBIDDEN');
  });

  it('given no token, then 401', async () => {
    expect((await h.post(url(randomUUID()), {}, null)).statusCode).toBe(401);
  });

  it('given an admin without a unit, then 400 names body.returningUnitId', async () => {
    const res = await h.post(url(randomUUID()), {}, await h.token('admin'));
    expect(res.statusCode).toBe(400);
    expect(res.json().details.issues).toEqual([
      { path: 'body.returningUnitId', message: expect.any(String) },
    ]);
  });

  it('given a unit id of the wrong type, then 400 names body.returningUnitId', async () => {
    const res = await h.post(url(randomUUID()), { returningUnitId: 5 }, await h.token('admin'));
    expect(res.statusCode).toBe(400);
    expect(res.json().details.issues[0].path).toBe('body.returningUnitId');
  });

  it('given a unit that is not in the registry, then 404 names it and nothing is stored', async () => {
    const id = randomUUID();
    const res = await h.post(url(id), { returningUnitId: 'kh.no-such-unit' }, await h.token('admin'));
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('CATALOG_UNIT_NOT_FOUND');
    expect(await h.store.readStream(`return-${id}`)).toEqual([]);
  });

  it('given a dossier id that is not a UUID, then 400 names params.id', async () => {
    const res = await h.post(url('x'), {}, await h.token('clerk', returningUnit));
    expect(res.statusCode).toBe(400);
    expect(res.json().details.issues[0].path).toBe('params.id');
  });
});
