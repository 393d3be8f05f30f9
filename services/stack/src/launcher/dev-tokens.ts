/**
 * `POST /v1/dev/token`: a signed token for a chosen role and unit, for the web app's development sign-in and
 * demos. Served by the embedded runner and by the stack's gateway, and only while tokens are the server's own
 * (HS256 with its dev secret); with an identity provider, tokens come from the provider and this route is absent.
 */
import type { Catalog } from '@onestop/catalog';
import { type App, roleSchema, signDevToken } from '@onestop/service-kit';
import { z } from 'zod';

/** Desk and case roles act for a unit; admin and analyst need none. */
export const devTokenRequest = z
  .object({
    sub: z.string().trim().min(1).max(100).default('demo-user'),
    role: roleSchema,
    unitId: z.string().trim().min(1).optional(),
  })
  .refine((r) => r.unitId !== undefined || r.role === 'admin' || r.role === 'analyst', {
    path: ['unitId'],
    message: 'clerk, specialist and leader tokens need a unitId',
  });

export async function registerDevTokens(app: App, secret: string, catalog: Catalog): Promise<void> {
  app.post(
    '/v1/dev/token',
    {
      config: { public: true },
      schema: {
        summary: 'Issue a development token (dev mode only)',
        tags: ['dev'],
        body: devTokenRequest.meta({
          examples: [{ role: 'clerk', unitId: 'kh.p-nha-trang.ttpvhcc', sub: 'clerk-nha-trang' }],
        }),
      },
    },
    async (request) => {
      const { sub, role, unitId } = request.body;
      if (unitId !== undefined) catalog.unit(unitId); // an unknown unit is a 404 naming it, not a useless token
      const token = await signDevToken(
        { sub, roles: [role], ...(unitId === undefined ? {} : { unitId }) },
        secret,
      );
      return { token };
    },
  );
}
