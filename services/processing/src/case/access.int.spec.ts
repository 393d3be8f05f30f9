/** Who may do what on a case, and what a malformed request gets, route by route. */
import { streamIdFor } from '@onestop/domain';
import { beforeAll, describe, expect, it } from 'vitest';
import { command, FINANCE, getCase, openCase, tokens, useProcessing } from '../testing/fixture.js';
import { CaseView } from './view.js';

const p = useProcessing();

/** A valid body per route: refusals must come from who the caller is, not from what they sent. */
const routes = [
  { action: 'assign', body: { officerId: 'o-1' }, leaderOnly: false },
  { action: 'complete-step', body: {}, leaderOnly: false },
  { action: 'request-supplement', body: { reason: 'thiếu' }, leaderOnly: false },
  { action: 'receive-supplement', body: {}, leaderOnly: false },
  { action: 'request-payment', body: { amount: 1000 }, leaderOnly: false },
  { action: 'confirm-payment', body: { online: true }, leaderOnly: false },
  { action: 'consult', body: { toUnitId: FINANCE, workingHours: 8 }, leaderOnly: false },
  { action: 'answer-consultation', body: { consultationId: 'c-1' }, leaderOnly: false },
  { action: 'extend', body: { newDueAt: '2025-12-01T09:00:00+07:00', reason: 'x' }, leaderOnly: true },
  { action: 'stop', body: { reason: 'x' }, leaderOnly: true },
  { action: 'decide', body: { outcome: 'approved' }, leaderOnly: true },
] as const;

/** A malformed body per route and the field the 400 must name. */
const malformed = [
  { action: 'assign', body: { stepId: 'appraise' }, path: 'body.officerId' },
  { action: 'complete-step', body: { stepId: 42 }, path: 'body.stepId' },
  { action: 'request-supplement', body: { reason: '   ' }, path: 'body.reason' },
  { action: 'receive-supplement', body: ['x'], path: 'body' },
  { action: 'request-payment', body: { amount: -5 }, path: 'body.amount' },
  { action: 'confirm-payment', body: { online: 'yes' }, path: 'body.online' },
  { action: 'consult', body: { toUnitId: FINANCE }, path: 'body.dueAt' },
  { action: 'answer-consultation', body: {}, path: 'body.consultationId' },
  { action: 'extend', body: { newDueAt: 'next week', reason: 'x' }, path: 'body.newDueAt' },
  { action: 'stop', body: {}, path: 'body.reason' },
  { action: 'decide', body: { outcome: 'maybe' }, path: 'body.outcome' },
] as const;

let dossierId: string;

beforeAll(async () => {
  ({ dossierId } = await openCase(p.current));
});

async function expectUnchanged() {
  const stream = await p.current.store.readStream(streamIdFor('processing', dossierId));
  expect(stream.map((e) => e.type)).toEqual(['CaseOpened']);
}

describe.each(routes)('POST /v1/processing/cases/{dossierId}/$action', ({ action, body, leaderOnly }) => {
  it('without a token, then 401', async () => {
    const response = await command(p.current, dossierId, action, body);
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('AUTH_UNAUTHENTICATED');
  });

  it.each([
    ['a clerk', 'clerk'],
    ['an analyst', 'analyst'],
  ] as const)('as %s, then 403', async (_who, role) => {
    const response = await command(p.current, dossierId, action, body, await tokens[role]());
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('AUTH_FORBIDDEN');
  });

  it('as an officer of another unit, then 403 naming the competent unit', async () => {
    const other = leaderOnly ? await tokens.otherLeader() : await tokens.otherSpecialist();
    const response = await command(p.current, dossierId, action, body, other);
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({
      code: 'AUTH_UNIT_FORBIDDEN',
      details: { unitId: 'kh.so-tu-phap' },
    });
    await expectUnchanged();
  });

  if (leaderOnly) {
    it('as a specialist of the competent unit, then 403: only the leader signs', async () => {
      const response = await command(p.current, dossierId, action, body, await tokens.specialist());
      expect(response.statusCode).toBe(403);
      expect(response.json()).toMatchObject({ code: 'AUTH_FORBIDDEN', details: { required: ['leader'] } });
    });
  }

  it('on a dossier without a case, then 404', async () => {
    const response = await command(
      p.current,
      '0199a0b0-0000-7000-8000-0000000000ff',
      action,
      body,
      await tokens.admin(),
    );
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('PROC_CASE_NOT_FOUND');
  });

  it('with a dossier id that is not a UUID, then 400 naming params.dossierId', async () => {
    const response = await command(p.current, 'D-42', action, body, await tokens.admin());
    expect(response.statusCode).toBe(400);
    expect(response.json().details.issues[0].path).toBe('params.dossierId');
  });
});

describe.each(malformed)('POST …/$action with a malformed body', ({ action, body, path }) => {
  it(`then 400 naming ${path}`, async () => {
    const response = await command(p.current, dossierId, action, body, await tokens.admin());
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('COMMON_VALIDATION_FAILED');
    expect(response.json().details.issues.map((i: { path: string }) => i.path)).toContain(path);
    await expectUnchanged();
  });
});

describe('malformed JSON', () => {
  it('when the body is not JSON, then 400 and never 500', async () => {
    const response = await p.current.app.inject({
      method: 'POST',
      url: `/v1/processing/cases/${dossierId}/assign`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await tokens.admin()}` },
      payload: '{"officerId":',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('HTTP_MALFORMED_BODY');
  });
});

describe('GET /v1/processing/cases/{dossierId}', () => {
  it.each([
    ['a specialist of the competent unit', 'specialist'],
    ['the clerk of the receiving unit', 'clerk'],
    ['an analyst', 'analyst'],
    ['an admin', 'admin'],
  ] as const)('as %s, then 200', async (_who, who) => {
    const response = await getCase(p.current, dossierId, await tokens[who]());
    expect(response.statusCode).toBe(200);
    expect(CaseView.parse(response.json()).dossierId).toBe(dossierId);
  });

  it.each([
    ['a specialist of another unit', 'otherSpecialist'],
    ['a clerk of another centre', 'otherClerk'],
  ] as const)('as %s, then 403', async (_who, who) => {
    const response = await getCase(p.current, dossierId, await tokens[who]());
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('AUTH_UNIT_FORBIDDEN');
  });

  it('without a token, then 401', async () => {
    const response = await p.current.app.inject({ method: 'GET', url: `/v1/processing/cases/${dossierId}` });
    expect(response.statusCode).toBe(401);
  });
});

describe('an admin', () => {
  it('acts on any unit: an admin may sign the decision', async () => {
    const { dossierId: id } = await openCase(p.current);
    const response = await command(p.current, id, 'decide', { outcome: 'approved' }, await tokens.admin());
    expect(response.statusCode).toBe(200);
    const stream = await p.current.store.readStream(streamIdFor('processing', id));
    expect(stream[1]?.metadata).toMatchObject({ actor: { id: 'admin', role: 'admin' } });
  });
});

describe('OpenAPI', () => {
  it('when /docs/json is read, then every processing route is documented', async () => {
    const response = await p.current.app.inject({ method: 'GET', url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const paths = Object.keys(response.json().paths);
    for (const { action } of routes) expect(paths).toContain(`/v1/processing/cases/{dossierId}/${action}`);
    expect(paths).toContain('/v1/processing/cases/{dossierId}');
  });
});
