import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { findUnsafeText } from './input-text.js';
import { type App, buildServer } from './server.js';

const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function server(): Promise<App> {
  const app = await buildServer({
    name: 'test',
    logger: false,
    routes: async (r) => {
      r.post(
        '/things/:id',
        {
          schema: {
            params: z.object({ id: z.string().max(40) }),
            querystring: z.object({ note: z.string().optional() }),
            body: z.object({ reason: z.string(), applicant: z.object({ fullName: z.string() }) }),
          },
        },
        async (request) => ({ ok: true, reason: request.body.reason }),
      );
    },
  });
  apps.push(app);
  return app;
}

const ok = { reason: 'Bổ sung giấy tờ\nlần 2', applicant: { fullName: 'Nguyễn Văn An 👋' } };

describe('unsafe text in requests', () => {
  it.each([
    ['NUL in a reason', { ...ok, reason: 'a\u0000b' }, 'body.reason', 'U+0000'],
    ['BEL in a name', { ...ok, applicant: { fullName: 'An\u0007' } }, 'body.applicant.fullName', 'U+0007'],
    [
      'a right-to-left override',
      { ...ok, applicant: { fullName: 'An\u202Egnp.exe' } },
      'body.applicant.fullName',
      'U+202E',
    ],
    ['an unpaired high surrogate', { ...ok, reason: 'x\uD83Dy' }, 'body.reason', 'U+D83D'],
    ['an unpaired low surrogate', { ...ok, reason: '\uDC4Bx' }, 'body.reason', 'U+DC4B'],
  ])('given %s, then 400 names the field and the character', async (_what, payload, path, char) => {
    const res = await (await server()).inject({ method: 'POST', url: '/things/1', payload });
    expect(res.statusCode).toBe(400);
    const body = res.json<{ code: string; details: { issues: Array<{ path: string; message: string }> } }>();
    expect(body.code).toBe('COMMON_VALIDATION_FAILED');
    expect(body.details.issues[0]?.path).toBe(path);
    expect(body.details.issues[0]?.message).toContain(char);
  });

  it('accepts Vietnamese text, emoji, tabs and line breaks', async () => {
    const res = await (await server()).inject({ method: 'POST', url: '/things/1?note=%09ok', payload: ok });
    expect(res.statusCode).toBe(200);
  });

  it('checks query strings and path parameters too', async () => {
    const app = await server();
    const query = await app.inject({ method: 'POST', url: '/things/1?note=a%00b', payload: ok });
    expect(query.json()).toMatchObject({ details: { issues: [{ path: 'querystring.note' }] } });
    const param = await app.inject({ method: 'POST', url: '/things/a%01b', payload: ok });
    expect(param.json()).toMatchObject({ details: { issues: [{ path: 'params.id' }] } });
  });

  it('gives URL errors raised before routing the common error shape', async () => {
    const app = await server();
    const badEncoding = await app.inject({ method: 'POST', url: '/things/%E0%A4%A', payload: ok });
    expect(badEncoding.statusCode).toBe(400);
    expect(badEncoding.json()).toEqual({ code: 'HTTP_BAD_REQUEST', message: expect.any(String) });
    const longParam = await app.inject({ method: 'POST', url: `/things/${'x'.repeat(2000)}`, payload: ok });
    expect(longParam.statusCode).toBe(414);
    expect(longParam.json()).toEqual({ code: 'HTTP_URI_TOO_LONG', message: expect.any(String) });
  });

  it('finds unsafe object keys and stops at non-plain objects', () => {
    expect(findUnsafeText({ 'a\u0000': 1 }, 'body')).toMatchObject({ path: 'body.a\u0000' });
    expect(findUnsafeText(Buffer.from([0, 1, 2]), 'body')).toBeUndefined();
    expect(findUnsafeText([['ok', 'b\u001F']], 'body')).toMatchObject({ path: 'body.0.1' });
  });
});
