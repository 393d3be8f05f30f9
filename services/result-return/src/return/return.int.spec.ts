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

const schema = useTestSchema('ret_return');
let h: Harness;
let clerk: string;
beforeAll(async () => {
  h = await startHarness(schema.current);
  clerk = await h.token('clerk', returningUnit);
});
afterAll(async () => {
  await h?.close();
});

const url = (id: string) => `/v1/return/dossiers/${id}/return`;

async function received(): Promise<string> {
  const id = randomUUID();
  await receiveResultOnResultSentToDesk(resultSentToDesk(id), h.deps);
  return id;
}

describe('POST /v1/return/dossiers/{id}/return', () => {
  it('given a result at the desk, when the clerk of that unit returns it, then the dossier is at status 10', async () => {
    const id = await received();

    const res = await h.post(url(id), { channel: 'postal' }, clerk);

    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"1"');
    expect(res.json()).toMatchObject({
      dossierId: id,
      version: 1,
      nationalStatus: 10,
      channel: 'postal',
      returnedAt: '2026-03-09T03:00:00.000Z',
    });
  });

  it('given a result already returned, then returning again is 409 naming status 10', async () => {
    const id = await received();
    await h.post(url(id), { channel: 'desk' }, clerk);

    const res = await h.post(url(id), { channel: 'desk' }, clerk);

    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'DOM_INVALID_TRANSITION', details: { currentStatus: 10 } });
  });

  it('given a result not yet received, then 409 says so', async () => {
    const res = await h.post(url(randomUUID()), { channel: 'desk' }, clerk);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'DOM_INVALID_TRANSITION', details: { currentStatus: 'none' } });
  });

  it('given a clerk of another unit, then 403 and the result stays at the desk', async () => {
    const id = await received();

    const res = await h.post(url(id), { channel: 'desk' }, await h.token('clerk', otherUnit));

    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('AUTH_UNIT_FORBIDDEN');
    expect((await h.store.readStream(`return-${id}`)).length).toBe(1);
  });

  it('given an admin, then any unit result may be returned', async () => {
    const id = await received();
    const res = await h.post(url(id), { channel: 'online' }, await h.token('admin'));
    expect(res.statusCode).toBe(200);
    expect(res.json().channel).toBe('online');
  });

  it.each(['specialist', 'leader', 'analyst'] as const)('given a %s, then 403', async (role) => {
    const res = await h.post(url(await received()), { channel: 'desk' }, await h.token(role, returningUnit));
    expect(res.statusCode).toBe(403);
  });

  it('given no token, then 401', async () => {
    expect((await h.post(url(randomUUID()), { channel: 'desk' }, null)).statusCode).toBe(401);
  });

  it.each([
    ['an unknown channel', { channel: 'email' }, 'body.channel'],
    ['no channel', {}, 'body.channel'],
    ['a body that is not an object', [], 'body'],
  ])('given %s, then 400 names %s', async (_what, body, path) => {
    const res = await h.post(url(randomUUID()), body, clerk);
    expect(res.statusCode).toBe(400);
    expect(res.json().details.issues[0].path).toBe(path);
  });
});
