import { randomUUID } from 'node:crypto';
import { useTestSchema } from '@onestop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aboutUnit,
  desk,
  type Harness,
  otherUnit,
  setLocal,
  startHarness,
  unit,
} from '../testing/harness.js';

const schema = useTestSchema('fb_read');
let h: Harness;
let specialist: string;
let filedId: string;
let acceptedId: string;
let elsewhereId: string;
beforeAll(async () => {
  h = await startHarness(schema.current);
  specialist = await h.token('specialist', unit);
  filedId = await h.file({ ...aboutUnit, contact: { phone: '0905 123 456' } });
  acceptedId = await h.file();
  setLocal(h.clock, '2026-03-10T10:00:00');
  expect((await h.post(`/v1/feedback/${acceptedId}/accept`, {}, specialist)).statusCode).toBe(200);
  elsewhereId = await h.file({ ...aboutUnit, subject: { kind: 'unit', unitId: otherUnit } });
});
afterAll(async () => {
  await h?.close();
});

describe('GET /v1/feedback/{id}', () => {
  it('given an officer of the responsible unit, then the item comes with what the citizen wrote', async () => {
    const res = await h.get(`/v1/feedback/${filedId}`, specialist);
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"0"');
    expect(res.json()).toMatchObject({
      feedbackId: filedId,
      status: 'filed',
      content: aboutUnit.content,
      contact: { phone: '0905 123 456' },
    });
  });

  it.each([
    ['clerk', desk],
    ['analyst', undefined],
  ] as const)('given a %s, then the item comes without the private part', async (role, unitId) => {
    const res = await h.get(`/v1/feedback/${filedId}`, await h.token(role, unitId));
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('filed');
    expect(res.json().content).toBeUndefined();
    expect(res.json().contact).toBeUndefined();
  });

  it('given an officer of another unit, then 403', async () => {
    const res = await h.get(`/v1/feedback/${filedId}`, await h.token('leader', otherUnit));
    expect(res.statusCode).toBe(403);
  });

  it('given an unknown id, then 404; a malformed one, 400; no token, 401', async () => {
    expect((await h.get(`/v1/feedback/${randomUUID()}`, specialist)).statusCode).toBe(404);
    expect((await h.get('/v1/feedback/nope', specialist)).json().details.issues[0].path).toBe('params.id');
    expect((await h.get(`/v1/feedback/${filedId}`, null)).statusCode).toBe(401);
  });
});

describe('GET /v1/feedback', () => {
  it("given an officer, then their unit's items are listed newest first, and only theirs", async () => {
    const res = await h.get('/v1/feedback', specialist);
    expect(res.statusCode).toBe(200);
    const ids = res.json().items.map((i: { feedbackId: string }) => i.feedbackId);
    expect(ids).toEqual([acceptedId, filedId]);
    expect(ids).not.toContain(elsewhereId);
  });

  it('given a status, then only items in it are listed', async () => {
    const res = await h.get(`/v1/feedback?unitId=${unit}&status=accepted`, specialist);
    expect(res.json().items.map((i: { feedbackId: string }) => i.feedbackId)).toEqual([acceptedId]);
  });

  it('given an analyst, then any unit is listed, without private parts', async () => {
    const res = await h.get(`/v1/feedback?unitId=${otherUnit}`, await h.token('analyst'));
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(1);
    expect(res.json().items[0]).toMatchObject({ feedbackId: elsewhereId });
    expect(res.json().items[0].content).toBeUndefined();
  });

  it('given an officer asking for another unit, then 403', async () => {
    const res = await h.get(`/v1/feedback?unitId=${otherUnit}`, specialist);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('AUTH_UNIT_FORBIDDEN');
  });

  it.each([
    ['an admin without a unit and no unitId', '/v1/feedback', 'querystring.unitId'],
    ['an unknown status', `/v1/feedback?unitId=${unit}&status=lost`, 'querystring.status'],
    ['a limit of 0', `/v1/feedback?unitId=${unit}&limit=0`, 'querystring.limit'],
  ])('given %s, then 400 names the parameter', async (_what, path, field) => {
    const res = await h.get(path, await h.token('admin'));
    expect(res.statusCode).toBe(400);
    expect(res.json().details.issues[0].path).toBe(field);
  });

  it('given a clerk, then listing is 403', async () => {
    expect((await h.get('/v1/feedback', await h.token('clerk', unit))).statusCode).toBe(403);
  });
});
