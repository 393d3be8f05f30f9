import { describe, expect, it, vi } from 'vitest';
import { birthRegistration, newKey, units, useIntakeHarness } from '../fixtures/harness.js';

const h = useIntakeHarness();

const person = {
  type: 1 as const,
  fullName: 'Phạm Thị Hồng Nhung',
  idNumber: '056187654321',
  phone: '0912777888',
  address: '45 Yersin, Nha Trang',
};

async function headers(role: Parameters<typeof h.current.token>[0], unitId?: string) {
  return { authorization: `Bearer ${await h.current.token(role, unitId)}` };
}

/** A receipt for `person`, or (`someoneElse`) for a new applicant. */
async function receivePerson(someoneElse = false): Promise<{ dossierId: string; applicantId: string }> {
  const response = await h.current.app.inject({
    method: 'POST',
    url: '/v1/intake/dossiers',
    headers: { ...(await headers('clerk', units.nhaTrangCentre)), 'idempotency-key': newKey() },
    payload: someoneElse ? birthRegistration() : birthRegistration({ applicant: person }),
  });
  expect(response.statusCode).toBe(201);
  return response.json();
}

async function read(applicantId: string, query: string, role: 'clerk' | 'admin' = 'admin', unitId?: string) {
  return h.current.app.inject({
    method: 'GET',
    url: `/v1/intake/applicants/${applicantId}/personal-data?${query}`,
    headers: await headers(role, unitId),
  });
}

describe('personal-data vault', () => {
  it('given a receipt, then no stored event contains the applicant’s name, ID number, phone or address', async () => {
    const { applicantId } = await receivePerson();
    // readAll shows an append once every older transaction in the cluster has ended: wait for the receipt there.
    const log = await vi.waitFor(
      async () => {
        const { events } = await h.current.store.readAll({ maxCount: 10_000 });
        const text = JSON.stringify(
          events.map((e) => ({ data: e.data, metadata: e.metadata, stream: e.streamId })),
        );
        expect(text).toContain(applicantId);
        return text;
      },
      { timeout: 5_000, interval: 50 },
    );
    for (const value of [person.fullName, person.idNumber, person.phone, person.address]) {
      expect(log).not.toContain(value);
    }
  });

  it('given the same person twice, then one applicant id (keyed pseudonym of the ID number)', async () => {
    const first = await receivePerson();
    const second = await receivePerson();
    expect(second.applicantId).toBe(first.applicantId);
    expect(second.dossierId).not.toBe(first.dossierId);
  });

  it('given stored data, then the table holds ciphertext only, not the plaintext', async () => {
    const { applicantId } = await receivePerson();
    const rows = await h.current.store.withTransaction((tx) =>
      tx.query(`SELECT * FROM "${h.current.store.schema}".personal_data WHERE applicant_id = $1`, [
        applicantId,
      ]),
    );
    const row = rows.rows[0];
    expect(row).toBeDefined();
    const bytes = Buffer.concat([Buffer.from(row?.sealed_data ?? []), Buffer.from(row?.wrapped_key ?? [])]);
    expect(bytes.length).toBeGreaterThan(60);
    for (const value of [person.fullName, person.idNumber, person.phone, person.address]) {
      expect(bytes.includes(Buffer.from(value, 'utf8'))).toBe(false);
    }
    expect(JSON.stringify(row)).not.toContain(person.idNumber);
  });

  it('given an admin with a purpose, when reading, then the data is returned and the read is logged', async () => {
    const { applicantId } = await receivePerson();
    const response = await read(applicantId, 'purpose=verify%20identity');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      applicantId,
      fullName: person.fullName,
      idNumber: person.idNumber,
    });
    const log = await h.current.app.inject({
      method: 'GET',
      url: `/v1/intake/personal-data/access-log?applicantId=${applicantId}`,
      headers: await headers('admin'),
    });
    expect(log.statusCode).toBe(200);
    expect(log.json().entries[0]).toMatchObject({
      applicantId,
      action: 'read',
      actorId: 'admin-any',
      actorRole: 'admin',
      purpose: 'verify identity',
    });
    expect(new Date(log.json().entries[0].at).getFullYear()).toBe(2025);
  });

  it('given a clerk of the receiving unit reading through the dossier, then 200 and logged with the dossier', async () => {
    const { applicantId, dossierId } = await receivePerson();
    const response = await read(
      applicantId,
      `purpose=call%20back&dossierId=${dossierId}`,
      'clerk',
      units.nhaTrangCentre,
    );
    expect(response.statusCode).toBe(200);
    const [entry] = await h.current.vault.accessLog({ applicantId });
    expect(entry).toMatchObject({ actorRole: 'clerk', actorUnitId: units.nhaTrangCentre, dossierId });
  });

  it('given a clerk without a dossier, of another unit, or without a purpose, then 400 / 403 / 400', async () => {
    const { applicantId, dossierId } = await receivePerson();
    const noDossier = await read(applicantId, 'purpose=curious', 'clerk', units.nhaTrangCentre);
    expect(noDossier.statusCode).toBe(400);
    expect(noDossier.json().code).toBe('INTAKE_DOSSIER_ID_REQUIRED');
    const other = await read(
      applicantId,
      `purpose=curious&dossierId=${dossierId}`,
      'clerk',
      units.camRanhCentre,
    );
    expect(other.statusCode).toBe(403);
    // Another applicant's id with that dossier: the same refusal, so the answer does not tell whose dossier it is.
    const { applicantId: someoneElse } = await receivePerson(true);
    expect(someoneElse).not.toBe(applicantId);
    const probe = await read(
      someoneElse,
      `purpose=curious&dossierId=${dossierId}`,
      'clerk',
      units.camRanhCentre,
    );
    expect(probe.statusCode).toBe(403);
    expect(probe.json().code).toBe(other.json().code);
    const noPurpose = await read(applicantId, '');
    expect(noPurpose.statusCode).toBe(400);
    expect(noPurpose.json().details.issues[0].path).toBe('querystring.purpose');
  });

  it('given an analyst, then reading and the access log are 403', async () => {
    const { applicantId } = await receivePerson();
    const analyst = await h.current.app.inject({
      method: 'GET',
      url: `/v1/intake/applicants/${applicantId}/personal-data?purpose=stats`,
      headers: await headers('analyst'),
    });
    expect(analyst.statusCode).toBe(403);
    const log = await h.current.app.inject({
      method: 'GET',
      url: '/v1/intake/personal-data/access-log',
      headers: await headers('clerk', units.nhaTrangCentre),
    });
    expect(log.statusCode).toBe(403);
  });

  it('given an erasure by an admin, then the data is unreadable (410) while the event log is intact', async () => {
    const { applicantId, dossierId } = await receivePerson();
    const before = await h.current.store.readAll({ maxCount: 10_000 });
    const clerkErase = await h.current.app.inject({
      method: 'DELETE',
      url: `/v1/intake/applicants/${applicantId}/personal-data`,
      headers: await headers('clerk', units.nhaTrangCentre),
    });
    expect(clerkErase.statusCode).toBe(403);
    const erase = await h.current.app.inject({
      method: 'DELETE',
      url: `/v1/intake/applicants/${applicantId}/personal-data?reason=erasure%20request`,
      headers: await headers('admin'),
    });
    expect(erase.statusCode).toBe(200);
    expect(erase.json().applicantId).toBe(applicantId);

    const after = await read(applicantId, 'purpose=verify%20identity');
    expect(after.statusCode).toBe(410);
    expect(after.json().code).toBe('INTAKE_PERSONAL_DATA_ERASED');

    const rows = await h.current.store.withTransaction((tx) =>
      tx.query(
        `SELECT wrapped_key, sealed_data FROM "${h.current.store.schema}".personal_data WHERE applicant_id = $1`,
        [applicantId],
      ),
    );
    expect(rows.rows[0]?.wrapped_key).toBeNull();
    expect(rows.rows[0]?.sealed_data).toBeInstanceOf(Buffer);

    const afterAll = await h.current.store.readAll({ maxCount: 10_000 });
    expect(afterAll.events.length).toBe(before.events.length);
    const dossier = await h.current.app.inject({
      method: 'GET',
      url: `/v1/intake/dossiers/${dossierId}`,
      headers: await headers('admin'),
    });
    expect(dossier.json()).toMatchObject({ status: 2, applicantId });

    const log = await h.current.vault.accessLog({ applicantId });
    // Newest first; earlier tests read the same person (one applicant id per ID number).
    expect(log.slice(0, 2).map((e) => e.action)).toEqual(['read_erased', 'erase']);
  });

  it('given an erased applicant, when a receipt is retried with its key or received anew, then only the new receipt brings the data back', async () => {
    const other = { ...person, idNumber: '056187650000', fullName: 'Lê Văn Tám' };
    const key = newKey();
    const payload = birthRegistration({ applicant: other });
    const post = async () =>
      h.current.app.inject({
        method: 'POST',
        url: '/v1/intake/dossiers',
        headers: { ...(await headers('clerk', units.nhaTrangCentre)), 'idempotency-key': key },
        payload,
      });
    const first = await post();
    expect(first.statusCode).toBe(201);
    const { applicantId } = first.json();
    await h.current.vault.erase(applicantId, {
      actor: { id: 'a', role: 'admin' },
      purpose: 'erasure request',
    });

    // The retry writes the data while it claims the key, before it knows it is a retry: it must not un-erase.
    const retry = await post();
    expect(retry.statusCode).toBe(200);
    expect(retry.json().dossierId).toBe(first.json().dossierId);
    expect((await read(applicantId, 'purpose=verify')).statusCode).toBe(410);

    const anew = await h.current.app.inject({
      method: 'POST',
      url: '/v1/intake/dossiers',
      headers: { ...(await headers('clerk', units.nhaTrangCentre)), 'idempotency-key': newKey() },
      payload,
    });
    expect(anew.statusCode).toBe(201);
    const readBack = await read(applicantId, 'purpose=verify');
    expect(readBack.statusCode).toBe(200);
    expect(readBack.json().fullName).toBe(other.fullName);
  });

  it('given many puts at once, then each is stored, and a put ifAbsent writes only an applicant with no row', async () => {
    const ids = Array.from({ length: 20 }, (_, i) =>
      h.current.pseudonyms.applicantId(`0791${String(i).padStart(8, '0')}`),
    );
    const results = await Promise.all(
      ids.map((id, i) => h.current.vault.put(id, { fullName: `Người ${i}`, idNumber: `0791${i}` })),
    );
    expect(results.every((r) => r.stored)).toBe(true);
    const access = { actor: { id: 'a', role: 'admin' }, purpose: 'test' } as const;
    const back = await Promise.all(ids.map((id) => h.current.vault.get(id, access)));
    expect(back.map((d) => d.fullName)).toEqual(ids.map((_, i) => `Người ${i}`));

    const [erased = '', present = ''] = ids;
    const absent = h.current.pseudonyms.applicantId('079199999999');
    await h.current.vault.erase(erased, access);
    const [skippedErased, skippedPresent, written] = await Promise.all([
      h.current.vault.put(erased, { fullName: 'X', idNumber: '1' }, { ifAbsent: true }),
      h.current.vault.put(present, { fullName: 'Y', idNumber: '2' }, { ifAbsent: true }),
      h.current.vault.put(absent, { fullName: 'Z', idNumber: '3' }, { ifAbsent: true }),
    ]);
    expect([skippedErased.stored, skippedPresent.stored, written.stored]).toEqual([false, false, true]);
    await expect(h.current.vault.get(erased, access)).rejects.toMatchObject({
      code: 'INTAKE_PERSONAL_DATA_ERASED',
    });
    expect((await h.current.vault.get(present, access)).fullName).toBe('Người 1');
    expect((await h.current.vault.get(absent, access)).fullName).toBe('Z');

    // In one batch, a plain put and an ifAbsent put of the same applicant: the plain one is written, the other not.
    const [plain, late] = await Promise.all([
      h.current.vault.put(present, { fullName: 'W', idNumber: '2' }),
      h.current.vault.put(present, { fullName: 'V', idNumber: '2' }, { ifAbsent: true }),
    ]);
    expect([plain.stored, late.stored]).toEqual([true, false]);
    expect((await h.current.vault.get(present, access)).fullName).toBe('W');
  });

  it('given an unknown applicant, then 404', async () => {
    const response = await read('0197a0b0-0000-7000-8000-000000000000', 'purpose=verify');
    expect(response.statusCode).toBe(404);
    expect(response.json().code).toBe('INTAKE_PERSONAL_DATA_NOT_FOUND');
  });
});
