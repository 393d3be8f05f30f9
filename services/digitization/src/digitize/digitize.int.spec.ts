import { createHash, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoUnitIds } from '@onestop/catalog';
import { uuidv7 } from '@onestop/service-kit';
import { useTestSchema } from '@onestop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, multipart, pdf, png, receivingUnit, startHarness } from '../testing/harness.js';

const schema = useTestSchema('digi');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const MAX = 4096;

let h: Harness;
let clerk: string;
beforeAll(async () => {
  h = await startHarness(schema.current, { maxDocumentBytes: MAX });
  clerk = await h.token('clerk', receivingUnit);
});
afterAll(async () => {
  await h?.close();
});

const componentsUrl = (id: string) => `/v1/digitization/dossiers/${id}/components`;
const resultUrl = (id: string) => `/v1/digitization/dossiers/${id}/result`;

/** `token: null` sends no authorization header. */
function postJson(url: string, body: unknown, token: string | null = clerk) {
  return h.app.inject({
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    payload: JSON.stringify(body),
  });
}

function postMultipart(url: string, form: ReturnType<typeof multipart>, token: string = clerk) {
  return h.app.inject({
    method: 'POST',
    url,
    headers: { ...form.headers, authorization: `Bearer ${token}` },
    payload: form.payload,
  });
}

const upload = (code: string, bytes: Buffer, extra: Record<string, unknown> = {}) => ({
  code,
  fileName: 'giay-to.pdf',
  mediaType: 'application/pdf',
  contentBase64: bytes.toString('base64'),
  ...extra,
});

const issuePaths = (body: string): string[] =>
  (JSON.parse(body) as { details: { issues: Array<{ path: string }> } }).details.issues.map((i) => i.path);

describe('POST /v1/digitization/dossiers/{id}/components', () => {
  it('given a JSON upload, when posted, then the SHA-256 is computed by the server and the file stored under it', async () => {
    const id = await h.dossier();
    const bytes = pdf();

    const res = await postJson(componentsUrl(id), upload('TP1', bytes, { signer: 'cert-kh-0001' }));

    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      dossierId: id,
      code: 'TP1',
      sha256: sha256(bytes),
      sizeBytes: bytes.length,
      mediaType: 'application/pdf',
      source: 'scanned',
      signer: 'cert-kh-0001',
      digitizedBy: 'clerk-1',
      version: 0,
    });
    expect(res.headers.etag).toBe('"0"');
    const sha = body.sha256 as string;
    expect(await readFile(join(h.root, sha.slice(0, 2), sha.slice(2, 4), sha))).toEqual(bytes);
  });

  it('given a multipart upload, when posted, then it is stored like a JSON one', async () => {
    const id = await h.dossier();
    const bytes = png();

    const res = await postMultipart(
      componentsUrl(id),
      multipart(
        { code: 'TP2', signer: 'cert-kh-0002' },
        { fileName: 'anh.png', contentType: 'image/png', bytes },
      ),
    );

    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      code: 'TP2',
      sha256: sha256(bytes),
      sizeBytes: bytes.length,
      mediaType: 'image/png',
      signer: 'cert-kh-0002',
    });
    expect(await h.files()).toContain(
      join(sha256(bytes).slice(0, 2), sha256(bytes).slice(2, 4), sha256(bytes)),
    );
  });

  it('given a multipart file labelled application/octet-stream, then the sniffed type is recorded', async () => {
    const bytes = pdf();
    const res = await postMultipart(
      componentsUrl(await h.dossier()),
      multipart({ code: 'TP1' }, { fileName: 'scan', contentType: 'application/octet-stream', bytes }),
    );
    expect(res.statusCode).toBe(201);
    expect(res.json().mediaType).toBe('application/pdf');
  });

  it('given the same content twice (a retry, then another dossier), then it is stored once and the retry records nothing new', async () => {
    const bytes = pdf();
    const id = await h.dossier();
    const before = (await h.files()).length;

    const first = await postJson(componentsUrl(id), upload('TP1', bytes));
    const retry = await postJson(componentsUrl(id), upload('TP1', bytes));
    const elsewhere = await postJson(componentsUrl(await h.dossier()), upload('TP3', bytes));

    expect([first.statusCode, retry.statusCode, elsewhere.statusCode]).toEqual([201, 200, 201]);
    expect(retry.json().version).toBe(0);
    expect((await h.files()).length).toBe(before + 1);
  });

  it('given new content for a component already digitized, then it replaces the old file', async () => {
    const id = await h.dossier();
    await postJson(componentsUrl(id), upload('TP1', pdf('first')));
    const second = pdf('second');

    const res = await postJson(componentsUrl(id), upload('TP1', second));

    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ sha256: sha256(second), version: 1 });
  });

  it('given an executable disguised as a PDF, then it is refused naming the detected type and nothing is stored', async () => {
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64, 0x90)]);
    const before = await h.files();

    const json = await postJson(componentsUrl(await h.dossier()), upload('TP1', exe));
    const form = await postMultipart(
      componentsUrl(await h.dossier()),
      multipart({ code: 'TP1' }, { fileName: 'giay-to.pdf', contentType: 'application/pdf', bytes: exe }),
    );

    for (const res of [json, form]) {
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({
        code: 'DIGI_UNSUPPORTED_MEDIA_TYPE',
        details: { detected: 'application/vnd.microsoft.portable-executable' },
      });
    }
    expect(await h.files()).toEqual(before);
  });

  it('given text renamed to .pdf, then it is refused as text/plain', async () => {
    const res = await postJson(
      componentsUrl(await h.dossier()),
      upload('TP1', Buffer.from('just some text, not a PDF')),
    );
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'DIGI_UNSUPPORTED_MEDIA_TYPE',
      details: { detected: 'text/plain' },
    });
  });

  it('given a declared media type that disagrees with the content, then it is refused naming both', async () => {
    const res = await postJson(
      componentsUrl(await h.dossier()),
      upload('TP1', png(), { mediaType: 'application/pdf' }),
    );
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      code: 'DIGI_MEDIA_TYPE_MISMATCH',
      details: { declared: 'application/pdf', detected: 'image/png' },
    });
  });

  it('given a file over the size limit, then JSON and multipart both get 413 and nothing is stored', async () => {
    const big = Buffer.concat([pdf(), Buffer.alloc(MAX, 0x20)]);
    const before = await h.files();

    const json = await postJson(componentsUrl(await h.dossier()), upload('TP1', big));
    const form = await postMultipart(
      componentsUrl(await h.dossier()),
      multipart({ code: 'TP1' }, { fileName: 'big.pdf', contentType: 'application/pdf', bytes: big }),
    );

    for (const res of [json, form]) {
      expect(res.statusCode).toBe(413);
      expect(res.json().code).toBe('HTTP_PAYLOAD_TOO_LARGE');
    }
    expect(await h.files()).toEqual(before);
  });

  it('given a JSON body far over the limit, then fastify stops reading it with the same 413 code', async () => {
    const huge = Buffer.concat([pdf(), Buffer.alloc(128 * 1024, 0x20)]);
    const res = await postJson(componentsUrl(await h.dossier()), upload('TP1', huge));
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('HTTP_PAYLOAD_TOO_LARGE');
  });

  it('given a file exactly at the size limit, then it is accepted', async () => {
    const head = pdf();
    const exact = Buffer.concat([head, Buffer.alloc(MAX - head.length, 0x20)]);
    const res = await postJson(componentsUrl(await h.dossier()), upload('TP1', exact));
    expect(res.statusCode).toBe(201);
    expect(res.json().sizeBytes).toBe(MAX);
  });
});

describe('reuse by reference', () => {
  it('given an earlier dossier of the applicant with a digitized component, when reused, then the SHA-256 is copied with source reused and nothing is uploaded', async () => {
    const applicantId = randomUUID();
    const earlier = await h.dossier({ applicantId });
    const bytes = pdf();
    await postJson(componentsUrl(earlier), upload('TP1', bytes, { signer: 'cert-kh-0009' }));
    const filesBefore = await h.files();
    const id = await h.dossier({ applicantId });

    const res = await postJson(componentsUrl(id), {
      code: 'TP4',
      reusedFrom: { dossierId: earlier, componentCode: 'TP1' },
    });

    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      dossierId: id,
      code: 'TP4',
      sha256: sha256(bytes),
      sizeBytes: bytes.length,
      mediaType: 'application/pdf',
      source: 'reused',
      reusedFrom: `digitization-${earlier}/TP1`,
      signer: 'cert-kh-0009',
    });
    expect(await h.files()).toEqual(filesBefore);
  });

  it('given an earlier result, when reused as a component, then it is referenced as that dossier result', async () => {
    const applicantId = randomUUID();
    const earlier = await h.dossier({ applicantId });
    const bytes = pdf();
    await postJson(resultUrl(earlier), {
      fileName: 'kq.pdf',
      mediaType: 'application/pdf',
      contentBase64: bytes.toString('base64'),
    });

    const res = await postJson(componentsUrl(await h.dossier({ applicantId })), {
      code: 'TP1',
      reusedFrom: { dossierId: earlier, componentCode: 'result' },
    });

    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ sha256: sha256(bytes), reusedFrom: `digitization-${earlier}/result` });
  });

  it('given a source that was never digitized, then it is refused as 422 naming the source', async () => {
    const applicantId = randomUUID();
    const earlier = await h.dossier({ applicantId });
    await postJson(componentsUrl(earlier), upload('TP1', pdf()));

    const unknownDossier = await postJson(componentsUrl(await h.dossier()), {
      code: 'TP1',
      reusedFrom: { dossierId: randomUUID(), componentCode: 'TP1' },
    });
    const unknownComponent = await postJson(componentsUrl(await h.dossier({ applicantId })), {
      code: 'TP1',
      reusedFrom: { dossierId: earlier, componentCode: 'TP9' },
    });
    const noResult = await postJson(resultUrl(await h.dossier({ applicantId })), {
      reusedFrom: { dossierId: earlier, componentCode: 'result' },
    });

    for (const res of [unknownDossier, unknownComponent, noResult]) {
      expect(res.statusCode).toBe(422);
      expect(res.json().code).toBe('DIGI_REUSE_SOURCE_NOT_FOUND');
    }
    expect(unknownComponent.json().details).toEqual({ dossierId: earlier, componentCode: 'TP9' });
  });

  it('given a source dossier of another applicant, or the dossier itself, then 422 DIGI_REUSE_SOURCE_INVALID', async () => {
    const someoneElses = await h.dossier();
    await postJson(componentsUrl(someoneElses), upload('TP1', pdf()));
    const id = await h.dossier();
    await postJson(componentsUrl(id), upload('TP1', pdf()));

    const fromOther = await postJson(componentsUrl(id), {
      code: 'TP2',
      reusedFrom: { dossierId: someoneElses, componentCode: 'TP1' },
    });
    const fromItself = await postJson(componentsUrl(id), {
      code: 'TP2',
      reusedFrom: { dossierId: id, componentCode: 'TP1' },
    });

    for (const res of [fromOther, fromItself]) {
      expect(res.statusCode).toBe(422);
      expect(res.json().code).toBe('DIGI_REUSE_SOURCE_INVALID');
    }
    expect(fromOther.json().details).toEqual({
      dossierId: someoneElses,
      reason: 'the source dossier is another applicant’s',
    });
  });

  it('given both an upload and a reuse reference, then it is refused naming the conflicting fields', async () => {
    const res = await postJson(componentsUrl(await h.dossier()), {
      ...upload('TP1', pdf()),
      reusedFrom: { dossierId: randomUUID(), componentCode: 'TP1' },
    });
    expect(res.statusCode).toBe(400);
    expect(issuePaths(res.body)).toEqual(['body.fileName', 'body.mediaType', 'body.contentBase64']);
  });
});

describe('POST /v1/digitization/dossiers/{id}/result', () => {
  it('given a JSON upload of the result, then ResultDigitized is recorded', async () => {
    const id = await h.dossier();
    const bytes = pdf();
    const res = await postJson(resultUrl(id), {
      fileName: 'ket-qua.pdf',
      mediaType: 'application/pdf',
      contentBase64: bytes.toString('base64'),
      signer: 'kh.so-tu-phap',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      dossierId: id,
      sha256: sha256(bytes),
      source: 'scanned',
      signer: 'kh.so-tu-phap',
    });
    expect(res.json()).not.toHaveProperty('code');
  });

  it('given a multipart upload of the result (no code field), then it is recorded', async () => {
    const bytes = png();
    const res = await postMultipart(
      resultUrl(await h.dossier()),
      multipart({}, { fileName: 'kq.png', contentType: 'image/png', bytes }),
    );
    expect(res.statusCode).toBe(201);
    expect(res.json().sha256).toBe(sha256(bytes));
  });
});

describe('malformed requests', () => {
  it.each([
    [
      'a missing code',
      { fileName: 'a.pdf', mediaType: 'application/pdf', contentBase64: pdf().toString('base64') },
      ['body.code'],
    ],
    ['a code of the wrong type', { ...upload('TP1', pdf()), code: 7 }, ['body.code']],
    [
      'content that is not base64',
      { ...upload('TP1', pdf()), contentBase64: 'not base64!' },
      ['body.contentBase64'],
    ],
    ['an empty file', { ...upload('TP1', pdf()), contentBase64: '' }, ['body.contentBase64']],
    [
      'an upload without its content',
      { code: 'TP1', fileName: 'a.pdf', mediaType: 'application/pdf' },
      ['body.contentBase64'],
    ],
    [
      'a reuse reference with a bad dossier id',
      { code: 'TP1', reusedFrom: { dossierId: 'x', componentCode: 'TP1' } },
      ['body.reusedFrom.dossierId'],
    ],
  ])('given %s, then components answers 400 naming the field', async (_what, body, paths) => {
    const res = await postJson(componentsUrl(await h.dossier()), body);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('COMMON_VALIDATION_FAILED');
    expect(issuePaths(res.body)).toEqual(paths);
  });

  it.each([
    [
      'no content and no reference',
      { signer: 'x' },
      ['body.fileName', 'body.mediaType', 'body.contentBase64'],
    ],
    [
      'a signer of the wrong type',
      { reusedFrom: { dossierId: randomUUID(), componentCode: 'result' }, signer: 3 },
      ['body.signer'],
    ],
  ])('given %s, then result answers 400 naming the field', async (_what, body, paths) => {
    const res = await postJson(resultUrl(await h.dossier()), body);
    expect(res.statusCode).toBe(400);
    expect(issuePaths(res.body)).toEqual(paths);
  });

  it('given a dossier id that is not a UUID, then 400 names params.id', async () => {
    const res = await postJson(componentsUrl('not-a-uuid'), upload('TP1', pdf()));
    expect(res.statusCode).toBe(400);
    expect(issuePaths(res.body)).toEqual(['params.id']);
  });

  it('given invalid JSON, then 400 HTTP_MALFORMED_BODY', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: componentsUrl(await h.dossier()),
      headers: { authorization: `Bearer ${clerk}`, 'content-type': 'application/json' },
      payload: '{"code":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('HTTP_MALFORMED_BODY');
  });

  it('given no body at all, then 400 names the body', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: resultUrl(await h.dossier()),
      headers: { authorization: `Bearer ${clerk}` },
    });
    expect(res.statusCode).toBe(400);
    expect(issuePaths(res.body)).toEqual(['body']);
  });

  it('given multipart without a file or a code, then 400 names them', async () => {
    const noFile = await postMultipart(componentsUrl(await h.dossier()), multipart({ code: 'TP1' }));
    const noCode = await postMultipart(
      componentsUrl(await h.dossier()),
      multipart({}, { fileName: 'a.pdf', contentType: 'application/pdf', bytes: pdf() }),
    );
    const empty = await postMultipart(
      resultUrl(await h.dossier()),
      multipart({}, { fileName: 'a.pdf', contentType: 'application/pdf', bytes: Buffer.alloc(0) }),
    );
    expect([noFile.statusCode, noCode.statusCode, empty.statusCode]).toEqual([400, 400, 400]);
    expect(issuePaths(noFile.body)).toEqual(['body.file']);
    expect(issuePaths(noCode.body)).toEqual(['body.code']);
    expect(issuePaths(empty.body)).toEqual(['body.file']);
  });

  it('given a text/plain body, then 415', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: componentsUrl(await h.dossier()),
      headers: { authorization: `Bearer ${clerk}`, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(res.statusCode).toBe(415);
  });
});

describe('who may digitize', () => {
  it('given no token, then 401', async () => {
    const res = await postJson(componentsUrl(await h.dossier()), upload('TP1', pdf()), null);
    expect(res.statusCode).toBe(401);
  });

  it.each(['specialist', 'leader', 'analyst'] as const)(
    'given a %s, then 403 on both routes',
    async (role) => {
      const token = await h.token(role, receivingUnit);
      const components = await postJson(componentsUrl(await h.dossier()), upload('TP1', pdf()), token);
      const result = await postJson(resultUrl(await h.dossier()), upload('TP1', pdf()), token);
      expect([components.statusCode, result.statusCode]).toEqual([403, 403]);
      expect(components.json().code).toBe('AUTH_FORBIDDEN');
    },
  );

  it('given a clerk of another unit than the one that received the dossier, then 403 on both routes and nothing is stored', async () => {
    const id = await h.dossier();
    const filesBefore = await h.files();
    const other = await h.token('clerk', demoUnitIds.camRanhCentre);
    const components = await postJson(componentsUrl(id), upload('TP1', pdf()), other);
    const result = await postJson(resultUrl(id), upload('TP1', pdf()), other);
    expect([components.statusCode, result.statusCode]).toEqual([403, 403]);
    expect(components.json().code).toBe('AUTH_UNIT_FORBIDDEN');
    expect(await h.files()).toEqual(filesBefore);
  });

  it('given a dossier whose receipt has not reached digitization, then 404 DIGI_DOSSIER_NOT_RECEIVED and nothing is stored', async () => {
    const filesBefore = await h.files();
    const unknown = uuidv7();
    const res = await postJson(componentsUrl(unknown), upload('TP1', pdf()));
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'DIGI_DOSSIER_NOT_RECEIVED', details: { dossierId: unknown } });
    expect(await h.files()).toEqual(filesBefore);
  });

  it('given a receipt that reaches digitization while the command waits for it, then the upload is recorded', async () => {
    const dossierId = uuidv7();
    const pending = postJson(componentsUrl(dossierId), upload('TP1', pdf()));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await h.dossier({ dossierId });
    expect((await pending).statusCode).toBe(201);
  });

  it('given an admin, then the upload is recorded with the admin as actor', async () => {
    const res = await postJson(
      componentsUrl(await h.dossier()),
      upload('TP1', pdf()),
      await h.token('admin'),
    );
    expect(res.statusCode).toBe(201);
    expect(res.json().digitizedBy).toBe('admin-1');
  });
});
