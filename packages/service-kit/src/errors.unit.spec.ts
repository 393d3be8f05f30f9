import { defineError, type ErrorKind, parseOrThrow } from '@onestop/domain';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorResponseSchema, statusByKind } from './errors.js';
import { type App, buildServer } from './server.js';

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

let thrown: unknown;

async function server(options: { logLines?: string[]; bodyLimit?: number } = {}): Promise<App> {
  const logLines = options.logLines;
  const app = await buildServer({
    name: 'errors',
    logger:
      logLines === undefined ? false : pino({ level: 'info' }, { write: (line) => logLines.push(line) }),
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
    routes: async (routes) => {
      routes.post(
        '/dossiers/:id',
        {
          schema: {
            params: z.object({ id: z.uuid() }),
            querystring: z.object({ limit: z.coerce.number().int().max(100).optional() }),
            headers: z.object({ 'idempotency-key': z.string().min(8) }),
            body: z.object({
              applicant: z.object({ fullName: z.string(), idNumber: z.string().regex(/^\d{12}$/) }),
              components: z.array(z.object({ code: z.string(), provided: z.boolean() })),
            }),
          },
        },
        async () => ({ ok: true }),
      );
      routes.get('/throw', async () => {
        throw thrown;
      });
      routes.post('/parse', async (request) =>
        parseOrThrow(z.object({ rating: z.number() }), request.body, 'rating'),
      );
    },
  });
  apps.push(app);
  return app;
}

const validRequest = {
  method: 'POST' as const,
  url: '/dossiers/6f1c2a53-2f38-4d7e-9a57-0d7b3c1f4e21',
  headers: { 'idempotency-key': 'key-12345' },
  payload: {
    applicant: { fullName: 'Trần Thị B', idNumber: '001234567890' },
    components: [{ code: 'DON', provided: true }],
  },
};

function errorBody(json: unknown) {
  return errorResponseSchema
    .extend({
      details: z.object({ issues: z.array(z.object({ path: z.string(), message: z.string() })) }).optional(),
    })
    .parse(json);
}

describe('request validation', () => {
  it('given a valid request, then the handler runs', async () => {
    const app = await server();
    const response = await app.inject(validRequest);
    expect(response.statusCode).toBe(200);
  });

  it('given bad body fields, then 400 names each field by its path in the body', async () => {
    const app = await server();
    const response = await app.inject({
      ...validRequest,
      payload: {
        applicant: { fullName: 'X', idNumber: '12' },
        components: [{ code: 'DON', provided: 'yes' }],
      },
    });
    expect(response.statusCode).toBe(400);
    const body = errorBody(response.json());
    expect(body.code).toBe('COMMON_VALIDATION_FAILED');
    expect(body.details?.issues.map((i) => i.path)).toEqual([
      'body.applicant.idNumber',
      'body.components.0.provided',
    ]);
    expect(body.message).toContain('body.applicant.idNumber');
  });

  it('given a missing body field, then the path names the missing field', async () => {
    const app = await server();
    const response = await app.inject({ ...validRequest, payload: { components: [] } });
    expect(errorBody(response.json()).details?.issues.map((i) => i.path)).toEqual(['body.applicant']);
  });

  it('given a bad query parameter, then the path is under querystring', async () => {
    const app = await server();
    const response = await app.inject({ ...validRequest, url: `${validRequest.url}?limit=500` });
    expect(response.statusCode).toBe(400);
    expect(errorBody(response.json()).details?.issues.map((i) => i.path)).toEqual(['querystring.limit']);
  });

  it('given a bad path parameter, then the path is under params', async () => {
    const app = await server();
    const response = await app.inject({ ...validRequest, url: '/dossiers/not-a-uuid' });
    expect(response.statusCode).toBe(400);
    expect(errorBody(response.json()).details?.issues.map((i) => i.path)).toEqual(['params.id']);
  });

  it('given a missing header, then the path is under headers', async () => {
    const app = await server();
    const response = await app.inject({ ...validRequest, headers: {} });
    expect(response.statusCode).toBe(400);
    expect(errorBody(response.json()).details?.issues.map((i) => i.path)).toEqual([
      'headers.idempotency-key',
    ]);
  });

  it('given parseOrThrow fails in a handler, then 400 carries its issues', async () => {
    const app = await server();
    const response = await app.inject({ method: 'POST', url: '/parse', payload: { rating: 'high' } });
    expect(response.statusCode).toBe(400);
    expect(errorBody(response.json()).details?.issues.map((i) => i.path)).toEqual(['rating']);
  });
});

describe('unreadable requests', () => {
  it('given malformed JSON, then 400 HTTP_MALFORMED_BODY', async () => {
    const app = await server();
    const response = await app.inject({
      ...validRequest,
      payload: '{"applicant": ',
      headers: { ...validRequest.headers, 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'HTTP_MALFORMED_BODY' });
  });

  it('given an empty JSON body, then 400 HTTP_MALFORMED_BODY', async () => {
    const app = await server();
    const response = await app.inject({
      ...validRequest,
      payload: '',
      headers: { ...validRequest.headers, 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'HTTP_MALFORMED_BODY' });
  });

  it('given a text/plain body, then 415 HTTP_UNSUPPORTED_MEDIA_TYPE', async () => {
    const app = await server();
    const response = await app.inject({
      ...validRequest,
      payload: 'hello',
      headers: { ...validRequest.headers, 'content-type': 'text/plain' },
    });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ code: 'HTTP_UNSUPPORTED_MEDIA_TYPE' });
  });

  it('given a body over the limit, then 413 HTTP_PAYLOAD_TOO_LARGE', async () => {
    const app = await server({ bodyLimit: 64 });
    const response = await app.inject({
      ...validRequest,
      payload: { ...validRequest.payload, padding: 'x'.repeat(200) },
    });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ code: 'HTTP_PAYLOAD_TOO_LARGE' });
  });

  it('given an unknown route, then 404 HTTP_NOT_FOUND in the error shape', async () => {
    const app = await server();
    const response = await app.inject({ method: 'GET', url: '/v1/nowhere?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ code: 'HTTP_NOT_FOUND', message: 'no route for GET /v1/nowhere' });
  });
});

describe('domain errors', () => {
  const kinds = Object.keys(statusByKind).filter(
    (kind): kind is Exclude<ErrorKind, 'internal'> => kind !== 'internal',
  );

  it.each(kinds)(
    'given a DomainError of kind %s, then its status, code, message and details',
    async (kind) => {
      const app = await server();
      const code = `TEST_${kind.toUpperCase()}`;
      thrown = defineError<{ dossierId: string }>(code, kind)(`failed as ${kind}`, {
        details: { dossierId: 'D1' },
      });
      const response = await app.inject({ url: '/throw' });
      expect(response.statusCode).toBe(statusByKind[kind]);
      expect(response.json()).toEqual({ code, message: `failed as ${kind}`, details: { dossierId: 'D1' } });
    },
  );

  it('maps the kinds to the statuses of the design', () => {
    expect(statusByKind).toEqual({
      validation: 400,
      unauthorized: 401,
      forbidden: 403,
      not_found: 404,
      conflict: 409,
      precondition_failed: 412,
      unprocessable: 422,
      too_many_requests: 429,
      unavailable: 503,
      internal: 500,
    });
  });

  it('given an unknown error, then 500 INTERNAL without its message, and the cause is logged', async () => {
    const logLines: string[] = [];
    const app = await server({ logLines });
    thrown = new Error('password=hunter2 at db.internal:5432');
    const response = await app.inject({ url: '/throw' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ code: 'INTERNAL', message: 'internal error' });
    expect(response.body).not.toContain('hunter2');
    const logged = logLines.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'request failed');
    expect(logged?.err?.message).toBe('password=hunter2 at db.internal:5432');
    expect(logged?.requestId).toBe(response.headers['x-request-id']);
  });

  it('given an internal DomainError, then 500 INTERNAL without its message or details', async () => {
    const app = await server();
    thrown = defineError<{ row: number }>('TEST_BROKEN', 'internal')('invariant broken in table dossiers', {
      details: { row: 1 },
    });
    const response = await app.inject({ url: '/throw' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ code: 'INTERNAL', message: 'internal error' });
  });

  it('given a thrown non-error value, then 500 INTERNAL', async () => {
    const app = await server();
    thrown = { statusCode: 200, secret: 'x' };
    const response = await app.inject({ url: '/throw' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ code: 'INTERNAL', message: 'internal error' });
  });
});
