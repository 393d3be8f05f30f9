/**
 * What the filer wrote is sealed per filer in the vault (`@onestop/vault`, as intake's applicants): ciphertext at
 * rest, every read and amendment logged with who and why, erasure by destroying the filer's key.
 */
import { useTestSchema } from '@onestop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aboutUnit, desk, type Harness, setLocal, startHarness, unit } from '../testing/harness.js';

const schema = useTestSchema('fb_filer');
let h: Harness;
let admin: string;
let specialist: string;
beforeAll(async () => {
  h = await startHarness(schema.current);
  admin = await h.token('admin');
  specialist = await h.token('specialist', unit);
});
afterAll(async () => {
  await h?.close();
});

const contact = { name: 'Lê Văn Cường', phone: '0914 222 333', email: 'cuong@example.vn' };
const accessLog = async (feedbackId: string) =>
  (await h.get(`/v1/feedback/personal-data/access-log?feedbackId=${feedbackId}`, admin)).json().entries;

async function filedWithContact(): Promise<{ feedbackId: string; filerId: string }> {
  const res = await h.post('/v1/feedback', { ...aboutUnit, contact }, await h.token('clerk', desk));
  expect(res.statusCode).toBe(201);
  return { feedbackId: res.json().feedbackId, filerId: res.json().filerId };
}

describe('the filer vault', () => {
  it('given a filing, then the vault row is ciphertext under the filer’s wrapped key, and no table holds the text in clear', async () => {
    const { filerId } = await filedWithContact();
    const s = `"${h.store.schema}"`;
    const rows = await h.store.withTransaction(async (tx) => ({
      sealed: (await tx.query(`select * from ${s}.feedback_filer_data where filer_id = $1`, [filerId])).rows,
      legacy: (await tx.query(`select to_regclass($1) as t`, [`${h.store.schema}.feedback_private`])).rows,
    }));
    expect(rows.sealed).toHaveLength(1);
    const row = rows.sealed[0] ?? {};
    const bytes = Buffer.concat([row.sealed_data, row.wrapped_key]);
    expect(bytes.length).toBeGreaterThan(100);
    for (const clear of [contact.name, contact.phone, contact.email, 'paper the procedure']) {
      expect(bytes.includes(Buffer.from(clear, 'utf8'))).toBe(false);
    }
    expect(rows.legacy[0]?.t).toBeNull();
  });

  it('given reads by an officer and a clerk, then only the officer’s is a read of the filer’s data, logged with who, why and the item', async () => {
    const { feedbackId, filerId } = await filedWithContact();
    expect(
      (await h.get(`/v1/feedback/${feedbackId}`, await h.token('clerk', desk))).json().contact,
    ).toBeUndefined();
    expect((await h.get(`/v1/feedback?unitId=${unit}`, specialist)).json().items[0].content).toBeUndefined();

    const read = await h.get(`/v1/feedback/${feedbackId}`, specialist);

    expect(read.json()).toMatchObject({ contact, content: aboutUnit.content });
    expect(await accessLog(feedbackId)).toEqual([
      {
        id: expect.any(String),
        filerId,
        feedbackId,
        action: 'read',
        actorId: 'specialist-1',
        actorRole: 'specialist',
        actorUnitId: unit,
        purpose: 'handle the feedback',
        at: '2026-03-09T02:00:00.000Z',
      },
    ]);
  });

  it('given an erasure by an admin, then the text is gone, attachments are not served, the events stay and the log shows it', async () => {
    const scan = Buffer.from('%PDF-1.7\n% evidence\n%%EOF\n');
    const clerk = await h.token('clerk', desk);
    const filed = await h.post(
      '/v1/feedback',
      { ...aboutUnit, contact, attachments: [{ contentBase64: scan.toString('base64') }] },
      clerk,
    );
    const { feedbackId, filerId } = filed.json();
    const sha = filed.json().attachments[0].sha256;
    const events = (await h.store.readStream(`feedback-${feedbackId}`)).length;

    expect(
      (
        await h.app.inject({
          method: 'DELETE',
          url: `/v1/feedback/${feedbackId}/personal-data`,
          headers: { authorization: `Bearer ${specialist}` },
        })
      ).statusCode,
    ).toBe(403);
    setLocal(h.clock, '2026-03-10T09:00:00');
    const erase = await h.app.inject({
      method: 'DELETE',
      url: `/v1/feedback/${feedbackId}/personal-data?reason=citizen%20request`,
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(erase.statusCode).toBe(200);
    expect(erase.json()).toEqual({ feedbackId, filerId, erasedAt: '2026-03-10T02:00:00.000Z' });

    const read = await h.get(`/v1/feedback/${feedbackId}`, specialist);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ status: 'filed', filerDataErasedAt: '2026-03-10T02:00:00.000Z' });
    expect(read.json().content).toBeUndefined();
    expect(read.json().contact).toBeUndefined();
    const download = await h.get(`/v1/feedback/${feedbackId}/attachments/${sha}`, specialist);
    expect(download.statusCode).toBe(410);
    expect(download.json().code).toBe('FB_FILER_DATA_ERASED');
    expect((await h.store.readStream(`feedback-${feedbackId}`)).length).toBe(events);
    expect(
      (await accessLog(feedbackId)).map((e: { action: string; purpose: string }) => [e.action, e.purpose]),
    ).toEqual([
      ['read_erased', `view attachment ${sha.slice(0, 12)}`],
      ['read_erased', 'handle the feedback'],
      ['erase', 'citizen request'],
    ]);
  });

  it('given a follow-up by a clerk, then it is sealed with the filer’s data and logged as an amendment', async () => {
    const { feedbackId } = await filedWithContact();
    setLocal(h.clock, '2026-03-10T10:00:00');
    await h.post(`/v1/feedback/${feedbackId}/accept`, {}, specialist);
    await h.post(`/v1/feedback/${feedbackId}/answer`, { answer: 'Đã xử lý.' }, specialist);
    const clerk = await h.token('clerk', desk);

    expect(
      (await h.post(`/v1/feedback/${feedbackId}/follow-up`, { content: 'Chưa đủ.' }, clerk)).statusCode,
    ).toBe(200);

    expect(await accessLog(feedbackId)).toMatchObject([
      { action: 'amend', actorId: 'clerk-1', actorRole: 'clerk', purpose: 'follow-up from the filer' },
    ]);
    expect((await h.get(`/v1/feedback/${feedbackId}`, specialist)).json()).toMatchObject({
      followUp: 'Chưa đủ.',
      contact,
    });
  });

  it('given a non-admin, then erasure and the access log are 403; an unknown item, 404', async () => {
    const log = await h.get('/v1/feedback/personal-data/access-log', specialist);
    expect(log.statusCode).toBe(403);
    const unknown = await h.get(
      '/v1/feedback/personal-data/access-log?feedbackId=0195a1b2-0000-7000-8000-000000000000',
      admin,
    );
    expect(unknown.statusCode).toBe(404);
  });
});
