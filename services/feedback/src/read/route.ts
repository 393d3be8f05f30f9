/**
 * `GET /v1/feedback/{id}` (one item) and `GET /v1/feedback?unitId=&status=` (a unit's items, newest first).
 * Officers (specialist, leader) see their own unit's items, and on `GET /v1/feedback/{id}` what the citizen wrote
 * (read from the filer vault; each read logged with the officer and the item); clerks of any unit see an item's
 * progress (to tell a citizen) and analysts read every unit, both without the private part; admins see all. The
 * list is pseudonymous for everyone: an inbox refresh is not a read of every filer's data.
 */
import { FEEDBACK_STATUSES, UnitId, ValidationFailed } from '@onestop/domain';
import { type App, authOf, errorResponseSchema, requireRole, requireUnit } from '@onestop/service-kit';
import { z } from 'zod';
import {
  actorOf,
  type FeedbackContext,
  findItem,
  loadHistory,
  loadView,
  maySeePrivate,
  readFilerData,
} from '../command.js';
import { FeedbackView, feedbackView, withFilerData } from './view.js';

const FeedbackList = z.object({ items: z.array(FeedbackView), limit: z.int() }).meta({ id: 'FeedbackList' });

export async function readRoutes(app: App, context: FeedbackContext): Promise<void> {
  app.get(
    '/v1/feedback/:id',
    {
      onRequest: requireRole('clerk', 'specialist', 'leader', 'analyst', 'admin'),
      schema: {
        summary: 'One feedback item',
        description:
          'Its status, each stage with its due and lateness, the dues of the stages to come, the steps the unit ' +
          'may take now, the answer, rating and follow-up. What the citizen wrote only for officers of the ' +
          'responsible unit and admins: read from the filer vault, each read logged (FB_FILER_DATA_ERASED data ' +
          'shows as `filerDataErasedAt`).',
        tags: ['feedback'],
        params: z.object({ id: z.uuid().describe('feedback id') }),
        response: {
          200: FeedbackView,
          400: errorResponseSchema,
          401: errorResponseSchema,
          403: errorResponseSchema,
          404: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const feedbackId = request.params.id;
      const item = await findItem(context, feedbackId);
      requireUnit(request, item.responsibleUnitId, ['admin', 'analyst', 'clerk']);
      const view = await loadView(context, feedbackId);
      const auth = authOf(request);
      const filer = maySeePrivate(auth, view.responsibleUnitId)
        ? await readFilerData(context, view, { actor: actorOf(auth), purpose: 'handle the feedback' })
        : undefined;
      const shown = filer === undefined ? view : withFilerData(view, filer);
      return reply.header('etag', `"${view.version}"`).send(shown);
    },
  );

  app.get(
    '/v1/feedback',
    {
      onRequest: requireRole('specialist', 'leader', 'analyst', 'admin'),
      schema: {
        summary: "A unit's feedback items",
        description:
          "Newest first. `unitId` defaults to the caller's unit; officers list only their own unit, analysts " +
          'and admins any unit. `limit` takes the newest items, then `status` filters them.',
        tags: ['feedback'],
        querystring: z.object({
          unitId: UnitId.optional(),
          status: z.enum(FEEDBACK_STATUSES).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: {
          200: FeedbackList,
          400: errorResponseSchema,
          401: errorResponseSchema,
          403: errorResponseSchema,
        },
      },
    },
    async (request) => {
      const { status, limit } = request.query;
      const unitId = request.query.unitId ?? authOf(request).unitId;
      if (unitId === undefined) {
        const message = 'required for a caller without a unit';
        throw ValidationFailed(`invalid request: querystring.unitId: ${message}`, {
          details: { issues: [{ path: 'querystring.unitId', message }] },
        });
      }
      requireUnit(request, unitId, ['admin', 'analyst']);
      const rows = await context.records.listByUnit(unitId, limit);
      const views = await Promise.all(
        rows.map(async (row) => feedbackView(await loadHistory(context, row.feedbackId), context.calendar)),
      );
      const items = views.filter(
        (view): view is FeedbackView =>
          view !== undefined && (status === undefined || view.status === status),
      );
      return { items, limit };
    },
  );
}
