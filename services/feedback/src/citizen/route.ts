/**
 * The filer's side after the answer: `POST /v1/feedback/{id}/rate` (satisfied / dissatisfied, once) and
 * `POST /v1/feedback/{id}/follow-up` (a complaint about the answer, once). Both feed KPI 5.3. Entered by a clerk
 * of any unit on the citizen's behalf; the citizen's own routes, with the follow-up secret, are in
 * `public/route.ts`.
 */
import { FeedbackRating } from '@onestop/domain';
import { type App, authOf, errorResponseSchema, requireRole } from '@onestop/service-kit';
import { z } from 'zod';
import { actorOf, type FeedbackContext, keepFollowUp, runFeedbackCommand } from '../command.js';
import { FeedbackView } from '../read/view.js';

const Params = z.object({ id: z.uuid().describe('feedback id') });
const errors = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  403: errorResponseSchema,
  404: errorResponseSchema,
  409: errorResponseSchema,
};

export async function citizenRoutes(app: App, context: FeedbackContext): Promise<void> {
  app.post(
    '/v1/feedback/:id/rate',
    {
      onRequest: requireRole('clerk', 'admin'),
      schema: {
        summary: "Record the filer's rating of the answer",
        description: 'After the answer (published or not), once; otherwise 409.',
        tags: ['feedback'],
        params: Params,
        body: z
          .strictObject({ rating: FeedbackRating })
          .meta({ id: 'RateFeedbackBody', examples: [{ rating: 'satisfied' }] }),
        response: { 200: FeedbackView, ...errors },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const view = await runFeedbackCommand(request, context, request.params.id, () => ({
        type: 'RateFeedbackAnswer',
        now: context.clock.now(),
        actor: actorOf(auth),
        rating: request.body.rating,
      }));
      return reply.header('etag', `"${view.version}"`).send(view);
    },
  );

  app.post(
    '/v1/feedback/:id/follow-up',
    {
      onRequest: requireRole('clerk', 'admin'),
      schema: {
        summary: 'Record a follow-up complaint about the answer',
        description:
          'After the answer, once; otherwise 409. The text is sealed with the filer’s data, out of events.',
        tags: ['feedback'],
        params: Params,
        body: z
          .strictObject({ content: z.string().trim().min(1).max(8000).describe('what the citizen wrote') })
          .meta({
            id: 'FollowUpFeedbackBody',
            examples: [{ content: 'Câu trả lời chưa nêu thời hạn khắc phục tại bộ phận một cửa.' }],
          }),
        response: { 200: FeedbackView, ...errors },
      },
    },
    async (request, reply) => {
      const actor = actorOf(authOf(request));
      const view = await runFeedbackCommand(request, context, request.params.id, () => ({
        type: 'FollowUpFeedback',
        now: context.clock.now(),
        actor,
      }));
      // After the event: a refused follow-up (409) must leave no text behind. A crash in between loses the text,
      // not the fact; the first text stays if this is retried.
      await keepFollowUp(context, view, request.body.content, actor);
      return reply.header('etag', `"${view.version}"`).send(view);
    },
  );
}
