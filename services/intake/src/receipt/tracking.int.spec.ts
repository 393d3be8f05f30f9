/**
 * Given an intake service with a tracking key, then every receipt (the receive answer, its JSON reprint and the
 * printable HTML) carries the dossier's tracking secret, which is the keyed MAC of its code and nothing else.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { demoCatalog } from '@onestop/catalog';
import { postgresEventStore } from '@onestop/event-store';
import { type App, createTestClock, signDevToken, uuidv7Ids } from '@onestop/service-kit';
import { useTestSchema } from '@onestop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { birthRegistration, JWT_SECRET, newKey, START, units } from '../fixtures/harness.js';
import { createPseudonyms } from '../vault/crypto.js';
import { postgresPersonalDataVault } from '../vault/postgres-vault.js';

const KEY = 'intake-tracking-spec-key-0123456789abcdef';

/** An independent reading of the secret: the first 60 bits of HMAC-SHA256(key, context + code), Crockford base32. */
function expectedSecret(code: string): string {
  const mac = createHmac('sha256', KEY).update(`onestop.tracking.v1:${code}`).digest();
  const bits = [...mac.subarray(0, 8)].map((b) => b.toString(2).padStart(8, '0')).join('');
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  return Array.from(
    { length: 12 },
    (_, i) => alphabet[Number.parseInt(bits.slice(i * 5, i * 5 + 5), 2)],
  ).join('');
}

describe('the receipt’s tracking secret', () => {
  const schema = useTestSchema('intake_tracking');
  const apps: App[] = [];
  let close: () => Promise<void>;

  beforeAll(async () => {
    const store = postgresEventStore({
      connectionString: schema.current.connectionString,
      schema: schema.current.schema,
      pool: { max: 3 },
    });
    await store.ready();
    const clock = createTestClock(START);
    const masterKey = randomBytes(32);
    const vault = postgresPersonalDataVault({ db: store, masterKey, clock });
    const deps = {
      store,
      clock,
      ids: uuidv7Ids,
      catalog: demoCatalog,
      vault,
      pseudonyms: createPseudonyms(masterKey),
    };
    const options = { auth: { mode: 'hs256' as const, secret: JWT_SECRET }, logger: false as const };
    apps.push(await buildApp({ ...deps, trackingKey: KEY }, options), await buildApp(deps, options));
    close = async () => {
      for (const app of apps) await app.close();
      await store.close();
    };
  });
  afterAll(async () => close?.());

  const clerk = () =>
    signDevToken({ sub: 'clerk', roles: ['clerk'], unitId: units.nhaTrangCentre }, JWT_SECRET);
  const receive = async (app: App) => {
    const body = birthRegistration();
    const response = await app.inject({
      method: 'POST',
      url: '/v1/intake/dossiers',
      headers: { authorization: `Bearer ${await clerk()}`, 'idempotency-key': newKey() },
      payload: body,
    });
    expect(response.statusCode).toBe(201);
    return { body, answer: response.json() };
  };

  it('given a tracking key, when a dossier is received, then the receipt, its reprint and its HTML carry the secret of its code', async () => {
    const [app] = apps;
    if (app === undefined) throw new Error('no app');
    const { body, answer } = await receive(app);
    const secret = expectedSecret(answer.dossierCode);
    expect(answer.receipt.tracking).toEqual({
      secret,
      path: `/tracking?code=${encodeURIComponent(answer.dossierCode)}&secret=${secret}`,
    });
    // Nothing personal in what the QR code carries.
    for (const value of [body.applicant.fullName, body.applicant.idNumber, body.applicant.phone ?? '']) {
      expect(answer.receipt.tracking.path).not.toContain(value);
    }

    const headers = { authorization: `Bearer ${await clerk()}` };
    const reprint = await app.inject({ url: `/v1/intake/dossiers/${answer.dossierId}/receipt`, headers });
    expect(reprint.json().tracking).toEqual(answer.receipt.tracking);
    const html = await app.inject({ url: `/v1/intake/dossiers/${answer.dossierId}/receipt.html`, headers });
    expect(html.statusCode).toBe(200);
    expect(html.body).toContain('Mã tra cứu hồ sơ');
    expect(html.body).toContain(secret);
    expect(html.body).toContain(
      `/tracking?code=${encodeURIComponent(answer.dossierCode)}&amp;secret=${secret}`,
    );

    const second = await receive(app);
    expect(second.answer.receipt.tracking.secret).toBe(expectedSecret(second.answer.dossierCode));
    expect(second.answer.receipt.tracking.secret).not.toBe(secret);
  });

  it('given no tracking key, then receipts carry no secret', async () => {
    const [, app] = apps;
    if (app === undefined) throw new Error('no app');
    const { answer } = await receive(app);
    expect(answer.receipt.tracking).toBeUndefined();
    const html = await app.inject({
      url: `/v1/intake/dossiers/${answer.dossierId}/receipt.html`,
      headers: { authorization: `Bearer ${await clerk()}` },
    });
    expect(html.body).not.toContain('Mã tra cứu');
  });
});
