import { createHash, randomUUID } from 'node:crypto';
import { useTestSchema } from '@onestop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, pdf, png, receivingUnit, startHarness } from '../testing/harness.js';

const schema = useTestSchema('digi_get');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let h: Harness;
let clerk: string;
beforeAll(async () => {
  h = await startHarness(schema.current);
  clerk = await h.token('clerk', receivingUnit);
});
afterAll(async () => {
  await h?.close();
});

async function post(url: string, body: unknown) {
  const res = await h.app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${clerk}` },
    payload: body as object,
  });
  expect(res.statusCode).toBe(201);
}

function get(id: string, token: string | null) {
  return h.app.inject({
    method: 'GET',
    url: `/v1/digitization/dossiers/${id}`,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
}

describe('GET /v1/digitization/dossiers/{id}', () => {
  it('given scanned, reused and result documents, then every component and the result are shown with their facts', async () => {
    const applicantId = randomUUID();
    const earlier = await h.dossier({ applicantId });
    const id = await h.dossier({ applicantId });
    const form = pdf();
    const photo = png();
    const result = pdf();
    await post(`/v1/digitization/dossiers/${earlier}/components`, {
      code: 'TP1',
      fileName: 'a.png',
      mediaType: 'image/png',
      contentBase64: photo.toString('base64'),
    });
    await post(`/v1/digitization/dossiers/${id}/components`, {
      code: 'TP1',
      fileName: 'don.pdf',
      mediaType: 'application/pdf',
      contentBase64: form.toString('base64'),
      signer: 'cert-1',
    });
    await post(`/v1/digitization/dossiers/${id}/components`, {
      code: 'TP2',
      reusedFrom: { dossierId: earlier, componentCode: 'TP1' },
    });
    await post(`/v1/digitization/dossiers/${id}/result`, {
      fileName: 'kq.pdf',
      mediaType: 'application/pdf',
      contentBase64: result.toString('base64'),
      signer: 'kh.so-tu-phap',
    });

    const res = await get(id, await h.token('analyst'));

    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBe('"2"');
    expect(res.json()).toEqual({
      dossierId: id,
      version: 2,
      components: [
        {
          code: 'TP1',
          sha256: sha256(form),
          sizeBytes: form.length,
          mediaType: 'application/pdf',
          source: 'scanned',
          signer: 'cert-1',
          digitizedAt: '2026-03-02T02:00:00.000Z',
          digitizedBy: 'clerk-1',
        },
        {
          code: 'TP2',
          sha256: sha256(photo),
          sizeBytes: photo.length,
          mediaType: 'image/png',
          source: 'reused',
          reusedFrom: `digitization-${earlier}/TP1`,
          digitizedAt: expect.any(String),
          digitizedBy: 'clerk-1',
        },
      ],
      result: {
        sha256: sha256(result),
        sizeBytes: result.length,
        mediaType: 'application/pdf',
        source: 'scanned',
        signer: 'kh.so-tu-phap',
        digitizedAt: expect.any(String),
        digitizedBy: 'clerk-1',
      },
    });
  });

  it('given a dossier with nothing digitized, then 404', async () => {
    const res = await get(randomUUID(), clerk);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('DIGI_DOSSIER_NOT_FOUND');
  });

  it('given an id that is not a UUID, then 400 names params.id', async () => {
    const res = await get('abc', clerk);
    expect(res.statusCode).toBe(400);
    expect(res.json().details.issues[0].path).toBe('params.id');
  });

  it('given no token, then 401', async () => {
    expect((await get(randomUUID(), null)).statusCode).toBe(401);
  });
});
