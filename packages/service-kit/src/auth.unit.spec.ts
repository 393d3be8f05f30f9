import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type AuthConfig,
  authConfigFromEnv,
  authEnvShape,
  authOf,
  createTokenVerifier,
  requireRole,
  requireUnit,
  signDevToken,
} from './auth.js';
import { loadConfig } from './config.js';
import { type App, buildServer } from './server.js';

const secret = 'dev-secret-of-at-least-thirty-two-characters';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function server(auth: AuthConfig = { mode: 'hs256', secret }): Promise<App> {
  const app = await buildServer({
    name: 'auth',
    logger: false,
    auth,
    routes: async (routes) => {
      routes.get('/me', async (request) => authOf(request));
      routes.post('/decide', { onRequest: requireRole('specialist', 'leader') }, async () => ({
        decided: true,
      }));
      routes.post(
        '/units/:unitId/dossiers',
        { schema: { params: z.object({ unitId: z.string() }) } },
        async (request) => ({ actingFor: requireUnit(request, request.params.unitId).unitId ?? 'any' }),
      );
      routes.get('/open', { config: { public: true } }, async (request) => ({ auth: request.auth }));
    },
  });
  cleanups.push(() => app.close());
  return app;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const clerk = () => signDevToken({ sub: 'u-clerk', roles: ['clerk'], unitId: 'U1' }, secret);

describe('authentication', () => {
  it('given a valid token, then request.auth carries sub, roles and unit', async () => {
    const app = await server();
    const response = await app.inject({ url: '/me', headers: bearer(await clerk()) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ sub: 'u-clerk', roles: ['clerk'], unitId: 'U1' });
  });

  it('given no token, then 401 AUTH_UNAUTHENTICATED', async () => {
    const app = await server();
    const response = await app.inject({ url: '/me' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ code: 'AUTH_UNAUTHENTICATED', message: 'missing bearer token' });
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it.each([
    ['not a bearer scheme', `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['not a JWT', 'Bearer abc'],
    ['a JWT of garbage', 'Bearer aaa.bbb.ccc'],
  ])('given %s, then 401 AUTH_UNAUTHENTICATED', async (_case, header) => {
    const app = await server();
    const response = await app.inject({ url: '/me', headers: { authorization: header } });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'AUTH_UNAUTHENTICATED' });
  });

  it('given an expired token, then 401 saying it expired', async () => {
    const app = await server();
    const token = await signDevToken(
      { sub: 'u', roles: ['clerk'], unitId: 'U1', expiresIn: '1 minute ago' },
      secret,
    );
    const response = await app.inject({ url: '/me', headers: bearer(token) });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ code: 'AUTH_UNAUTHENTICATED', message: 'token expired' });
  });

  it('given a token signed with another secret, then 401', async () => {
    const app = await server();
    const forged = await signDevToken(
      { sub: 'u', roles: ['admin'] },
      'another-secret-of-at-least-thirty-two-chars',
    );
    const response = await app.inject({ url: '/me', headers: bearer(forged) });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ code: 'AUTH_UNAUTHENTICATED', message: 'invalid token' });
  });

  it('given an unsigned (alg none) token, then 401', async () => {
    const app = await server();
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: 'u', roles: ['admin'] })).toString('base64url');
    const response = await app.inject({
      url: '/me',
      headers: { authorization: `Bearer ${header}.${payload}.x` },
    });
    expect(response.statusCode).toBe(401);
  });

  it('given a token with an unknown role, then 401 for malformed claims', async () => {
    const app = await server();
    const token = await new SignJWT({ roles: ['superuser'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(secret));
    const response = await app.inject({ url: '/me', headers: bearer(token) });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ code: 'AUTH_UNAUTHENTICATED', message: 'token claims are malformed' });
  });

  it('given public routes, then they answer without a token and request.auth is null', async () => {
    const app = await server();
    for (const url of ['/health/live', '/health/ready', '/metrics', '/docs/json', '/docs/']) {
      expect((await app.inject({ url })).statusCode, url).toBe(200);
    }
    expect((await app.inject({ url: '/open' })).json()).toEqual({ auth: null });
  });

  it('given an unknown route and no token, then 404 rather than 401', async () => {
    const app = await server();
    expect((await app.inject({ url: '/nowhere' })).statusCode).toBe(404);
  });
});

describe('authorization', () => {
  it('given a role that is not among the needed ones, then 403 AUTH_FORBIDDEN naming them', async () => {
    const app = await server();
    const response = await app.inject({ method: 'POST', url: '/decide', headers: bearer(await clerk()) });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({
      code: 'AUTH_FORBIDDEN',
      message: 'requires one of the roles: specialist, leader',
      details: { required: ['specialist', 'leader'] },
    });
  });

  it('given one of the needed roles, then the route runs', async () => {
    const app = await server();
    const token = await signDevToken({ sub: 's', roles: ['clerk', 'leader'], unitId: 'U1' }, secret);
    const response = await app.inject({ method: 'POST', url: '/decide', headers: bearer(token) });
    expect(response.statusCode).toBe(200);
  });

  it('given a clerk acting for another unit, then 403 AUTH_UNIT_FORBIDDEN', async () => {
    const app = await server();
    const response = await app.inject({
      method: 'POST',
      url: '/units/U2/dossiers',
      headers: bearer(await clerk()),
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'AUTH_UNIT_FORBIDDEN', details: { unitId: 'U2' } });
  });

  it('given a clerk acting for their own unit, or an admin for any, then the route runs', async () => {
    const app = await server();
    const own = await app.inject({
      method: 'POST',
      url: '/units/U1/dossiers',
      headers: bearer(await clerk()),
    });
    expect(own.json()).toEqual({ actingFor: 'U1' });
    const admin = await signDevToken({ sub: 'a', roles: ['admin'] }, secret);
    const any = await app.inject({ method: 'POST', url: '/units/U9/dossiers', headers: bearer(admin) });
    expect(any.json()).toEqual({ actingFor: 'any' });
  });
});

describe('JWKS mode', () => {
  async function jwksServer(): Promise<{ url: string; sign: (claims: object) => Promise<string> }> {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const http: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
    const { port } = z.object({ port: z.number() }).parse(http.address());
    return {
      url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
      sign: (claims) =>
        new SignJWT({ ...claims })
          .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
          .setSubject('u-jwks')
          .setIssuer('https://id.example')
          .setExpirationTime('5m')
          .sign(privateKey),
    };
  }

  it('given a token signed by a key in the key set, then it is accepted', async () => {
    const jwks = await jwksServer();
    const app = await server({ mode: 'jwks', jwksUrl: jwks.url, issuer: 'https://id.example' });
    const token = await jwks.sign({ roles: ['analyst'] });
    const response = await app.inject({ url: '/me', headers: bearer(token) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ sub: 'u-jwks', roles: ['analyst'] });
  });

  it('given an HS256 token with the key set configured, then 401 (no algorithm confusion)', async () => {
    const jwks = await jwksServer();
    const app = await server({ mode: 'jwks', jwksUrl: jwks.url });
    const response = await app.inject({ url: '/me', headers: bearer(await clerk()) });
    expect(response.statusCode).toBe(401);
  });

  it('given the key set cannot be fetched, then 503 AUTH_KEYS_UNAVAILABLE, not 401', async () => {
    const jwks = await jwksServer();
    const app = await server({ mode: 'jwks', jwksUrl: 'http://127.0.0.1:9/jwks.json' });
    const response = await app.inject({
      url: '/me',
      headers: bearer(await jwks.sign({ roles: ['analyst'] })),
    });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ code: 'AUTH_KEYS_UNAVAILABLE' });
  });
});

describe('auth config from env', () => {
  const schema = z.object(authEnvShape);

  it('given JWKS_URL, then the key set is used', () => {
    const env = loadConfig(schema, { JWKS_URL: 'https://id.example/jwks', JWT_AUDIENCE: 'onestop' });
    expect(authConfigFromEnv(env)).toEqual({
      mode: 'jwks',
      jwksUrl: 'https://id.example/jwks',
      audience: 'onestop',
    });
  });

  it('given only JWT_SECRET, then HS256 is used', () => {
    expect(authConfigFromEnv(loadConfig(schema, { JWT_SECRET: secret }))).toEqual({ mode: 'hs256', secret });
  });

  it('given neither, then CONFIG_INVALID', () => {
    expect(() => authConfigFromEnv(loadConfig(schema, {}))).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', kind: 'validation' }),
    );
  });

  it('given a short secret, then the config names it', () => {
    expect(() => loadConfig(schema, { JWT_SECRET: 'short' })).toThrow(
      /JWT_SECRET: must be at least 32 characters/,
    );
  });
});

describe('verified token cache', () => {
  const secret = 's'.repeat(32);

  it('remembers a verified token, and refuses it once it expired', async () => {
    let clock = Date.now();
    const verify = createTokenVerifier({ mode: 'hs256', secret }, () => clock);
    const token = await signDevToken(
      { sub: 'c1', roles: ['clerk'], unitId: 'u1', expiresIn: '2 minutes' },
      secret,
    );
    expect(await verify(token)).toEqual({ sub: 'c1', roles: ['clerk'], unitId: 'u1' });
    expect(await verify(token)).toEqual({ sub: 'c1', roles: ['clerk'], unitId: 'u1' });
    clock += 3 * 60_000;
    await expect(verify(token)).rejects.toMatchObject({
      code: 'AUTH_UNAUTHENTICATED',
      message: 'token expired',
    });
  });

  it('does not remember failures: a forged token stays refused', async () => {
    const verify = createTokenVerifier({ mode: 'hs256', secret });
    const forged = await signDevToken({ sub: 'x', roles: ['admin'] }, 'f'.repeat(32));
    await expect(verify(forged)).rejects.toMatchObject({ code: 'AUTH_UNAUTHENTICATED' });
    await expect(verify(forged)).rejects.toMatchObject({ code: 'AUTH_UNAUTHENTICATED' });
  });
});
