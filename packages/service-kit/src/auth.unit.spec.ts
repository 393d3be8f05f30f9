import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { registerSessionRoutes } from './session.js';

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
    expect(response.json()).toEqual({
      code: 'AUTH_UNAUTHENTICATED',
      message: 'missing bearer token',
      details: { reason: 'missing' },
    });
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
    expect(response.json()).toEqual({
      code: 'AUTH_UNAUTHENTICATED',
      message: 'token expired',
      details: { reason: 'expired' },
    });
  });

  it('given a token signed with another secret, then 401', async () => {
    const app = await server();
    const forged = await signDevToken(
      { sub: 'u', roles: ['admin'] },
      'another-secret-of-at-least-thirty-two-chars',
    );
    const response = await app.inject({ url: '/me', headers: bearer(forged) });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({
      code: 'AUTH_UNAUTHENTICATED',
      message: 'invalid token',
      details: { reason: 'signature' },
    });
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
    expect(response.json()).toEqual({
      code: 'AUTH_UNAUTHENTICATED',
      message: 'token claims are malformed',
      details: { reason: 'claims' },
    });
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

/**
 * An identity provider on 127.0.0.1: an RS256 and an ES256 key pair generated here, the public halves published as
 * a JSON Web Key Set, and a signer for tokens as the provider would issue them (issuer, audience, expiry, key id).
 */
async function identityProvider() {
  const rsa = await generateKeyPair('RS256');
  const ec = await generateKeyPair('ES256');
  const keys = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
  ];
  let fetches = 0;
  const http: Server = createServer((_req, res) => {
    fetches += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
  const { port } = z.object({ port: z.number() }).parse(http.address());
  const issuer = 'https://id.example.gov.vn/realms/khanh-hoa';
  const audience = 'onestop';
  interface Issue {
    readonly claims?: Record<string, unknown>;
    readonly alg?: 'RS256' | 'ES256';
    readonly kid?: string;
    readonly issuer?: string;
    readonly audience?: string;
    readonly expiresIn?: string;
  }
  return {
    url: `http://127.0.0.1:${port}/protocol/openid-connect/certs`,
    keys: { keys },
    issuer,
    audience,
    fetches: () => fetches,
    config: (extra: Partial<Extract<AuthConfig, { mode: 'jwks' }>> = {}): AuthConfig => ({
      mode: 'jwks',
      jwksUrl: `http://127.0.0.1:${port}/protocol/openid-connect/certs`,
      issuer,
      audience,
      ...extra,
    }),
    sign: async (issue: Issue = {}) => {
      const alg = issue.alg ?? 'RS256';
      return new SignJWT({ roles: ['clerk'], unitId: 'U1', ...issue.claims })
        .setProtectedHeader({ alg, kid: issue.kid ?? (alg === 'RS256' ? 'rsa-1' : 'ec-1') })
        .setSubject('nguyen.van.a')
        .setIssuer(issue.issuer ?? issuer)
        .setAudience(issue.audience ?? audience)
        .setIssuedAt()
        .setExpirationTime(issue.expiresIn ?? '5m')
        .sign(alg === 'RS256' ? rsa.privateKey : ec.privateKey);
    },
  };
}

describe('identity provider tokens (JWKS)', () => {
  it.each(['RS256', 'ES256'] as const)(
    'given a %s token of the provider, then it is accepted with its subject, roles and unit',
    async (alg) => {
      const idp = await identityProvider();
      const app = await server(idp.config());
      const response = await app.inject({ url: '/me', headers: bearer(await idp.sign({ alg })) });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ sub: 'nguyen.van.a', roles: ['clerk'], unitId: 'U1' });
    },
  );

  it.each([
    ['another issuer', { issuer: 'https://evil.example' }, 'issuer', 'token issuer not accepted'],
    ['another audience', { audience: 'another-app' }, 'audience', 'token audience not accepted'],
    ['an expiry in the past', { expiresIn: '1 minute ago' }, 'expired', 'token expired'],
    [
      'a key id the provider does not publish',
      { kid: 'rotated-out' },
      'unknown_key',
      'token signed by a key the identity provider does not publish',
    ],
  ] as const)(
    'given a token with %s, then 401 AUTH_UNAUTHENTICATED saying why',
    async (_case, issue, reason, message) => {
      const idp = await identityProvider();
      const app = await server(idp.config());
      const response = await app.inject({ url: '/me', headers: bearer(await idp.sign(issue)) });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ code: 'AUTH_UNAUTHENTICATED', message, details: { reason } });
    },
  );

  it('given a token signed by another key under a published key id, then 401 for its signature', async () => {
    const idp = await identityProvider();
    const app = await server(idp.config());
    const impostor = await generateKeyPair('RS256');
    const token = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' })
      .setSubject('x')
      .setIssuer(idp.issuer)
      .setAudience(idp.audience)
      .setExpirationTime('5m')
      .sign(impostor.privateKey);
    const response = await app.inject({ url: '/me', headers: bearer(token) });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ details: { reason: 'signature' } });
  });

  it('given an HS256 token with the key set configured, then 401 (no algorithm confusion)', async () => {
    const idp = await identityProvider();
    const app = await server(idp.config());
    const response = await app.inject({ url: '/me', headers: bearer(await clerk()) });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'AUTH_UNAUTHENTICATED', details: { reason: 'algorithm' } });
  });

  it('given the key set cannot be fetched, then 503 AUTH_KEYS_UNAVAILABLE, not 401', async () => {
    const idp = await identityProvider();
    const app = await server(idp.config({ jwksUrl: 'http://127.0.0.1:9/jwks.json' }));
    const response = await app.inject({ url: '/me', headers: bearer(await idp.sign()) });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toMatchObject({ code: 'AUTH_KEYS_UNAVAILABLE' });
  });

  it('given the key set as a file instead of a URL, then tokens are checked against it without fetching', async () => {
    const idp = await identityProvider();
    const app = await server({
      mode: 'jwks',
      jwks: idp.keys,
      issuer: idp.issuer,
      audience: idp.audience,
    });
    const good = await app.inject({ url: '/me', headers: bearer(await idp.sign({ alg: 'ES256' })) });
    expect(good.statusCode).toBe(200);
    const unknown = await app.inject({ url: '/me', headers: bearer(await idp.sign({ kid: 'nope' })) });
    expect(unknown.json()).toMatchObject({ details: { reason: 'unknown_key' } });
    expect(idp.fetches()).toBe(0);
  });

  it('given claim names for a provider that nests roles, then roles and unit are read there and its other roles ignored', async () => {
    const idp = await identityProvider();
    const app = await server(idp.config({ claims: { roles: 'realm_access.roles', unitId: 'onestop_unit' } }));
    const token = await idp.sign({
      claims: {
        roles: undefined,
        unitId: undefined,
        realm_access: { roles: ['offline_access', 'specialist', 'uma_authorization'] },
        onestop_unit: 'kh.so-tu-phap',
      },
    });
    const response = await app.inject({ url: '/me', headers: bearer(token) });
    expect(response.json()).toEqual({ sub: 'nguyen.van.a', roles: ['specialist'], unitId: 'kh.so-tu-phap' });

    const none = await idp.sign({ claims: { realm_access: { roles: ['offline_access'] } } });
    const refused = await app.inject({ url: '/me', headers: bearer(none) });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ details: { reason: 'claims' } });
  });

  it('given roles as one space-separated string, then each is a role', async () => {
    const idp = await identityProvider();
    const app = await server(idp.config({ claims: { roles: 'scope' } }));
    const token = await idp.sign({ claims: { scope: 'openid leader profile' } });
    expect((await app.inject({ url: '/me', headers: bearer(token) })).json()).toMatchObject({
      roles: ['leader'],
    });
  });
});

describe('session routes', () => {
  async function sessionServer(auth: AuthConfig, signInUrl?: string): Promise<App> {
    const app = await buildServer({
      name: 'session',
      logger: false,
      auth,
      routes: async (routes) => registerSessionRoutes(routes, { auth, signInUrl }),
    });
    cleanups.push(() => app.close());
    return app;
  }

  it('given dev tokens, then /v1/sign-in says so and /v1/me echoes the caller', async () => {
    const app = await sessionServer({ mode: 'hs256', secret });
    expect((await app.inject({ url: '/v1/sign-in' })).json()).toEqual({ method: 'dev', signInUrl: null });
    const me = await app.inject({ url: '/v1/me', headers: bearer(await clerk()) });
    expect(me.json()).toEqual({ sub: 'u-clerk', roles: ['clerk'], unitId: 'U1' });
    const admin = await signDevToken({ sub: 'a', roles: ['admin'] }, secret);
    expect((await app.inject({ url: '/v1/me', headers: bearer(admin) })).json()).toEqual({
      sub: 'a',
      roles: ['admin'],
      unitId: null,
    });
  });

  it('given an identity provider, then /v1/sign-in points to it and /v1/me refuses an expired token with its reason', async () => {
    const idp = await identityProvider();
    const app = await sessionServer(idp.config(), 'https://id.example.gov.vn/auth?client_id=onestop');
    expect((await app.inject({ url: '/v1/sign-in' })).json()).toEqual({
      method: 'identity-provider',
      signInUrl: 'https://id.example.gov.vn/auth?client_id=onestop',
    });
    const expired = await app.inject({
      url: '/v1/me',
      headers: bearer(await idp.sign({ expiresIn: '1 minute ago' })),
    });
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ code: 'AUTH_UNAUTHENTICATED', details: { reason: 'expired' } });
  });
});

describe('auth config from env', () => {
  const schema = z.object(authEnvShape);
  const provider = {
    JWKS_URL: 'https://id.example/jwks',
    JWT_ISSUER: 'https://id.example',
    JWT_AUDIENCE: 'onestop',
  };

  it('given JWKS_URL with issuer and audience, then the key set is used', () => {
    expect(authConfigFromEnv(loadConfig(schema, provider))).toEqual({
      mode: 'jwks',
      jwksUrl: 'https://id.example/jwks',
      issuer: 'https://id.example',
      audience: 'onestop',
    });
  });

  it('given claim names, then they are passed on', () => {
    const env = loadConfig(schema, {
      ...provider,
      JWT_ROLES_CLAIM: 'realm_access.roles',
      JWT_UNIT_CLAIM: 'unit',
    });
    expect(authConfigFromEnv(env)).toMatchObject({ claims: { roles: 'realm_access.roles', unitId: 'unit' } });
  });

  it.each(['JWT_ISSUER', 'JWT_AUDIENCE'] as const)(
    'given an identity provider without %s, then CONFIG_INVALID names it',
    (name) => {
      const { [name]: _left, ...rest } = provider;
      expect(() => authConfigFromEnv(loadConfig(schema, rest))).toThrow(
        expect.objectContaining({
          code: 'CONFIG_INVALID',
          details: { issues: [expect.objectContaining({ path: name })] },
        }),
      );
    },
  );

  it('given JWKS_FILE, then the key set is read from it; a file that is no key set is CONFIG_INVALID', async () => {
    const idp = await identityProvider();
    const dir = await mkdtemp(join(tmpdir(), 'onestop-jwks-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'jwks.json');
    await writeFile(file, JSON.stringify(idp.keys));
    const { JWKS_URL: _url, ...rest } = provider;
    expect(authConfigFromEnv(loadConfig(schema, { ...rest, JWKS_FILE: file }))).toMatchObject({
      mode: 'jwks',
      jwks: idp.keys,
    });
    await writeFile(file, '{"keys": []}');
    expect(() => authConfigFromEnv(loadConfig(schema, { ...rest, JWKS_FILE: file }))).toThrow(/JWKS_FILE/);
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
