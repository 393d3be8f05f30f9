/**
 * The filer vault over HTTP, for admins: erase the filer of an item (crypto-shredding: the data key is
 * destroyed; the item, its events and the log stay), and the access log (who read, amended or erased which
 * filer's data, when and why).
 */

import { type App, authOf, errorResponseSchema, requireRole } from '@onestop/service-kit';
import { AccessLogLimit, ErasureReason, VAULT_ACTIONS } from '@onestop/vault';
import { z } from 'zod';
import { actorOf, type FeedbackContext, findItem, loadView } from '../command.js';

const AccessLogResponse = z
  .object({
    entries: z.array(
      z.object({
        id: z.string(),
        filerId: z.string(),
        feedbackId: z.string().nullable().describe('the item the access was for'),
        action: z.enum(VAULT_ACTIONS),
        actorId: z.string(),
        actorRole: z.string(),
        actorUnitId: z.string().nullable(),
        purpose: z.string(),
        at: z.string(),
      }),
    ),
  })
  .meta({ id: 'FeedbackAccessLog' });

export async function privacyRoutes(app: App, context: FeedbackContext): Promise<void> {
  app.delete(
    '/v1/feedback/:id/personal-data',
    {
      onRequest: requireRole('admin'),
      schema: {
        summary: 'Erase what the filer of an item wrote and their contact (crypto-shredding)',
        description:
          'The filer’s data key is destroyed: their text, contact, follow-up and attachments can no longer be ' +
          'read; the item, its events and the access log stay. Idempotent. Admins only.',
        tags: ['feedback'],
        params: z.object({ id: z.uuid().describe('feedback id') }),
        querystring: z.object({
          reason: ErasureReason,
        }),
        response: {
          200: z.object({ feedbackId: z.uuid(), filerId: z.uuid(), erasedAt: z.string() }),
          400: errorResponseSchema,
          401: errorResponseSchema,
          403: errorResponseSchema,
          404: errorResponseSchema,
        },
      },
    },
    async (request) => {
      const feedbackId = request.params.id;
      await findItem(context, feedbackId);
      const view = await loadView(context, feedbackId);
      const { erasedAt } = await context.vault.erase(view.filerId, {
        actor: actorOf(authOf(request)),
        purpose: request.query.reason,
        reference: feedbackId,
      });
      return { feedbackId, filerId: view.filerId, erasedAt: erasedAt.toISOString() };
    },
  );

  app.get(
    '/v1/feedback/personal-data/access-log',
    {
      onRequest: requireRole('admin'),
      schema: {
        summary: 'Every read, amendment and erasure of filers’ data, newest first',
        description: 'Admins only. `feedbackId` narrows it to that item’s filer.',
        tags: ['feedback'],
        querystring: z.object({
          feedbackId: z.uuid().optional(),
          limit: AccessLogLimit,
        }),
        response: {
          200: AccessLogResponse,
          400: errorResponseSchema,
          401: errorResponseSchema,
          403: errorResponseSchema,
          404: errorResponseSchema,
        },
      },
    },
    async (request) => {
      const { feedbackId, limit } = request.query;
      let ownerId: string | undefined;
      if (feedbackId !== undefined) {
        await findItem(context, feedbackId);
        ownerId = (await loadView(context, feedbackId)).filerId;
      }
      const entries = await context.vault.accessLog({ limit, ...(ownerId === undefined ? {} : { ownerId }) });
      return {
        entries: entries.map(({ ownerId: filerId, reference, at, ...entry }) => ({
          ...entry,
          filerId,
          feedbackId: reference,
          at: at.toISOString(),
        })),
      };
    },
  );
}
