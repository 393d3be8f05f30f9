import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, buildServer } from '@onestop/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWeb } from './routes.js';

let dist: string;
let app: App;

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'onestop-web-dist-'));
  await mkdir(join(dist, 'assets'));
  await writeFile(join(dist, 'index.html'), '<!doctype html><div id="app"></div>');
  await writeFile(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
  await writeFile(join(dist, 'secret.txt'), 'not an asset');
  const secret = 'x'.repeat(32);
  app = await buildServer({
    name: 'web-test',
    logger: false,
    auth: { mode: 'hs256', secret },
    routes: (root) => registerWeb(root, { distDir: dist, buildOnDemand: false }),
  });
});

afterAll(async () => {
  await app?.close();
  await rm(dist, { recursive: true, force: true });
});

describe('serving the built app', () => {
  it('given a built dist, when / is requested without a token, then index.html is served uncached', async () => {
    const reply = await app.inject({ method: 'GET', url: '/' });
    expect(reply.statusCode).toBe(200);
    expect(reply.headers['content-type']).toContain('text/html');
    expect(reply.headers['cache-control']).toBe('no-cache');
    expect(reply.body).toContain('id="app"');
  });
  it('given a hashed asset, when requested, then it is served as JavaScript, cached for good', async () => {
    const reply = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(reply.statusCode).toBe(200);
    expect(reply.headers['content-type']).toContain('text/javascript');
    expect(reply.headers['cache-control']).toContain('immutable');
  });
  it('given a path outside the assets folder or an unknown asset, when requested, then nothing is served', async () => {
    const traversal = await app.inject({ method: 'GET', url: '/assets/..%2Fsecret.txt' });
    expect(traversal.statusCode).toBe(400);
    expect(traversal.body).not.toContain('not an asset');
    const missing = await app.inject({ method: 'GET', url: '/assets/nope.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'WEB_ASSET_NOT_FOUND' });
  });
});
