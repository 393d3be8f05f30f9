import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildServer } from './server.js';

describe('OpenAPI error responses', () => {
  it('documents the error shape on every route: 400 and 500 always, 401/403 unless public, own statuses kept', async () => {
    const app = await buildServer({
      name: 'docs-test',
      logger: false,
      auth: { mode: 'hs256', secret: 'x'.repeat(32) },
      routes: async (r) => {
        r.get('/private', { schema: { response: { 200: z.object({ ok: z.boolean() }) } } }, async () => ({
          ok: true,
        }));
        r.get('/open', { config: { public: true } }, async () => ({ ok: true }));
        r.post(
          '/own',
          {
            schema: {
              response: { 201: z.object({ id: z.string() }), 409: z.object({ code: z.literal('MINE') }) },
            },
          },
          async () => ({ id: 'a' }),
        );
      },
    });
    const doc = (await app.inject({ url: '/docs/json' })).json<{
      paths: Record<string, Record<string, { responses: Record<string, { content?: unknown }> }>>;
    }>();
    const statuses = (path: string, method: string) =>
      Object.keys(doc.paths[path]?.[method]?.responses ?? {}).sort();
    expect(statuses('/private', 'get')).toEqual(['200', '400', '401', '403', '500']);
    expect(statuses('/open', 'get')).toEqual(['400', '500']);
    expect(statuses('/own', 'post')).toEqual(['201', '400', '401', '403', '409', '500']);
    expect(JSON.stringify(doc.paths['/private']?.get?.responses['400'])).toContain('ErrorResponse');
    await app.close();
  });
});
