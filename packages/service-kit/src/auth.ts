import { readFileSync } from 'node:fs';
import { defineError, parseOrThrow } from '@onestop/domain';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
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

/**
 * Why a token was refused, in `details.reason` of AUTH_UNAUTHENTICATED (the code stays one: every client reacts to a
 * 401 by signing in again; the reason tells a person or an operator what to fix).
 */
export const unauthenticatedReasons = [
  'missing',
  'malformed',
  'expired',
  'not_yet_valid',
  'issuer',
  'audience',
  'unknown_key',
  'signature',
  'algorithm',
  'claims',
] as const;
export type UnauthenticatedReason = (typeof unauthenticatedReasons)[number];

export const Unauthenticated = defineError<{ reason: UnauthenticatedReason }>(
  'AUTH_UNAUTHENTICATED',
  'unauthorized',
);
export const Forbidden = defineError<{ required: readonly Role[] }>('AUTH_FORBIDDEN', 'forbidden');
export const UnitForbidden = defineError<{ unitId: string }>('AUTH_UNIT_FORBIDDEN', 'forbidden');
export const KeysUnavailable = defineError('AUTH_KEYS_UNAVAILABLE', 'unavailable');

const refused = (reason: UnauthenticatedReason, message: string, cause?: unknown) =>
  Unauthenticated(message, { details: { reason }, ...(cause === undefined ? {} : { cause }) });

/** Where an identity provider's token keeps the caller's roles and unit (dotted paths: `realm_access.roles`). */
export interface ClaimNames {
  /** Default `roles`: an array of role names, or one name, or names separated by spaces. */
  readonly roles?: string;
  /** Default `unitId`. */
  readonly unitId?: string;
}

/**
 * HS256 with a shared secret for local use (dev tokens); in production the identity provider's asymmetric tokens
 * (RS256, PS256, ES256, EdDSA), checked against its JSON Web Key Set, fetched from `jwksUrl` (cached, refetched when
 * a token names an unknown key id) or given as `jwks` (a file read at start).
 */
export type AuthConfig =
  | {
      readonly mode: 'hs256';
      readonly secret: string;
      readonly issuer?: string;
      readonly audience?: string;
    }
  | {
      readonly mode: 'jwks';
      readonly jwksUrl?: string;
      readonly jwks?: JSONWebKeySet;
      readonly issuer?: string;
      readonly audience?: string;
      readonly claims?: ClaimNames;
    };

const hs256Secret = z.string().min(32, 'must be at least 32 characters (HS256 key strength)');
const claimPath = z
  .string()
  .regex(/^[\w-]+(\.[\w-]+)*$/, 'a claim name, or a dotted path like realm_access.roles');

/**
 * The auth part of a service's env schema. An identity provider (`JWKS_URL` or `JWKS_FILE`, with `JWT_ISSUER` and
 * `JWT_AUDIENCE`) wins when set, else `JWT_SECRET` (dev tokens) is required. Spread its shape into the service
 * schema, then pass the parsed values to `authConfigFromEnv`.
 */
export const authEnvShape = {
  JWT_SECRET: hs256Secret.optional(),
  JWKS_URL: z.url().optional(),
  /** A JSON Web Key Set on disk, for a deployment that cannot reach the provider's key endpoint. */
  JWKS_FILE: z.string().min(1).optional(),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  JWT_ROLES_CLAIM: claimPath.optional(),
  JWT_UNIT_CLAIM: claimPath.optional(),
};

export interface AuthEnv {
  JWT_SECRET?: string | undefined;
  JWKS_URL?: string | undefined;
  JWKS_FILE?: string | undefined;
  JWT_ISSUER?: string | undefined;
  JWT_AUDIENCE?: string | undefined;
  JWT_ROLES_CLAIM?: string | undefined;
  JWT_UNIT_CLAIM?: string | undefined;
}

const KeySetFile = z.object({ keys: z.array(z.looseObject({ kty: z.string() })).min(1) });

function configInvalid(path: string, message: string): Error {
  return ConfigInvalid(`invalid configuration: ${path}: ${message}`, {
    details: { issues: [{ path, message }] },
  });
}

function readKeySet(file: string): JSONWebKeySet {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw ConfigInvalid(`invalid configuration: JWKS_FILE: cannot read ${file}`, {
      details: { issues: [{ path: 'JWKS_FILE', message: `cannot read ${file}` }] },
      cause: error,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = KeySetFile.safeParse(json);
  if (!parsed.success) throw configInvalid('JWKS_FILE', 'not a JSON Web Key Set ({ "keys": [ … ] })');
  return parsed.data as JSONWebKeySet;
}

export function authConfigFromEnv(env: AuthEnv): AuthConfig {
  const claims = {
    ...(env.JWT_ISSUER === undefined ? {} : { issuer: env.JWT_ISSUER }),
    ...(env.JWT_AUDIENCE === undefined ? {} : { audience: env.JWT_AUDIENCE }),
  };
  if (env.JWKS_URL !== undefined || env.JWKS_FILE !== undefined) {
    if (env.JWKS_URL !== undefined && env.JWKS_FILE !== undefined) {
      throw configInvalid('JWKS_FILE', 'set JWKS_URL or JWKS_FILE, not both');
    }
    // Without both, a token the same provider issued to another application, or another provider's, would pass.
    if (env.JWT_ISSUER === undefined) throw configInvalid('JWT_ISSUER', 'required with an identity provider');
    if (env.JWT_AUDIENCE === undefined)
      throw configInvalid('JWT_AUDIENCE', 'required with an identity provider');
    const names: ClaimNames = {
      ...(env.JWT_ROLES_CLAIM === undefined ? {} : { roles: env.JWT_ROLES_CLAIM }),
      ...(env.JWT_UNIT_CLAIM === undefined ? {} : { unitId: env.JWT_UNIT_CLAIM }),
    };
    return {
      mode: 'jwks',
      ...(env.JWKS_URL === undefined ? {} : { jwksUrl: env.JWKS_URL }),
      ...(env.JWKS_FILE === undefined ? {} : { jwks: readKeySet(env.JWKS_FILE) }),
      ...claims,
      ...(Object.keys(names).length === 0 ? {} : { claims: names }),
    };
  }
  if (env.JWT_SECRET !== undefined) return { mode: 'hs256', secret: env.JWT_SECRET, ...claims };
  throw ConfigInvalid('invalid configuration: set JWKS_URL (or JWKS_FILE) or JWT_SECRET', {
    details: { issues: [{ path: 'JWT_SECRET', message: 'missing (or set JWKS_URL or JWKS_FILE)' }] },
  });
}

/** Whether `POST /v1/dev/token` may be served: only when tokens are the server's own (no identity provider). */
export function issuesDevTokens(config: AuthConfig): config is Extract<AuthConfig, { mode: 'hs256' }> {
  return config.mode === 'hs256';
}

const claimsSchema = z.object({
  sub: z.string().min(1),
  roles: z.array(roleSchema).min(1),
  unitId: z.string().min(1).optional(),
});

/** The value at a dotted path of the token's payload. */
function claimAt(payload: unknown, path: string): unknown {
  let value: unknown = payload;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Roles as providers write them: an array, one name, or space-separated names (an OAuth `scope`-like claim). */
function rolesOf(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value.split(/\s+/).filter((name) => name.length > 0);
}

/** The caller's claims under onestop's names; unknown roles among the provider's other roles are ignored. */
function normalizedClaims(payload: unknown, names: ClaimNames): unknown {
  const raw = rolesOf(claimAt(payload, names.roles ?? 'roles'));
  const roles = Array.isArray(raw) ? raw.filter((r) => roleSchema.safeParse(r).success) : raw;
  return { sub: claimAt(payload, 'sub'), roles, unitId: claimAt(payload, names.unitId ?? 'unitId') };
}

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
    // Dev tokens carry onestop's claims as they are; a provider's are read where it puts them.
    const claims = claimsSchema.safeParse(
      config.mode === 'hs256' ? payload : normalizedClaims(payload, config.claims ?? {}),
    );
    if (!claims.success) throw refused('claims', 'token claims are malformed', claims.error);
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
  if (config.jwks !== undefined) {
    const keys = createLocalJWKSet(config.jwks);
    return (token) => jwtVerify(token, keys, at());
  }
  if (config.jwksUrl === undefined) throw configInvalid('JWKS_URL', 'an identity provider needs a key set');
  // The key set is fetched lazily and cached by jose, refetched when a token names an unknown key id.
  const keys = createRemoteJWKSet(new URL(config.jwksUrl));
  return (token) => jwtVerify(token, keys, at());
}

function claimFailure(error: InstanceType<typeof joseErrors.JWTClaimValidationFailed>) {
  switch (error.claim) {
    case 'iss':
      return refused('issuer', 'token issuer not accepted', error);
    case 'aud':
      return refused('audience', 'token audience not accepted', error);
    case 'nbf':
      return refused('not_yet_valid', 'token not valid yet', error);
    default:
      return refused('claims', `token claim ${error.claim} not accepted`, error);
  }
}

function verificationError(error: unknown, mode: AuthConfig['mode']) {
  if (error instanceof joseErrors.JWTExpired) return refused('expired', 'token expired', error);
  if (error instanceof joseErrors.JWTClaimValidationFailed) return claimFailure(error);
  if (error instanceof joseErrors.JWKSNoMatchingKey) {
    return refused('unknown_key', 'token signed by a key the identity provider does not publish', error);
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed)
    return refused('algorithm', 'token algorithm not accepted', error);
  const keysFailed =
    error instanceof joseErrors.JWKSTimeout ||
    error instanceof joseErrors.JWKSInvalid ||
    !(error instanceof joseErrors.JOSEError);
  if (mode === 'jwks' && keysFailed) {
    // The key set could not be fetched: the token may be fine, so this is ours to retry, not the caller's fault.
    return KeysUnavailable('token keys unavailable', { cause: error });
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed)
    return refused('signature', 'invalid token', error);
  return refused('malformed', 'invalid token', error);
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
    if (header === undefined) throw refused('missing', 'missing bearer token');
    const token = bearer.exec(header)?.[1];
    if (token === undefined) {
      throw refused('malformed', 'malformed authorization header: expected "Bearer <jwt>"');
    }
    request.auth = await verify(token);
  });
}

/** The verified caller; throws AUTH_UNAUTHENTICATED on a route that has none (a public route, or no auth). */
export function authOf(request: FastifyRequest): AuthContext {
  if (request.auth === null) throw refused('missing', 'this route needs a bearer token');
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
