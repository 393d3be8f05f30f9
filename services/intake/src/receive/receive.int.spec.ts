import {
  createCatalog,
  createUnitRegistryFromEvents,
  demoCatalog,
  demoProcedures,
  demoUnitEvents,
} from '@onestop/catalog';
import { computeDueAt, streamIdFor, vnCivilServiceCalendar } from '@onestop/domain';
import { uuidv7Ids } from '@onestop/service-kit';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { birthRegistration, JWT_SECRET, newKey, units, useIntakeHarness } from '../fixtures/harness.js';
import { claimIdempotencyKey, idempotencyStreamId } from './idempotency.js';
import type { ReceiveBody } from './route.js';

const h = useIntakeHarness();

async function post(body: unknown, options: { key?: string | null; token?: string } = {}) {
  const token = options.token ?? (await h.current.token('clerk', units.nhaTrangCentre));
  const key = options.key === undefined ? newKey() : options.key;
  return h.current.app.inject({
    method: 'POST',
    url: '/v1/intake/dossiers',
    headers: { authorization: `Bearer ${token}`, ...(key === null ? {} : { 'idempotency-key': key }) },
    payload: body as object,
  });
}

async function dossierIdOfKey(key: string): Promise<string> {
  const [claim] = await h.current.store.readStream(idempotencyStreamId(key));
  const id = claim?.data.dossierId;
  if (typeof id !== 'string') throw new Error(`no claim for ${key}`);
  return id;
}

describe('POST /v1/intake/dossiers', () => {
  it('given a complete dossier, when a clerk of the centre receives it, then it gets a code, a due and Form 01', async () => {
    const now = h.current.clock.now();
    const response = await post(birthRegistration());
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.dossierCode).toMatch(/^000\.22333\.H34-250702-\d{4}$/);
    const procedure = demoCatalog.procedure('1.001193', now);
    const expected = computeDueAt({
      receivedAt: now,
      limit: procedure.limit,
      calendar: vnCivilServiceCalendar,
    });
    // The clock advances with the wall clock between `now` and the request: allow a few seconds.
    expect(Math.abs(new Date(body.dueAt).getTime() - expected.dueAt.getTime())).toBeLessThan(5_000);
    expect(body.receipt).toMatchObject({
      form: '01',
      dossierCode: body.dossierCode,
      procedure: { code: '1.001193', name: 'Đăng ký khai sinh' },
      receivingUnit: { id: units.nhaTrangCentre },
      returningUnit: { id: units.nhaTrangCentre },
      competentUnit: { id: units.nhaTrangWard },
      crossBoundary: false,
    });
    expect(body.receipt.componentsReceived.map((c: { code: string }) => c.code)).toEqual([
      'to-khai-khai-sinh',
      'giay-chung-sinh',
    ]);
    // 09:00 + 4 working hours: 2.5 h before lunch, 1.5 h after 13:30.
    expect(body.receipt.dueAtLocal).toMatch(/^02\/07\/2025 15:0[01]$/);

    const [received] = await h.current.store.readStream(streamIdFor('intake', body.dossierId));
    expect(received?.type).toBe('DossierReceived');
    expect(received?.data).toMatchObject({ crossBoundary: false, applicantId: body.applicantId });
  });

  it('given an Idempotency-Key already used with the same body, when retried, then the first dossier is returned', async () => {
    const key = newKey();
    const payload = birthRegistration();
    const first = await post(payload, { key });
    const again = await post(payload, { key });
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().dossierId).toBe(first.json().dossierId);
    expect(again.json().dossierCode).toBe(first.json().dossierCode);
    const events = await h.current.store.readStream(streamIdFor('intake', first.json().dossierId));
    expect(events).toHaveLength(1);
  });

  it('given an Idempotency-Key already used, when sent with another body, then 409 INTAKE_IDEMPOTENCY_KEY_REUSED', async () => {
    const key = newKey();
    expect((await post(birthRegistration(), { key })).statusCode).toBe(201);
    const other = await post(birthRegistration({ channel: 'postal' }), { key });
    expect(other.statusCode).toBe(409);
    expect(other.json().code).toBe('INTAKE_IDEMPOTENCY_KEY_REUSED');
  });

  it('given an applicant who moved, when an old receipt is replayed or their ID is reused under another key, then their data stays the latest', async () => {
    const access = { actor: { id: 'spec', role: 'admin' }, purpose: 'verify' } as const;
    const before = birthRegistration();
    const moved = { ...before, applicant: { ...before.applicant, address: '5 Lê Thánh Tôn, Nha Trang' } };
    const oldKey = newKey();
    expect((await post(before, { key: oldKey })).statusCode).toBe(201);
    const latest = await post(moved);
    expect(latest.statusCode).toBe(201);
    const applicantId = latest.json().applicantId;
    expect((await h.current.vault.get(applicantId, access)).address).toBe(moved.applicant.address);

    // A client's offline queue sends the first receipt again: same key, same (older) body.
    expect((await post(before, { key: oldKey })).statusCode).toBe(200);
    // The old body under the key of the latest receipt: refused, and it must not write either.
    const latestKey = newKey();
    expect((await post(moved, { key: latestKey })).statusCode).toBe(201);
    expect((await post(before, { key: latestKey })).statusCode).toBe(409);
    expect((await h.current.vault.get(applicantId, access)).address).toBe(moved.applicant.address);
  });

  it('given no Idempotency-Key header, then 400 naming the header', async () => {
    const response = await post(birthRegistration(), { key: null });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toContain('idempotency-key');
  });

  it('given the same key sent 8 times at once, then one dossier exists and every answer names it', async () => {
    const key = newKey();
    const payload = birthRegistration();
    const responses = await Promise.all(Array.from({ length: 8 }, () => post(payload, { key })));
    const ids = new Set(responses.map((r) => r.json().dossierId));
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(await h.current.store.readStream(streamIdFor('intake', String(id)))).toHaveLength(1);
  });

  it('given a crash after the key was claimed and before the dossier was written, when retried, then exactly one dossier is created under the claimed id', async () => {
    const key = newKey();
    const payload = birthRegistration();
    const claimedId = uuidv7Ids.next();
    // What the first attempt left behind when it died: the claim, nothing else.
    await claimIdempotencyKey(h.current.store, uuidv7Ids, {
      key,
      fingerprint: h.current.pseudonyms.requestFingerprint({ route: 'receive', body: payload }),
      dossierId: claimedId,
    });
    const retry = await post(payload, { key });
    // the retry is the request that creates the dossier, so it is the one that answers 201
    expect(retry.statusCode).toBe(201);
    expect(retry.json().dossierId).toBe(claimedId);
    const again = await post(payload, { key });
    expect(again.statusCode).toBe(200);
    expect(again.json().dossierCode).toBe(retry.json().dossierCode);
    expect(await h.current.store.readStream(streamIdFor('intake', claimedId))).toHaveLength(1);
  });

  it('given a required component missing, then 422 with the missing components and one GuidanceGiven event', async () => {
    const key = newKey();
    const payload = birthRegistration({
      components: [
        { code: 'to-khai-khai-sinh', provided: true },
        { code: 'giay-chung-sinh', provided: false },
      ],
    });
    const response = await post(payload, { key });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      code: 'DOM_INCOMPLETE_DOSSIER',
      details: { missingComponents: ['giay-chung-sinh'] },
    });
    const retry = await post(payload, { key });
    expect(retry.statusCode).toBe(422);
    const events = await h.current.store.readStream(streamIdFor('intake', await dossierIdOfKey(key)));
    expect(events.map((e) => e.type)).toEqual(['GuidanceGiven']);
    expect(events[0]?.data).toEqual({
      procedureCode: '1.001193',
      receivingUnitId: units.nhaTrangCentre,
      missingComponents: ['giay-chung-sinh'],
    });
  });

  it('given a cross-boundary eligible procedure, when Nha Trang receives for Cam Ranh, then it is recorded as cross-boundary', async () => {
    const response = await post(birthRegistration({ competentUnitId: units.camRanhWard }));
    expect(response.statusCode).toBe(201);
    const { dossierId } = response.json();
    const dossier = await h.current.app.inject({
      method: 'GET',
      url: `/v1/intake/dossiers/${dossierId}`,
      headers: { authorization: `Bearer ${await h.current.token('admin')}` },
    });
    expect(dossier.json()).toMatchObject({
      status: 2,
      crossBoundary: true,
      units: { receiving: units.nhaTrangCentre, competent: units.camRanhWard },
    });
  });

  it('given a procedure not on the cross-boundary list, when a ward centre receives it for a department, then 422', async () => {
    const response = await post({
      ...birthRegistration(),
      procedureCode: '1.012839',
      components: [
        { code: 'phieu-yeu-cau', provided: true },
        { code: 'hop-dong-bao-dam', provided: true },
        { code: 'giay-chung-nhan', provided: true },
      ],
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().code).toBe('INTAKE_CROSS_BOUNDARY_NOT_ELIGIBLE');
  });

  it('given a competent unit that is not the procedure’s, then 422 naming it', async () => {
    const response = await post(birthRegistration({ competentUnitId: units.justice }));
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({ code: 'INTAKE_COMPETENT_UNIT_INVALID' });
    expect(response.json().message).toContain(units.justice);
  });

  it('given a procedure version that lists a unit which has since ended, when no competent unit is named, then the one in force is chosen', async () => {
    // Effective before the March 2025 department merger, and never revised: it still lists the merged-away one.
    const [template] = demoProcedures;
    if (template === undefined) throw new Error('no demo procedure');
    const catalog = createCatalog({
      units: createUnitRegistryFromEvents(demoUnitEvents),
      procedures: [
        ...demoProcedures,
        {
          ...template,
          code: '9.000001',
          version: '2025.01',
          effectiveFrom: '2025-01-01',
          competentUnitIds: [units.agricultureRuralDevelopment, units.justice],
        },
      ],
    });
    const app = await buildApp(
      { ...h.current, ids: uuidv7Ids, catalog },
      { auth: { mode: 'hs256', secret: JWT_SECRET }, logger: false },
    );
    try {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/intake/dossiers',
        headers: {
          authorization: `Bearer ${await h.current.token('clerk', units.provincialCentre)}`,
          'idempotency-key': newKey(),
        },
        payload: birthRegistration({ procedureCode: '9.000001', receivingUnitId: units.provincialCentre }),
      });
      expect(response.statusCode).toBe(201);
      expect(response.json().receipt.competentUnit.id).toBe(units.justice);
    } finally {
      await app.close();
    }
  });

  it('given an unknown procedure or unit, then 404 naming the value', async () => {
    const procedure = await post(birthRegistration({ procedureCode: '9.999999' }));
    expect(procedure.statusCode).toBe(404);
    expect(procedure.json().message).toContain('9.999999');
    const token = await h.current.token('admin');
    const unit = await post(birthRegistration({ receivingUnitId: 'kh.nowhere' }), { token });
    expect(unit.statusCode).toBe(404);
    expect(unit.json().message).toContain('kh.nowhere');
  });

  it('given a component the procedure does not list, then 422 naming it', async () => {
    const response = await post(
      birthRegistration({
        components: [
          { code: 'to-khai-khai-sinh', provided: true },
          { code: 'giay-chung-sinh', provided: true },
          { code: 'ho-chieu', provided: true },
        ],
      }),
    );
    expect(response.statusCode).toBe(422);
    expect(response.json().details.unknownComponents).toEqual(['ho-chieu']);
  });

  it('given a clerk of another centre, then 403', async () => {
    const token = await h.current.token('clerk', units.camRanhCentre);
    const response = await post(birthRegistration(), { token });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('AUTH_UNIT_FORBIDDEN');
  });

  it('given an analyst, then 403; given no token, then 401', async () => {
    const analyst = await post(birthRegistration(), { token: await h.current.token('analyst') });
    expect(analyst.statusCode).toBe(403);
    const anonymous = await h.current.app.inject({
      method: 'POST',
      url: '/v1/intake/dossiers',
      headers: { 'idempotency-key': newKey() },
      payload: birthRegistration(),
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('given an admin, when receiving for any centre, then 201', async () => {
    const response = await post(birthRegistration({ receivingUnitId: units.camRanhCentre }), {
      token: await h.current.token('admin'),
    });
    expect(response.statusCode).toBe(201);
    expect(response.json().dossierCode).toMatch(/^000\.22528\.H34-/);
  });

  const malformed: Array<[string, (b: ReceiveBody) => unknown, string]> = [
    ['no procedureCode', ({ procedureCode: _p, ...rest }) => rest, 'body.procedureCode'],
    ['a bad channel', (b) => ({ ...b, channel: 'fax' }), 'body.channel'],
    [
      'no applicant id number',
      (b) => ({ ...b, applicant: { ...b.applicant, idNumber: undefined } }),
      'body.applicant.idNumber',
    ],
    ['an applicant type 5', (b) => ({ ...b, applicant: { ...b.applicant, type: 5 } }), 'body.applicant.type'],
    ['components not a list', (b) => ({ ...b, components: 'all' }), 'body.components'],
    [
      'a component without provided',
      (b) => ({ ...b, components: [{ code: 'to-khai-khai-sinh' }] }),
      'body.components.0.provided',
    ],
  ];
  it.each(malformed)('given a body with %s, then 400 naming the field', async (_what, mutate, field) => {
    const response = await post(mutate(birthRegistration()));
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('COMMON_VALIDATION_FAILED');
    expect(response.json().details.issues.map((i: { path: string }) => i.path)).toContain(field);
  });
});
