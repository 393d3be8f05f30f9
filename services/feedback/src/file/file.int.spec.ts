import { randomUUID } from 'node:crypto';
import { demoUnitIds } from '@onestop/catalog';
import { useTestSchema } from '@onestop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aboutUnit, desk, type Harness, startHarness, unit } from '../testing/harness.js';

const schema = useTestSchema('fb_file');
let h: Harness;
let clerk: string;
beforeAll(async () => {
  h = await startHarness(schema.current);
  clerk = await h.token('clerk', desk);
});
afterAll(async () => {
  await h?.close();
});

const file = (body: unknown, token: string | null = clerk) => h.post('/v1/feedback', body, token);

describe('POST /v1/feedback', () => {
  it('given feedback about a unit, when a clerk files it, then it is filed with the decision due in 2 working days', async () => {
    const res = await file(aboutUnit);

    expect(res.statusCode).toBe(201);
    const view = res.json();
    expect(res.headers.location).toBe(`/v1/feedback/${view.feedbackId}`);
    expect(view).toMatchObject({
      status: 'filed',
      version: 0,
      subject: { kind: 'unit', unitId: unit },
      responsibleUnitId: unit,
      channel: 'phone',
      category: 'report',
      filedAt: '2026-03-09T02:00:00.000Z',
      filedBy: 'clerk-1',
      // Mon 09:00 + 2 working days = Wed 09:00 (UTC+7).
      decisionDueAt: '2026-03-11T02:00:00.000Z',
      openStages: [
        { stage: 'decision', dueAt: '2026-03-11T02:00:00.000Z' },
        { stage: 'infoRequest', dueAt: '2026-03-16T02:00:00.000Z' },
      ],
      actions: ['accept', 'refuse', 'request-info'],
      attachments: [],
    });
    // The filing clerk is not an officer of the responsible unit: no private part.
    expect(view.content).toBeUndefined();
  });

  it('given a filing, then the event carries a pseudonymous filer and nothing the citizen wrote', async () => {
    const res = await file({ ...aboutUnit, contact: { name: 'Nguyễn Văn A', phone: '0905 123 456' } });
    const { feedbackId, filerId } = res.json();

    const [stored, ...more] = await h.store.readStream(`feedback-${feedbackId}`);
    expect(more).toHaveLength(0);
    expect(stored?.type).toBe('FeedbackFiled');
    expect(stored?.metadata).toMatchObject({ dossierId: feedbackId, source: 'feedback' });
    expect(stored?.data).toMatchObject({ feedbackId, filerId });
    const wire = JSON.stringify({ data: stored?.data, metadata: stored?.metadata });
    for (const personal of ['Nguyễn', '0905', 'paper the procedure']) expect(wire).not.toContain(personal);
  });

  it('given a received dossier, when feedback is filed about it, then its competent unit handles it and its id keys the event', async () => {
    const { dossierId, dossierCode } = await h.receivedDossier(demoUnitIds.construction);

    const res = await file({ ...aboutUnit, subject: { kind: 'dossier', dossierId } });

    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      subject: { kind: 'dossier', dossierId, dossierCode },
      responsibleUnitId: demoUnitIds.construction,
    });
    const [stored] = await h.store.readStream(`feedback-${res.json().feedbackId}`);
    expect(stored?.metadata.dossierId).toBe(dossierId);
  });

  it('given a procedure with one competent unit, then that unit handles the feedback', async () => {
    const res = await file({ ...aboutUnit, subject: { kind: 'procedure', procedureCode: '2.000488' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      subject: { kind: 'procedure', procedureCode: '2.000488' },
      responsibleUnitId: demoUnitIds.justice,
    });
  });

  it('given a procedure handled by every ward, then the unit must be named and must be one of them', async () => {
    const subject = { kind: 'procedure', procedureCode: '1.001193' };
    const missing = await file({ ...aboutUnit, subject });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().details.issues[0].path).toBe('body.subject.unitId');

    const named = await file({ ...aboutUnit, subject: { ...subject, unitId: demoUnitIds.camRanhWard } });
    expect(named.statusCode).toBe(201);
    expect(named.json().responsibleUnitId).toBe(demoUnitIds.camRanhWard);

    const wrong = await file({ ...aboutUnit, subject: { ...subject, unitId: demoUnitIds.justice } });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json()).toMatchObject({
      code: 'FB_UNIT_NOT_COMPETENT',
      details: { field: 'body.subject.unitId' },
    });
  });

  it.each([
    ['a dossier never received', { kind: 'dossier', dossierId: randomUUID() }, 'body.subject.dossierId'],
    ['a unit not in the registry', { kind: 'unit', unitId: 'kh.nowhere' }, 'body.subject.unitId'],
    // Abolished on 1 Jul 2025 by the two-level reform: no longer in force.
    ['a unit no longer in force', { kind: 'unit', unitId: 'kh.so-gtvt' }, 'body.subject.unitId'],
    [
      'a procedure not in the catalogue',
      { kind: 'procedure', procedureCode: '9.999999' },
      'body.subject.procedureCode',
    ],
  ])(
    'given %s, then 422 FB_SUBJECT_UNKNOWN names the field and nothing is filed',
    async (_what, subject, field) => {
      const before = await h.itemCount();
      const res = await file({ ...aboutUnit, subject });
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ code: 'FB_SUBJECT_UNKNOWN', details: { field } });
      expect(await h.itemCount()).toBe(before);
    },
  );

  const { subject: _s, ...withoutSubject } = aboutUnit;
  const { content: _c, ...withoutContent } = aboutUnit;
  it.each([
    ['no subject', withoutSubject, 'body.subject'],
    ['a subject of an unknown kind', { ...aboutUnit, subject: { kind: 'person' } }, 'body.subject.kind'],
    [
      'a dossier id that is not a uuid',
      { ...aboutUnit, subject: { kind: 'dossier', dossierId: '42' } },
      'body.subject.dossierId',
    ],
    ['no content', withoutContent, 'body.content'],
    ['blank content', { ...aboutUnit, content: '   ' }, 'body.content'],
    ['an unknown channel', { ...aboutUnit, channel: 'fax' }, 'body.channel'],
    ['a malformed phone number', { ...aboutUnit, contact: { phone: 'call me' } }, 'body.contact.phone'],
    [
      'an attachment without content',
      { ...aboutUnit, attachments: [{ fileName: 'x.pdf' }] },
      'body.attachments.0.contentBase64',
    ],
    [
      'an attachment that is not base64',
      { ...aboutUnit, attachments: [{ contentBase64: 'not base64!' }] },
      'body.attachments.0.contentBase64',
    ],
  ])('given %s, then 400 names the field', async (_what, body, path) => {
    const res = await file(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('COMMON_VALIDATION_FAILED');
    expect(res.json().details.issues.map((i: { path: string }) => i.path)).toContain(path);
  });

  it.each(['specialist', 'leader', 'analyst'] as const)('given a %s, then filing is 403', async (role) => {
    const res = await file(aboutUnit, await h.token(role, unit));
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('AUTH_FORBIDDEN');
  });

  it('given no token, then 401', async () => {
    expect((await file(aboutUnit, null)).statusCode).toBe(401);
  });
});
