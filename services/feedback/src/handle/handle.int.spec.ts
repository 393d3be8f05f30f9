import { randomUUID } from 'node:crypto';
import { useTestSchema } from '@onestop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, otherUnit, setLocal, startHarness, unit } from '../testing/harness.js';

const schema = useTestSchema('fb_handle');
let h: Harness;
let specialist: string;
let leader: string;
beforeAll(async () => {
  h = await startHarness(schema.current);
  specialist = await h.token('specialist', unit);
  leader = await h.token('leader', unit);
});
afterAll(async () => {
  await h?.close();
});

const url = (id: string, step: string) => `/v1/feedback/${id}/${step}`;

async function act(id: string, step: string, local: string, body: unknown = {}, token = specialist) {
  setLocal(h.clock, local);
  return h.post(url(id, step), body, token);
}

async function accepted(): Promise<string> {
  const id = await h.file();
  expect((await act(id, 'accept', '2026-03-10T10:00:00')).statusCode).toBe(200);
  return id;
}

async function answered(): Promise<string> {
  const id = await accepted();
  expect((await act(id, 'answer', '2026-03-20T15:00:00', { answer: 'Refunded.' })).statusCode).toBe(200);
  return id;
}

describe('the responsible unit handles feedback', () => {
  it('given filed feedback, when accepted, asked, answered and published in time, then each stage is on time', async () => {
    const id = await h.file();

    const accept = await act(id, 'accept', '2026-03-10T10:00:00');
    expect(accept.statusCode).toBe(200);
    expect(accept.json()).toMatchObject({
      status: 'accepted',
      accepted: {
        at: '2026-03-10T03:00:00.000Z',
        by: 'specialist-1',
        dueAt: '2026-03-11T02:00:00.000Z',
        late: false,
      },
      // Still to come: information within 5 working days of filing, the answer within 15 of acceptance.
      openStages: [
        { stage: 'infoRequest', dueAt: '2026-03-16T02:00:00.000Z' },
        { stage: 'answer', dueAt: '2026-03-31T03:00:00.000Z' },
      ],
      actions: ['request-info', 'answer'],
    });

    const ask = await act(id, 'request-info', '2026-03-12T10:00:00', { reason: 'Which desk, which day?' });
    expect(ask.statusCode).toBe(200);
    expect(ask.json()).toMatchObject({
      status: 'accepted',
      // Five working days after filing (Mon 09:00): the next Monday 09:00.
      infoRequested: { reason: 'Which desk, which day?', dueAt: '2026-03-16T02:00:00.000Z', late: false },
    });

    const answer = await act(
      id,
      'answer',
      '2026-03-20T15:00:00',
      { answer: 'The desk was corrected.' },
      leader,
    );
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toMatchObject({
      status: 'answered',
      // Fifteen working days after acceptance (Tue 10 Mar 10:00): Tue 31 Mar 10:00.
      answered: {
        answer: 'The desk was corrected.',
        by: 'leader-1',
        dueAt: '2026-03-31T03:00:00.000Z',
        late: false,
      },
    });

    const publish = await act(id, 'publish', '2026-03-23T08:00:00', {}, leader);
    expect(publish.statusCode).toBe(200);
    expect(publish.json()).toMatchObject({
      status: 'published',
      version: 4,
      // Two working days after Fri 15:00, over the weekend: Tue 15:00.
      published: { dueAt: '2026-03-24T08:00:00.000Z', late: false },
    });
    // Commands answer the pseudonymous item; the officer reads what the citizen wrote with a GET (logged).
    expect(publish.json().content).toBeUndefined();
    expect(publish.json()).toMatchObject({ openStages: [], actions: [] });
    const read = await h.get(`/v1/feedback/${id}`, leader);
    expect(read.json().content).toContain('paper the procedure does not list');
  });

  it('given feedback filed Mon 09:00, when refused Wed 09:01, then the refusal is recorded late', async () => {
    const id = await h.file();
    const res = await act(id, 'refuse', '2026-03-11T09:01:00', { reason: 'A matter for the ward.' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'refused',
      refused: { reason: 'A matter for the ward.', dueAt: '2026-03-11T02:00:00.000Z', late: true },
    });
  });

  it('given acceptance Tue 10 Mar, when answered Wed 1 Apr, then the answer is recorded late', async () => {
    const id = await accepted();
    const res = await act(id, 'answer', '2026-04-01T08:00:00', { answer: 'Sorry for the delay.' });
    expect(res.statusCode).toBe(200);
    expect(res.json().answered).toMatchObject({ dueAt: '2026-03-31T03:00:00.000Z', late: true });
  });

  it('given an answer, when published three working days later, then publication is late', async () => {
    const id = await answered();
    const res = await act(id, 'publish', '2026-03-25T16:00:00');
    expect(res.json().published).toMatchObject({ dueAt: '2026-03-24T08:00:00.000Z', late: true });
  });

  it('given an admin without a unit, then they may handle any unit’s feedback', async () => {
    const id = await h.file();
    const res = await act(id, 'accept', '2026-03-10T10:00:00', {}, await h.token('admin'));
    expect(res.statusCode).toBe(200);
  });
});

describe('refusals', () => {
  it.each([
    ['answer', 'filed', { answer: 'x' }],
    ['publish', 'filed', {}],
  ])('given filed feedback, when %s, then 409 names status %s', async (step, status, body) => {
    const res = await act(await h.file(), step, '2026-03-10T10:00:00', body);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'DOM_FEEDBACK_INVALID_TRANSITION',
      details: { currentStatus: status },
    });
  });

  it.each([
    ['accept', {}],
    ['refuse', { reason: 'late idea' }],
    ['publish', {}],
  ])('given accepted feedback, when %s, then 409', async (step, body) => {
    const res = await act(await accepted(), step, '2026-03-11T10:00:00', body);
    expect(res.statusCode).toBe(409);
    expect(res.json().details.currentStatus).toBe('accepted');
  });

  it('given answered feedback, then asking for information is 409', async () => {
    const res = await act(await answered(), 'request-info', '2026-03-21T10:00:00', { reason: 'too late' });
    expect(res.statusCode).toBe(409);
  });

  it('given an unknown feedback id, then 404 FB_NOT_FOUND', async () => {
    const res = await act(randomUUID(), 'accept', '2026-03-10T10:00:00');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('FB_NOT_FOUND');
  });

  it.each([
    ['accept', {}],
    ['refuse', { reason: 'r' }],
    ['request-info', { reason: 'r' }],
    ['answer', { answer: 'a' }],
    ['publish', {}],
  ])('given an officer of another unit, when %s, then 403 and nothing is recorded', async (step, body) => {
    const id = await h.file();
    const res = await act(id, step, '2026-03-10T10:00:00', body, await h.token('leader', otherUnit));
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('AUTH_UNIT_FORBIDDEN');
    expect(await h.store.readStream(`feedback-${id}`)).toHaveLength(1);
  });

  it.each(['clerk', 'analyst'] as const)('given a %s, then handling is 403', async (role) => {
    const res = await act(await h.file(), 'accept', '2026-03-10T10:00:00', {}, await h.token(role, unit));
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('AUTH_FORBIDDEN');
  });

  it('given no token, then 401', async () => {
    expect((await h.post(url(randomUUID(), 'accept'), {}, null)).statusCode).toBe(401);
  });

  it.each([
    ['refuse', {}, 'body.reason'],
    ['refuse', { reason: '' }, 'body.reason'],
    ['request-info', { reason: 42 }, 'body.reason'],
    ['answer', {}, 'body.answer'],
    ['answer', { answer: '  ' }, 'body.answer'],
    ['accept', { note: 'unexpected' }, 'body'],
  ])('given %s with a malformed body %j, then 400 names %s', async (step, body, path) => {
    const res = await act(await h.file(), step, '2026-03-10T10:00:00', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().details.issues.map((i: { path: string }) => i.path)).toContain(path);
  });

  it('given a feedback id that is not a uuid, then 400 names params.id', async () => {
    const res = await h.post(url('42', 'accept'), {}, specialist);
    expect(res.statusCode).toBe(400);
    expect(res.json().details.issues[0].path).toBe('params.id');
  });
});
