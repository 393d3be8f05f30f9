import { randomUUID } from 'node:crypto';
import { useTestSchema } from '@onestop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desk, type Harness, setLocal, startHarness, unit } from '../testing/harness.js';

const schema = useTestSchema('fb_citizen');
let h: Harness;
let clerk: string;
let specialist: string;
beforeAll(async () => {
  h = await startHarness(schema.current);
  clerk = await h.token('clerk', desk);
  specialist = await h.token('specialist', unit);
});
afterAll(async () => {
  await h?.close();
});

async function answered(publish = false): Promise<string> {
  const id = await h.file();
  setLocal(h.clock, '2026-03-10T10:00:00');
  expect((await h.post(`/v1/feedback/${id}/accept`, {}, specialist)).statusCode).toBe(200);
  expect((await h.post(`/v1/feedback/${id}/answer`, { answer: 'Refunded.' }, specialist)).statusCode).toBe(
    200,
  );
  if (publish) expect((await h.post(`/v1/feedback/${id}/publish`, {}, specialist)).statusCode).toBe(200);
  setLocal(h.clock, '2026-03-12T08:00:00');
  return id;
}

const rate = (id: string, body: unknown, token: string | null = clerk) =>
  h.post(`/v1/feedback/${id}/rate`, body, token);
const followUp = (id: string, body: unknown, token: string | null = clerk) =>
  h.post(`/v1/feedback/${id}/follow-up`, body, token);

describe('POST /v1/feedback/{id}/rate', () => {
  it.each([false, true])(
    'given an answer (published: %s), when the filer rates it, then the rating is recorded',
    async (publish) => {
      const res = await rate(await answered(publish), { rating: 'dissatisfied' });
      expect(res.statusCode).toBe(200);
      expect(res.json().rating).toEqual({ rating: 'dissatisfied', at: '2026-03-12T01:00:00.000Z' });
    },
  );

  it('given a rating, then a second rating is 409 and the first stands', async () => {
    const id = await answered();
    await rate(id, { rating: 'satisfied' });
    const res = await rate(id, { rating: 'dissatisfied' });
    expect(res.statusCode).toBe(409);
    expect(res.json().details).toMatchObject({
      currentStatus: 'answered',
      reason: 'already rated satisfied',
    });
    expect((await h.get(`/v1/feedback/${id}`, clerk)).json().rating.rating).toBe('satisfied');
  });

  it('given feedback not yet answered, then rating is 409 naming the status', async () => {
    const res = await rate(await h.file(), { rating: 'satisfied' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'DOM_FEEDBACK_INVALID_TRANSITION',
      details: { currentStatus: 'filed' },
    });
  });

  it.each([
    ['an unknown rating', { rating: 'meh' }],
    ['a numeric rating', { rating: 1 }],
    ['no rating', {}],
  ])('given %s, then 400 names body.rating', async (_what, body) => {
    const res = await rate(await answered(), body);
    expect(res.statusCode).toBe(400);
    expect(res.json().details.issues[0].path).toBe('body.rating');
  });

  it.each(['specialist', 'analyst'] as const)('given a %s, then 403', async (role) => {
    expect((await rate(randomUUID(), { rating: 'satisfied' }, await h.token(role, unit))).statusCode).toBe(
      403,
    );
  });

  it('given an unknown id, then 404; given no token, then 401', async () => {
    expect((await rate(randomUUID(), { rating: 'satisfied' })).statusCode).toBe(404);
    expect((await rate(randomUUID(), { rating: 'satisfied' }, null)).statusCode).toBe(401);
  });
});

describe('POST /v1/feedback/{id}/follow-up', () => {
  it('given an answer, when the filer follows up, then it is recorded and the officer reads the text', async () => {
    const id = await answered(true);

    const res = await followUp(id, { content: 'The refund never arrived.' });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'published', followedUpAt: '2026-03-12T01:00:00.000Z' });
    expect(res.json().followUp).toBeUndefined();
    const officerView = (await h.get(`/v1/feedback/${id}`, specialist)).json();
    expect(officerView.followUp).toBe('The refund never arrived.');
    const events = await h.store.readStream(`feedback-${id}`);
    expect(events.at(-1)?.type).toBe('FeedbackFollowedUp');
    expect(JSON.stringify(events.at(-1)?.data)).not.toContain('refund never arrived');
  });

  it('given a follow-up, then a second is 409 and the first text stays', async () => {
    const id = await answered();
    await followUp(id, { content: 'First.' });
    const res = await followUp(id, { content: 'Second.' });
    expect(res.statusCode).toBe(409);
    expect((await h.get(`/v1/feedback/${id}`, specialist)).json().followUp).toBe('First.');
  });

  it('given feedback not yet answered, then a follow-up is 409 and its text is not kept', async () => {
    const id = await h.file();
    const res = await followUp(id, { content: 'Too early.' });
    expect(res.statusCode).toBe(409);
    expect((await h.get(`/v1/feedback/${id}`, specialist)).json().followUp).toBeUndefined();
  });

  it.each([
    ['no content', {}],
    ['blank content', { content: ' ' }],
  ])('given %s, then 400 names body.content', async (_what, body) => {
    const res = await followUp(await answered(), body);
    expect(res.statusCode).toBe(400);
    expect(res.json().details.issues[0].path).toBe('body.content');
  });

  it('given a leader, then 403', async () => {
    expect((await followUp(randomUUID(), { content: 'x' }, await h.token('leader', unit))).statusCode).toBe(
      403,
    );
  });
});
