import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorResponseSchema } from './errors.js';
import { type App, buildServer } from './server.js';

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

const applicantBody = z.object({
  procedureCode: z.string(),
  applicant: z.object({ fullName: z.string(), idNumber: z.string().regex(/^\d{12}$/) }),
});

async function server(): Promise<App> {
  const app = await buildServer({
    name: 'intake',
    version: '1.2.3',
    logger: false,
    prefix: '/v1/intake',
    routes: async (routes) => {
      routes.post(
        '/dossiers',
        {
          schema: {
            summary: 'Receive a dossier',
            body: applicantBody,
            response: { 201: z.object({ dossierId: z.string() }), 400: errorResponseSchema },
          },
        },
        async (request, reply) =>
          reply.status(201).send({ dossierId: `D-${request.body.applicant.idNumber}` }),
      );
    },
  });
  apps.push(app);
  return app;
}

describe('buildServer', () => {
  it('given a prefix, when a route plugin is registered, then it is served under the prefix', async () => {
    const app = await server();
    const response = await app.inject({
      method: 'POST',
      url: '/v1/intake/dossiers',
      payload: { procedureCode: 'P1', applicant: { fullName: 'Nguyễn Văn A', idNumber: '001234567890' } },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ dossierId: 'D-001234567890' });
  });

  it('given an x-request-id, when a request is served, then the same id is echoed', async () => {
    const app = await server();
    const response = await app.inject({ url: '/health/live', headers: { 'x-request-id': 'req-42.a:b' } });
    expect(response.headers['x-request-id']).toBe('req-42.a:b');
  });

  it('given no request id, when two requests are served, then each gets its own generated id', async () => {
    const app = await server();
    const first = await app.inject({ url: '/health/live' });
    const second = await app.inject({ url: '/nope' });
    expect(first.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.headers['x-request-id']).not.toBe(second.headers['x-request-id']);
  });

  it('given a request id with unsafe characters, then it is replaced rather than echoed', async () => {
    const app = await server();
    const response = await app.inject({ url: '/health/live', headers: { 'x-request-id': 'evil\tid {}' } });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when /docs/json is read, then it lists the route with its body schema, title, version and bearer scheme', async () => {
    const app = await server();
    const response = await app.inject({ url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const spec = z
      .object({
        info: z.object({ title: z.string(), version: z.string() }),
        components: z.object({ securitySchemes: z.record(z.string(), z.object({ scheme: z.string() })) }),
        paths: z.record(z.string(), z.record(z.string(), z.unknown())),
      })
      .parse(response.json());
    expect(spec.info).toEqual({ title: 'intake API', version: '1.2.3' });
    expect(spec.components.securitySchemes.bearerAuth?.scheme).toBe('bearer');
    const post = z
      .object({
        summary: z.string(),
        requestBody: z.object({
          content: z.object({
            'application/json': z.object({
              schema: z.object({
                required: z.array(z.string()),
                properties: z.record(z.string(), z.unknown()),
              }),
            }),
          }),
        }),
      })
      .parse(spec.paths['/v1/intake/dossiers']?.post);
    expect(post.summary).toBe('Receive a dossier');
    const bodySchema = post.requestBody.content['application/json'].schema;
    expect(bodySchema.required).toEqual(['procedureCode', 'applicant']);
    expect(Object.keys(bodySchema.properties)).toEqual(['procedureCode', 'applicant']);
    expect(spec.paths['/health/ready']?.get).toMatchObject({ security: [] });
    expect(Object.keys(spec.paths).some((path) => path.startsWith('/docs'))).toBe(false);
  });

  it('when /docs is opened, then the Swagger UI is served', async () => {
    const app = await server();
    const response = await app.inject({ url: '/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
  });
});
