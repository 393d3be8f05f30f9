/**
 * Routes open to anyone (no sign-in: the public transparency pages, citizens filing feedback) are rate limited
 * per client address (`@fastify/rate-limit`, in memory per process), with 429 in the common error shape. Behind
 * the stack gateway the address is taken from `X-Forwarded-For` (`trustedProxyHops`).
 */
import rateLimit from '@fastify/rate-limit';
import { defineError } from '@onestop/domain';
import type { FastifyRequest } from 'fastify';
import type { App } from './server.js';

export const PublicRateLimited = defineError<{ retryAfterSeconds: number }>(
  'PUBLIC_RATE_LIMITED',
  'too_many_requests',
);

export interface PublicRateLimit {
  /** Requests per client address per window (default 60). */
  readonly max: number;
  /** Default one minute. */
  readonly timeWindowMs: number;
  /**
   * Proxies in front of this server whose `X-Forwarded-For` entries are trusted: 0 (default) keys on the socket
   * address; 1 behind the stack gateway, which appends the address it saw.
   */
  readonly trustedProxyHops: number;
}

export const DEFAULT_PUBLIC_RATE_LIMIT: PublicRateLimit = {
  max: 60,
  timeWindowMs: 60_000,
  trustedProxyHops: 0,
};

/** The client address the limit counts against. */
export function clientAddress(request: FastifyRequest, trustedProxyHops: number): string {
  if (trustedProxyHops <= 0) return request.ip;
  const header = request.headers['x-forwarded-for'];
  const chain = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop.length > 0);
  return chain[chain.length - trustedProxyHops] ?? request.ip;
}

/**
 * Registers `routes` in a scope of their own whose every route is rate limited per client address, so the limit
 * applies to them only (embedded mode mounts every service on one server). Each scope counts on its own.
 */
export async function registerRateLimited(
  app: App,
  limit: PublicRateLimit,
  routes: (scope: App) => Promise<void>,
): Promise<void> {
  await app.register(async (scope: App) => {
    await scope.register(rateLimit, {
      global: true,
      max: limit.max,
      timeWindow: limit.timeWindowMs,
      keyGenerator: (request) => clientAddress(request, limit.trustedProxyHops),
      errorResponseBuilder: (_request, context) =>
        PublicRateLimited(`too many requests: at most ${context.max} per ${context.after}`, {
          details: { retryAfterSeconds: Math.ceil(context.ttl / 1000) },
        }),
    });
    await routes(scope);
  });
}
