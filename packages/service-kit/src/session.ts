/**
 * What a sign-in screen needs from the server, whichever way tokens are issued: how to sign in
 * (`GET /v1/sign-in`, public) and who the bearer of a token is (`GET /v1/me`). Served by the embedded runner and
 * by the stack's gateway, so the web app asks the same questions in both modes.
 */
import { z } from 'zod';
import { type AuthConfig, authOf, issuesDevTokens, roleSchema } from './auth.js';
import type { App } from './server.js';

export interface SessionRoutesOptions {
  readonly auth: AuthConfig;
  /**
   * The identity provider's sign-in page (its authorization endpoint with this app's client id and redirect URI,
   * `response_type=token`): the provider sends the user back to the app with `#access_token=…`.
   */
  readonly signInUrl?: string | undefined;
}

export const SignInMethod = z
  .object({
    method: z
      .enum(['dev', 'identity-provider'])
      .describe(
        'dev: POST /v1/dev/token issues tokens; identity-provider: bring the provider’s bearer token',
      ),
    signInUrl: z.url().nullable().describe('where to send the user to sign in with the identity provider'),
  })
  .meta({ id: 'SignInMethod' });

export const Identity = z
  .object({
    sub: z.string(),
    roles: z.array(roleSchema),
    unitId: z.string().nullable().describe('the unit the caller acts for; null for admins and analysts'),
  })
  .meta({ id: 'Identity' });

export async function registerSessionRoutes(app: App, options: SessionRoutesOptions): Promise<void> {
  const method = {
    method: issuesDevTokens(options.auth) ? 'dev' : 'identity-provider',
    signInUrl: options.signInUrl ?? null,
  } as const;
  app.get(
    '/v1/sign-in',
    {
      config: { public: true },
      schema: {
        summary: 'How to sign in: development tokens, or the identity provider’s bearer token',
        tags: ['auth'],
        response: { 200: SignInMethod },
      },
    },
    async () => method,
  );
  app.get(
    '/v1/me',
    {
      schema: {
        summary: 'Who the bearer of this token is: subject, roles and unit, as every service reads them',
        description:
          'Lets a client check a token it was handed (an identity provider’s redirect, a pasted token) before ' +
          'using it; 401 AUTH_UNAUTHENTICATED with `details.reason` (expired, issuer, audience, unknown_key, …) ' +
          'when it is refused.',
        tags: ['auth'],
        response: { 200: Identity },
      },
    },
    async (request) => {
      const { sub, roles, unitId } = authOf(request);
      return { sub, roles: [...roles], unitId: unitId ?? null };
    },
  );
}
