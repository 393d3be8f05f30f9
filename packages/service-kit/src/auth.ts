import { defineError, parseOrThrow } from '@onestop/domain';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  createRemoteJWKSet,
  type JWTVerifyOptions,
  type JWTVerifyResult,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
} from 'jose';
import { z } from 'zod';
import { ConfigInvalid } from './config.js';

export const roles = ['clerk', 'specialist', 'leader', 'analyst', 'admin'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

/** Who is calling, taken from a verified bearer token. */
export interface AuthContext {
  readonly sub: string;
  readonly roles: readonly Role[];
  readonly unitId?: string;
}

export const Unauthenticated = defineError('AUTH_UNAUTHENTICATED', 'unauthorized');
export const Forbidden = defineError<{ required: readonly Role[] }>('AUTH_FORBIDDEN', 'forbidden');
export const UnitForbidden = defineError<{ unitId: string }>('AUTH_UNIT_FORBIDDEN', 'forbidden');
export const KeysUnavailable = defineError('AUTH_KEYS_UNAVAILABLE', 'unavailable');

/** HS256 with a shared secret for local use; a JWKS URL (asymmetric keys) in production. */
export type AuthConfig =
  | {
      readonly mode: 'hs256';
      readonly secret: string;
      readonly issuer?: string;
      readonly audience?: string;
    }
  | {
      readonly mode: 'jwks';
      readonly jwksUrl: string;
      readonly issuer?: string;
      readonly audience?: string;
    };

const hs256Secret = z.string().min(32, 'must be at least 32 characters (HS256 key strength)');

/**
 * The auth part of a service's env schema: `JWKS_URL` wins when set, else `JWT_SECRET` is required. Spread its
 * shape into the service schema, then pass the parsed values to `authConfigFromEnv`.
 */
export const authEnvShape = {
  JWT_SECRET: hs256Secret.optional(),
  JWKS_URL: z.url().optional(),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
};

export function authConfigFromEnv(env: {
  JWT_SECRET?: string | undefined;
  JWKS_URL?: string | undefined;
  JWT_ISSUER?: string | undefined;
  JWT_AUDIENCE?: string | undefined;
}): AuthConfig {
  const claims = {
    ...(env.JWT_ISSUER === undefined ? {} : { issuer: env.JWT_ISSUER }),
    ...(env.JWT_AUDIENCE === undefined ? {} : { audience: env.JWT_AUDIENCE }),
  };
  if (env.JWKS_URL !== undefined) return { mode: 'jwks', jwksUrl: env.JWKS_URL, ...claims };
  if (env.JWT_SECRET !== undefined) return { mode: 'hs256', secret: env.JWT_SECRET, ...claims };
  throw ConfigInvalid('invalid configuration: set JWKS_URL or JWT_SECRET', {
    details: { issues: [{ path: 'JWT_SECRET', message: 'missing (or set JWKS_URL)' }] },
  });
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  roles: z.array(roleSchema).min(1),
  unitId: z.string().min(1).optional(),
});

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Serve this route without a token (health, metrics, docs). */
    public?: boolean;
  }
  interface FastifyRequest {
    /** The verified caller; null on public routes. Use `authOf(request)` where a caller is required. */
    auth: AuthContext | null;
  }
}

/** Verified tokens are remembered at most this long, so a key rotated out of the JWKS stops working soon. */
const CACHE_TTL_MS = 5 * 60_000;
const CACHE_MAX_ENTRIES = 10_000;
const expirySchema = z.object({ exp: z.number().optional() });

/**
 * Returns a verifier for bearer tokens; exported so the CLI and tests can check tokens without a server.
 * A desk sends the same token with every request and a signature check costs more than the rest of a small
 * request, so a verified token is remembered until it expires (at most 5 minutes); failures are never cached.
 */
export function createTokenVerifier(
  config: AuthConfig,
  now: () => number = Date.now,
): (token: string) => Promise<AuthContext> {
  const options = {
    algorithms: config.mode === 'hs256' ? ['HS256'] : ['RS256', 'PS256', 'ES256', 'EdDSA'],
    ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
    ...(config.audience === undefined ? {} : { audience: config.audience }),
  };
  const verifyJwt = keyedVerifier(config, options, now);
  const verified = new Map<string, { readonly auth: AuthContext; readonly until: number }>();
  return async (token) => {
    const cached = verified.get(token);
    if (cached !== undefined) {
      if (cached.until > now()) return cached.auth;
      verified.delete(token);
    }
    let payload: unknown;
    try {
      payload = (await verifyJwt(token)).payload;
    } catch (error) {
      throw verificationError(error, config.mode);
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) throw Unauthenticated('token claims are malformed', { cause: claims.error });
    const { sub, roles, unitId } = claims.data;
    const auth: AuthContext = unitId === undefined ? { sub, roles } : { sub, roles, unitId };
    const exp = expirySchema.safeParse(payload).data?.exp;
    const until = Math.min(now() + CACHE_TTL_MS, exp === undefined ? Number.POSITIVE_INFINITY : exp * 1000);
    if (verified.size >= CACHE_MAX_ENTRIES) {
      const oldest = verified.keys().next().value;
      if (oldest !== undefined) verified.delete(oldest);
    }
    verified.set(token, { auth, until });
    return auth;
  };
}

function keyedVerifier(
  config: AuthConfig,
  options: JWTVerifyOptions,
  now: () => number,
): (token: string) => Promise<JWTVerifyResult> {
  const at = () => ({ ...options, currentDate: new Date(now()) });
  if (config.mode === 'hs256') {
    const secret = new TextEncoder().encode(config.secret);
    return (token) => jwtVerify(token, secret, at());
  }
  // The key set is fetched lazily and cached by jose, refetched when a token names an unknown key id.
  const keys = createRemoteJWKSet(new URL(config.jwksUrl));
  return (token) => jwtVerify(token, keys, at());
}

function verificationError(error: unknown, mode: AuthConfig['mode']) {
  if (error instanceof joseErrors.JWTExpired) return Unauthenticated('token expired', { cause: error });
  const fetchFailed = error instanceof joseErrors.JWKSTimeout || !(error instanceof joseErrors.JOSEError);
  if (mode === 'jwks' && fetchFailed) {
    // The key set could not be fetched: the token may be fine, so this is ours to retry, not the caller's fault.
    return KeysUnavailable('token keys unavailable', { cause: error });
  }
  return Unauthenticated('invalid token', { cause: error });
}

// The scheme name is case-insensitive (RFC 6750); the token must at least look like a compact JWS.
const bearer = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;

/**
 * Verifies the bearer token of every matched route unless the route says `config: { public: true }`, so a new
 * route is protected by default. Unknown routes stay 404 rather than 401.
 */
export function installAuth(app: FastifyInstance, config: AuthConfig): void {
  const verify = createTokenVerifier(config);
  app.decorateRequest('auth', null);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.url === undefined || request.routeOptions.config.public === true) return;
    const header = request.headers.authorization;
    if (header === undefined) throw Unauthenticated('missing bearer token');
    const token = bearer.exec(header)?.[1];
    if (token === undefined) throw Unauthenticated('malformed authorization header: expected "Bearer <jwt>"');
    request.auth = await verify(token);
  });
}

/** The verified caller; throws AUTH_UNAUTHENTICATED on a route that has none (a public route, or no auth). */
export function authOf(request: FastifyRequest): AuthContext {
  if (request.auth === null) throw Unauthenticated('this route needs a bearer token');
  return request.auth;
}

/**
 * A hook that lets through callers holding any of `needed`. Use it as `onRequest` (after auth, before the body
 * is read) or `preHandler`.
 */
export function requireRole(...needed: readonly Role[]): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const auth = authOf(request);
    if (!needed.some((role) => auth.roles.includes(role))) {
      throw Forbidden(`requires one of the roles: ${needed.join(', ')}`, { details: { required: needed } });
    }
  };
}

/**
 * Unit scope: a caller acts only for their own unit. `anyUnit` lists roles that act for every unit (default
 * admin); analysts read across units, so read routes pass `['admin', 'analyst']`.
 */
export function requireUnit(
  request: FastifyRequest,
  unitId: string,
  anyUnit: readonly Role[] = ['admin'],
): AuthContext {
  const auth = authOf(request);
  if (auth.roles.some((role) => anyUnit.includes(role)) || auth.unitId === unitId) return auth;
  throw UnitForbidden(`acts only for unit ${auth.unitId ?? '(none)'}, not ${unitId}`, {
    details: { unitId },
  });
}

export interface DevTokenClaims {
  readonly sub: string;
  readonly roles: readonly Role[];
  readonly unitId?: string;
  /** A jose time span: `'8h'` (the default), `'15 minutes'`, or `'1 minute ago'` for an expired token. */
  readonly expiresIn?: string;
  readonly issuer?: string;
  readonly audience?: string;
}

/** Signs an HS256 token for local use (the CLI's `token` command) and tests. */
export async function signDevToken(claims: DevTokenClaims, secret: string): Promise<string> {
  const key = new TextEncoder().encode(parseOrThrow(hs256Secret, secret, 'dev token secret'));
  let jwt = new SignJWT({
    roles: [...claims.roles],
    ...(claims.unitId === undefined ? {} : { unitId: claims.unitId }),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '8h');
  if (claims.issuer !== undefined) jwt = jwt.setIssuer(claims.issuer);
  if (claims.audience !== undefined) jwt = jwt.setAudience(claims.audience);
  return jwt.sign(key);
}
