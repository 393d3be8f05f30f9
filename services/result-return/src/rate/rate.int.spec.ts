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

const schema = useTestSchema('ret_rate');
let h: Harness;
let clerk: string;
beforeAll(async () => {
  h = await startHarness(schema.current);
  clerk = await h.token('clerk', returningUnit);
});
afterAll(async () => {
  await h?.close();
});

const url = (id: string) => `/v1/return/dossiers/${id}/rate`;

async function received(): Promise<string> {
  const id = randomUUID();
  await receiveResultOnResultSentToDesk(resultSentToDesk(id), h.deps);
  return id;
}

async function returned(): Promise<string> {
  const id = await received();
  const res = await h.post(`/v1/return/dossiers/${id}/return`, { channel: 'desk' }, clerk);
  expect(res.statusCode).toBe(200);
  return id;
}

describe('POST /v1/return/dossiers/{id}/rate', () => {
  it('given a returned result, when the applicant rates it, then the rating is recorded', async () => {
    const id = await returned();

    const res = await h.post(url(id), { rating: 3 }, clerk);

    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      nationalStatus: 10,
      rating: 3,
      ratedAt: '2026-03-09T03:00:00.000Z',
      version: 2,
    });
  });

  it('given a rating already recorded, then rating again is 409 and the first rating stands', async () => {
    const id = await returned();
    await h.post(url(id), { rating: 1 }, clerk);

    const res = await h.post(url(id), { rating: 4 }, clerk);

    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'DOM_INVALID_TRANSITION',
      details: { reason: 'already rated 1' },
    });
    const view = await h.app.inject({
      method: 'GET',
      url: `/v1/return/dossiers/${id}`,
      headers: { authorization: `Bearer ${clerk}` },
    });
    expect(view.json().rating).toBe(1);
  });

  it('given a result at the desk but not returned, then rating is 409 naming status 9', async () => {
    const res = await h.post(url(await received()), { rating: 2 }, clerk);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'DOM_INVALID_TRANSITION', details: { currentStatus: 9 } });
  });

  it('given nothing received, then rating is 409', async () => {
    const res = await h.post(url(randomUUID()), { rating: 2 }, clerk);
    expect(res.statusCode).toBe(409);
    expect(res.json().details.currentStatus).toBe('none');
  });

  it.each([
    ['rating 5', { rating: 5 }],
    ['rating 0', { rating: 0 }],
    ['a rating as a string', { rating: '1' }],
    ['no rating', {}],
  ])('given %s, then 400 names body.rating', async (_what, body) => {
    const res = await h.post(url(await returned()), body, clerk);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('COMMON_VALIDATION_FAILED');
    expect(res.json().details.issues[0].path).toBe('body.rating');
  });

  it('given a clerk of another unit, then 403', async () => {
    const res = await h.post(url(await returned()), { rating: 2 }, await h.token('clerk', otherUnit));
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('AUTH_UNIT_FORBIDDEN');
  });

  it.each(['specialist', 'analyst'] as const)('given a %s, then 403', async (role) => {
    const res = await h.post(url(await returned()), { rating: 2 }, await h.token(role, returningUnit));
    expect(res.statusCode).toBe(403);
  });

  it('given no token, then 401', async () => {
    expect((await h.post(url(randomUUID()), { rating: 2 }, null)).statusCode).toBe(401);
  });
});
