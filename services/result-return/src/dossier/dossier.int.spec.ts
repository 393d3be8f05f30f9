import { randomUUID } from 'node:crypto';
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

const schema = useTestSchema('ret_get');
let h: Harness;
let clerk: string;
let id: string;
beforeAll(async () => {
  h = await startHarness(schema.current);
  clerk = await h.token('clerk', returningUnit);
  id = randomUUID();
  await receiveResultOnResultSentToDesk(resultSentToDesk(id), h.deps);
  await h.post(`/v1/return/dossiers/${id}/return`, { channel: 'desk' }, clerk);
  await h.post(`/v1/return/dossiers/${id}/rate`, { rating: 2 }, clerk);
});
afterAll(async () => {
  await h?.close();
});

function get(dossierId: string, token: string | null) {
  return h.app.inject({
    method: 'GET',
    url: `/v1/return/dossiers/${dossierId}`,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
}

describe('GET /v1/return/dossiers/{id}', () => {
  it('given a received, returned and rated result, then the whole return is shown', async () => {
    const res = await get(id, clerk);
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"2"');
    expect(res.json()).toEqual({
      dossierId: id,
      version: 2,
      nationalStatus: 10,
      returningUnitId: returningUnit,
      receivedAt: '2026-03-06T09:30:00.000Z',
      receivedBy: 'system',
      channel: 'desk',
      returnedAt: '2026-03-09T03:00:00.000Z',
      rating: 2,
      ratedAt: '2026-03-09T03:00:00.000Z',
    });
  });

  it.each(['analyst', 'admin'] as const)('given an %s, then any unit may be read', async (role) => {
    expect((await get(id, await h.token(role))).statusCode).toBe(200);
  });

  it('given a clerk of another unit, then 403', async () => {
    const res = await get(id, await h.token('clerk', otherUnit));
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('AUTH_UNIT_FORBIDDEN');
  });

  it('given a specialist, then 403', async () => {
    expect((await get(id, await h.token('specialist', returningUnit))).statusCode).toBe(403);
  });

  it('given a result that never reached a desk, then 404', async () => {
    const res = await get(randomUUID(), clerk);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('RET_DOSSIER_NOT_FOUND');
  });

  it('given an id that is not a UUID, then 400 names params.id', async () => {
    const res = await get('nope', clerk);
    expect(res.statusCode).toBe(400);
    expect(res.json().details.issues[0].path).toBe('params.id');
  });

  it('given no token, then 401', async () => {
    expect((await get(id, null)).statusCode).toBe(401);
  });
});
