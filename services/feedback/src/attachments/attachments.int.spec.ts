import { createHash, randomBytes } from 'node:crypto';
import { useTestSchema } from '@onestop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aboutUnit, desk, type Harness, otherUnit, startHarness, unit } from '../testing/harness.js';

const schema = useTestSchema('fb_attach');
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

/** Files of each kind, distinct per call (the sniffer reads the first bytes only). */
const png = () =>
  Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(32)]);
const pdf = () => Buffer.from(`%PDF-1.7\n% ${randomBytes(8).toString('hex')}\n%%EOF\n`);
const zip = () => Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), randomBytes(32)]);
const exe = () => Buffer.concat([Buffer.from('MZ'), randomBytes(32)]);
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const b64 = (bytes: Buffer) => bytes.toString('base64');

const file = (attachments: unknown) => h.post('/v1/feedback', { ...aboutUnit, attachments }, clerk);

describe('attachments', () => {
  it('given a PNG and a PDF, when filed, then the event records only their hash, size and sniffed type, and both are stored', async () => {
    const photo = png();
    const scan = pdf();

    const res = await file([
      { fileName: 'Nguyen Van A - giay hen.png', contentBase64: b64(photo) },
      // Declared by nothing but its bytes: the type comes from the content.
      { contentBase64: b64(scan) },
    ]);

    expect(res.statusCode).toBe(201);
    const expected = [
      { sha256: sha256(photo), sizeBytes: photo.length, mediaType: 'image/png' },
      { sha256: sha256(scan), sizeBytes: scan.length, mediaType: 'application/pdf' },
    ];
    expect(res.json().attachments).toEqual(expected);
    const [event] = await h.store.readStream(`feedback-${res.json().feedbackId}`);
    expect(event?.data.attachments).toEqual(expected);
    const wire = JSON.stringify({ data: event?.data, metadata: event?.metadata });
    for (const leak of ['Nguyen Van A', b64(photo).slice(0, 24), '%PDF']) expect(wire).not.toContain(leak);
    expect(await h.deps.storage.get(sha256(photo))).toEqual(photo);
    expect(await h.deps.storage.has(sha256(scan))).toBe(true);
  });

  it('given a zip named like a photo among good files, then 422 names the attachment and what it really is, and nothing is stored or filed', async () => {
    const photo = png();
    const before = await h.itemCount();

    const res = await file([
      { contentBase64: b64(photo) },
      { fileName: 'anh-chup.jpg', contentBase64: b64(zip()) },
    ]);

    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'FB_ATTACHMENT_UNSUPPORTED',
      message: expect.stringMatching(/^attachment 2 is application\/zip; only application\/pdf/),
      details: {
        field: 'body.attachments.1',
        attachment: 1,
        fileName: 'anh-chup.jpg',
        detected: 'application/zip',
        accepted: ['application/pdf', 'image/jpeg', 'image/png', 'image/tiff'],
      },
    });
    expect(await h.deps.storage.has(sha256(photo))).toBe(false);
    expect(await h.itemCount()).toBe(before);
  });

  it('given an executable filed publicly, then it is refused the same way', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/public/feedback',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({
        subject: { kind: 'unit', unitId: unit },
        content: 'Ảnh chụp đính kèm.',
        attachments: [{ fileName: 'anh.png', contentBase64: b64(exe()) }],
      }),
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().details).toMatchObject({
      field: 'body.attachments.0',
      detected: 'application/vnd.microsoft.portable-executable',
    });
  });

  it('given an attachment over the size limit, then 413 names it', async () => {
    // The harness limit is 64 KiB.
    const big = Buffer.concat([png(), Buffer.alloc(64 * 1024)]);
    const res = await file([{ contentBase64: b64(pdf()) }, { contentBase64: b64(big) }]);
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({
      code: 'HTTP_PAYLOAD_TOO_LARGE',
      message: 'attachment 2 larger than the limit of 65536 bytes',
    });
  });

  it('given an officer of the responsible unit, then an attachment downloads with its sniffed type and the download is logged; others are refused', async () => {
    const scan = pdf();
    const filed = await file([{ contentBase64: b64(scan) }]);
    const id = filed.json().feedbackId;
    const url = `/v1/feedback/${id}/attachments/${sha256(scan)}`;

    const res = await h.get(url, specialist);

    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${sha256(scan)}.pdf"`);
    expect(res.rawPayload).toEqual(scan);
    const [entry] = await h.vault.accessLog({ ownerId: filed.json().filerId });
    expect(entry).toMatchObject({
      action: 'read',
      actorId: 'specialist-1',
      purpose: `view attachment ${sha256(scan).slice(0, 12)}`,
      reference: id,
    });

    expect((await h.get(url, await h.token('specialist', otherUnit))).statusCode).toBe(403);
    expect((await h.get(url, clerk)).statusCode).toBe(403);
    const unknown = await h.get(`/v1/feedback/${id}/attachments/${sha256(png())}`, specialist);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('FB_ATTACHMENT_NOT_FOUND');
  });
});
