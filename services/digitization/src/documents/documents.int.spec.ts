import { createHash } from 'node:crypto';
import { useTestSchema } from '@onestop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, png, receivingUnit, startHarness } from '../testing/harness.js';

const schema = useTestSchema('digi_doc');

let h: Harness;
let clerk: string;
const bytes = png();
const sha = createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  h = await startHarness(schema.current);
  clerk = await h.token('clerk', receivingUnit);
  const res = await h.app.inject({
    method: 'POST',
    url: `/v1/digitization/dossiers/${await h.dossier()}/components`,
    headers: { authorization: `Bearer ${clerk}` },
    payload: {
      code: 'TP1',
      fileName: 'a.png',
      mediaType: 'image/png',
      contentBase64: bytes.toString('base64'),
    },
  });
  expect(res.statusCode).toBe(201);
});
afterAll(async () => {
  await h?.close();
});

function download(hash: string, token: string | null, headers: Record<string, string> = {}) {
  return h.app.inject({
    method: 'GET',
    url: `/v1/digitization/documents/${hash}`,
    headers: { ...headers, ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
  });
}

describe('GET /v1/digitization/documents/{sha256}', () => {
  it.each(['clerk', 'specialist', 'admin'] as const)(
    'given a %s, then the stored bytes come back with their type',
    async (role) => {
      const res = await download(sha, await h.token(role, role === 'admin' ? undefined : receivingUnit));
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload).toEqual(bytes);
      expect(res.headers['content-type']).toBe('image/png');
      expect(res.headers.etag).toBe(`"${sha}"`);
      expect(res.headers['content-disposition']).toBe(`attachment; filename="${sha}.png"`);
    },
  );

  it('given the ETag it already has, then 304 without a body', async () => {
    const res = await download(sha, clerk, { 'if-none-match': `"${sha}"` });
    expect(res.statusCode).toBe(304);
    expect(res.rawPayload.length).toBe(0);
  });

  it.each(['analyst', 'leader'] as const)('given a %s, then 403', async (role) => {
    const res = await download(sha, await h.token(role, receivingUnit));
    expect(res.statusCode).toBe(403);
  });

  it('given no token, then 401', async () => {
    expect((await download(sha, null)).statusCode).toBe(401);
  });

  it('given an unknown hash, then 404 without cache headers', async () => {
    const res = await download('a'.repeat(64), clerk);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('DIGI_DOCUMENT_NOT_FOUND');
    expect(res.headers['cache-control']).toBeUndefined();
  });

  it('given a malformed hash, then 400 names params.sha256', async () => {
    const res = await download('..%2F..%2Fetc%2Fpasswd', clerk);
    expect(res.statusCode).toBe(400);
    expect(res.json().details.issues[0].path).toBe('params.sha256');
  });
});
