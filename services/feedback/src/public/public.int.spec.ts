import { randomUUID } from 'node:crypto';
import { demoUnitIds } from '@onestop/catalog';
import { feedbackFollowUpSecret, trackingSecret } from '@onestop/domain';
import type { App } from '@onestop/service-kit';
import { useTestSchema } from '@onestop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, setLocal, startHarness, trackingKey, unit } from '../testing/harness.js';

const schema = useTestSchema('fb_public');
let h: Harness;
let specialist: string;
beforeAll(async () => {
  h = await startHarness(schema.current);
  specialist = await h.token('specialist', unit);
});
afterAll(async () => {
  await h?.close();
});

const send = (method: 'GET' | 'POST', url: string, body?: unknown, app?: App, remoteAddress?: string) =>
  (app ?? h.app).inject({
    method,
    url,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) }),
    ...(remoteAddress === undefined ? {} : { remoteAddress }),
  });
const filePublic = (body: unknown) => send('POST', '/v1/public/feedback', body);

const aboutUnit = {
  subject: { kind: 'unit', unitId: unit },
  content: 'Tôi là Trần Thị B (0905 999 888): bộ phận một cửa giữ hồ sơ của tôi một tuần không hẹn.',
  contact: { name: 'Trần Thị B', phone: '0905 999 888' },
} as const;

async function filed(body: unknown = aboutUnit): Promise<{ reference: string; secret: string }> {
  h.clock.set(new Date('2026-03-09T02:00:00Z'));
  const res = await filePublic(body);
  expect(res.statusCode).toBe(201);
  return { reference: res.json().reference, secret: res.json().followUpSecret };
}

const status = (reference: string, secret: string) =>
  send('GET', `/v1/public/feedback/${reference}?secret=${encodeURIComponent(secret)}`);

describe('POST /v1/public/feedback (no account)', () => {
  it('given feedback about a unit, when a citizen files it without a token, then 201 with a reference and a follow-up secret', async () => {
    h.clock.set(new Date('2026-03-09T02:00:00Z'));
    const res = await filePublic(aboutUnit);

    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.reference).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.followUpSecret).toBe(feedbackFollowUpSecret(trackingKey, body.reference));
    expect(body.statusPath).toBe(
      `/#/public/feedback?reference=${body.reference}&secret=${body.followUpSecret}`,
    );
    expect(body.feedback).toMatchObject({
      reference: body.reference,
      status: 'filed',
      subject: { kind: 'unit', unitId: unit },
      responsibleUnitId: unit,
      decisionDueAt: '2026-03-11T02:00:00.000Z',
      openStages: [
        { stage: 'decision', dueAt: '2026-03-11T02:00:00.000Z' },
        { stage: 'infoRequest', dueAt: '2026-03-16T02:00:00.000Z' },
      ],
      canRate: false,
    });
    // Filed online by the portal: the event names no citizen and holds nothing they wrote.
    const [event] = await h.store.readStream(`feedback-${body.reference}`);
    expect(event?.data).toMatchObject({ channel: 'online', responsibleUnitId: unit });
    expect(event?.metadata.actor).toEqual({ id: 'citizen-portal', role: 'system' });
    const wire = JSON.stringify({ data: event?.data, metadata: event?.metadata });
    for (const personal of ['Trần', '0905', 'một tuần']) expect(wire).not.toContain(personal);
    // The responsible unit reads it, like any other filing.
    const officer = await h.get(`/v1/feedback/${body.reference}`, specialist);
    expect(officer.json()).toMatchObject({
      filedBy: 'citizen-portal',
      channel: 'online',
      content: aboutUnit.content,
      contact: aboutUnit.contact,
    });
  });

  it('given a dossier code and its receipt secret, then the dossier’s competent unit handles the feedback', async () => {
    const { dossierId, dossierCode } = await h.receivedDossier(demoUnitIds.construction);
    const secret = trackingSecret(trackingKey, dossierCode);

    // Typed from paper: lower case, with a dash.
    const typed = `${secret.slice(0, 6).toLowerCase()}-${secret.slice(6)}`;
    const res = await filePublic({ ...aboutUnit, subject: { kind: 'dossier', dossierCode, secret: typed } });

    expect(res.statusCode).toBe(201);
    expect(res.json().feedback).toMatchObject({
      subject: { kind: 'dossier', dossierCode },
      responsibleUnitId: demoUnitIds.construction,
    });
    expect(JSON.stringify(res.json())).not.toContain(dossierId);
    const [event] = await h.store.readStream(`feedback-${res.json().reference}`);
    expect(event?.metadata.dossierId).toBe(dossierId);
  });

  it('given a wrong secret for a received dossier, or a code never received, then the same 422 body and nothing is filed', async () => {
    const { dossierCode } = await h.receivedDossier();
    const unknownCode = '999.99.99.H34-260305-0001';
    const before = await h.itemCount();

    const wrong = await filePublic({
      ...aboutUnit,
      subject: { kind: 'dossier', dossierCode, secret: trackingSecret(trackingKey, unknownCode) },
    });
    const unknown = await filePublic({
      ...aboutUnit,
      subject: {
        kind: 'dossier',
        dossierCode: unknownCode,
        secret: trackingSecret(trackingKey, unknownCode),
      },
    });
    const garbled = await filePublic({
      ...aboutUnit,
      subject: { kind: 'dossier', dossierCode, secret: '???' },
    });

    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({
      code: 'FB_DOSSIER_NOT_MATCHED',
      details: { field: 'body.subject' },
    });
    expect(unknown.body).toBe(wrong.body);
    expect(garbled.body).toBe(wrong.body);
    expect(await h.itemCount()).toBe(before);
  });

  it('given an unknown unit, then 422 FB_SUBJECT_UNKNOWN names the field', async () => {
    const res = await filePublic({ ...aboutUnit, subject: { kind: 'unit', unitId: 'kh.nowhere' } });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'FB_SUBJECT_UNKNOWN',
      details: { field: 'body.subject.unitId' },
    });
  });

  const { subject: _s, ...withoutSubject } = aboutUnit;
  it.each([
    ['no subject', withoutSubject, 'body.subject'],
    ['a subject of an unknown kind', { ...aboutUnit, subject: { kind: 'person' } }, 'body.subject.kind'],
    [
      'a dossier subject without its secret',
      { ...aboutUnit, subject: { kind: 'dossier', dossierCode: '000.00.01.H34-260305-0001' } },
      'body.subject.secret',
    ],
    [
      'a malformed dossier code',
      { ...aboutUnit, subject: { kind: 'dossier', dossierCode: 'not-a-code', secret: 'H7GYJWJ86CZZ' } },
      'body.subject.dossierCode',
    ],
    ['blank content', { ...aboutUnit, content: ' ' }, 'body.content'],
    ['a channel (always online here)', { ...aboutUnit, channel: 'desk' }, 'body'],
    [
      'six attachments',
      { ...aboutUnit, attachments: Array.from({ length: 6 }, () => ({ contentBase64: 'JVBERi0xLjQK' })) },
      'body.attachments',
    ],
  ])('given %s, then 400 names the field', async (_what, body, field) => {
    const res = await filePublic(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().details.issues.map((i: { path: string }) => i.path)).toContain(field);
  });
});

describe('the filer follows their feedback with the reference and secret', () => {
  it('given the unit handles it, then the public status follows, with the answer, and no officer ids or text of the filer', async () => {
    const { reference, secret } = await filed();
    setLocal(h.clock, '2026-03-10T10:00:00');
    expect((await h.post(`/v1/feedback/${reference}/accept`, {}, specialist)).statusCode).toBe(200);
    setLocal(h.clock, '2026-03-20T15:00:00');
    const answer = 'Sở đã chấn chỉnh bộ phận một cửa.';
    expect((await h.post(`/v1/feedback/${reference}/answer`, { answer }, specialist)).statusCode).toBe(200);

    const res = await status(reference, secret.toLowerCase());

    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      reference,
      status: 'answered',
      accepted: { at: '2026-03-10T03:00:00.000Z', late: false },
      answered: { answer, late: false },
      openStages: [{ stage: 'publication', dueAt: '2026-03-24T08:00:00.000Z' }],
      canRate: true,
      canFollowUp: true,
    });
    for (const hidden of ['specialist-1', 'Trần', '0905']) expect(res.body).not.toContain(hidden);
  });

  it('given a wrong secret, an unknown reference, or a secret that cannot be one, then the same 404 body', async () => {
    const { reference, secret } = await filed();
    const other = await filed();
    const wrong = await status(reference, other.secret);
    const unknown = await status(randomUUID(), secret);
    const garbled = await status(reference, '!!');
    expect(wrong.statusCode).toBe(404);
    expect(wrong.json().code).toBe('FB_PUBLIC_NOT_FOUND');
    expect(unknown.body).toBe(wrong.body);
    expect(garbled.body).toBe(wrong.body);
  });

  it('given an answer, when the filer rates it and follows up with the secret, then each is recorded once and the officer reads the follow-up', async () => {
    const { reference, secret } = await filed();
    setLocal(h.clock, '2026-03-10T10:00:00');
    await h.post(`/v1/feedback/${reference}/accept`, {}, specialist);
    await h.post(`/v1/feedback/${reference}/answer`, { answer: 'Đã xử lý.' }, specialist);
    const url = `/v1/public/feedback/${reference}`;

    expect(
      (await send('POST', `${url}/rate`, { secret: 'H7GYJWJ86CZZ', rating: 'satisfied' })).statusCode,
    ).toBe(404);
    const rated = await send('POST', `${url}/rate`, { secret, rating: 'dissatisfied' });
    expect(rated.statusCode).toBe(200);
    expect(rated.json()).toMatchObject({ rating: 'dissatisfied', canRate: false });
    expect((await send('POST', `${url}/rate`, { secret, rating: 'satisfied' })).statusCode).toBe(409);

    const text = 'Câu trả lời chưa nói khi nào trả lại hồ sơ cho tôi.';
    const followed = await send('POST', `${url}/follow-up`, { secret, content: text });
    expect(followed.statusCode).toBe(200);
    expect(followed.json()).toMatchObject({ followedUp: true, canFollowUp: false });
    expect(followed.body).not.toContain(text);
    expect((await h.get(`/v1/feedback/${reference}`, specialist)).json().followUp).toBe(text);
    const events = await h.store.readStream(`feedback-${reference}`);
    expect(events.slice(-2).map((e) => [e.type, e.metadata.actor])).toEqual([
      ['FeedbackRated', { id: 'citizen-portal', role: 'system' }],
      ['FeedbackFollowedUp', { id: 'citizen-portal', role: 'system' }],
    ]);
  });

  it('given feedback not yet answered, then rating is 409', async () => {
    const { reference, secret } = await filed();
    const res = await send('POST', `/v1/public/feedback/${reference}/rate`, { secret, rating: 'satisfied' });
    expect(res.statusCode).toBe(409);
  });

  it('given a low limit, then the requests past it from one address are 429 while another address is served', async () => {
    const app = await h.withRateLimit({ max: 2 });
    const url = `/v1/public/feedback/${randomUUID()}?secret=H7GYJWJ86CZZ`;
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push(await send('GET', url, undefined, app, '203.0.113.7'));
    expect(answers.map((a) => a.statusCode)).toEqual([404, 404, 429]);
    expect(answers[2]?.json()).toMatchObject({ code: 'PUBLIC_RATE_LIMITED' });
    expect((await send('GET', url, undefined, app, '203.0.113.8')).statusCode).toBe(404);
  });
});
