/**
 * The responsible unit's steps: `POST /v1/feedback/{id}/accept|refuse|request-info|answer|publish`. Officers
 * (specialist or leader) of the responsible unit, or an admin. Each step records its due and whether it is late;
 * a late step is still taken.
 */
import { FEEDBACK_TIME_LIMITS, type FeedbackCommand, Reason } from '@onestop/domain';
import { type App, authOf, errorResponseSchema, requireRole, requireUnit } from '@onestop/service-kit';
import { z } from 'zod';
import { actorOf, type FeedbackContext, runFeedbackCommand } from '../command.js';
import { FeedbackView } from '../read/view.js';

const Params = z.object({ id: z.uuid().describe('feedback id') });
const NoBody = z
  .strictObject({})
  .meta({ examples: [{}] })
  .nullish();

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type StepCommand = DistributiveOmit<FeedbackCommand, 'now' | 'actor'>;

interface Step {
  readonly path: string;
  readonly summary: string;
  readonly description: string;
  readonly body: z.ZodType;
  /** The command of a body the route already validated (parsed again here to give it its type). */
  readonly command: (body: unknown) => StepCommand;
}

function step<B extends z.ZodType>(definition: {
  path: string;
  summary: string;
  description: string;
  body: B;
  command: (body: z.output<B>) => StepCommand;
}): Step {
  return { ...definition, command: (body) => definition.command(definition.body.parse(body)) };
}

const STEPS: readonly Step[] = [
  step({
    path: 'accept',
    summary: 'Accept the feedback for handling',
    description: `Only while filed. The decision is due ${FEEDBACK_TIME_LIMITS.decision} working days after filing.`,
    body: NoBody,
    command: () => ({ type: 'AcceptFeedback' }),
  }),
  step({
    path: 'refuse',
    summary: 'Refuse the feedback, with a reason',
    description: `Only while filed; due ${FEEDBACK_TIME_LIMITS.decision} working days after filing.`,
    body: z.strictObject({ reason: Reason.describe('why; shown to the filer') }).meta({
      id: 'RefuseFeedbackBody',
      examples: [{ reason: 'Nội dung đã được giải quyết theo quy định, không có tình tiết mới.' }],
    }),
    command: (body) => ({ type: 'RefuseFeedback', reason: body.reason }),
  }),
  step({
    path: 'request-info',
    summary: 'Ask the filer for more information',
    description:
      `Once, before the answer; due ${FEEDBACK_TIME_LIMITS.infoRequest} working days after filing. ` +
      'The answer clock does not pause.',
    body: z.strictObject({ reason: Reason.describe('what is missing') }).meta({
      id: 'RequestFeedbackInfoBody',
      examples: [{ reason: 'Đề nghị cho biết ngày nộp hồ sơ và tên thủ tục hành chính.' }],
    }),
    command: (body) => ({ type: 'RequestFeedbackInfo', reason: body.reason }),
  }),
  step({
    path: 'answer',
    summary: 'Answer the feedback',
    description:
      `Only once accepted; due ${FEEDBACK_TIME_LIMITS.answer} working days after acceptance. The answer is ` +
      'published: it must not name the filer or anyone else.',
    body: z.strictObject({ answer: z.string().trim().min(1).max(8000).describe('the unit’s answer') }).meta({
      id: 'AnswerFeedbackBody',
      examples: [
        {
          answer:
            'Thành phần hồ sơ của thủ tục 2.000488 gồm Tờ khai và bản chụp giấy tờ tùy thân; Sở Tư pháp đã ' +
            'nhắc nhở bộ phận tiếp nhận không yêu cầu thêm giấy tờ ngoài quy định.',
        },
      ],
    }),
    command: (body) => ({ type: 'AnswerFeedback', answer: body.answer }),
  }),
  step({
    path: 'publish',
    summary: 'Publish the answer',
    description: `Only once answered; due ${FEEDBACK_TIME_LIMITS.publication} working days after the answer.`,
    body: NoBody,
    command: () => ({ type: 'PublishFeedbackAnswer' }),
  }),
];

export async function handleRoutes(app: App, context: FeedbackContext): Promise<void> {
  for (const { path, summary, description, body, command } of STEPS) {
    app.post(
      `/v1/feedback/:id/${path}`,
      {
        onRequest: requireRole('specialist', 'leader', 'admin'),
        schema: {
          summary,
          description: `${description} Officers of the responsible unit or an admin; 409 in another status.`,
          tags: ['feedback'],
          params: Params,
          body,
          response: {
            200: FeedbackView,
            400: errorResponseSchema,
            401: errorResponseSchema,
            403: errorResponseSchema,
            404: errorResponseSchema,
            409: errorResponseSchema,
          },
        },
      },
      async (request, reply) => {
        const auth = authOf(request);
        const view = await runFeedbackCommand(request, context, request.params.id, (state) => {
          requireUnit(request, state.responsibleUnitId);
          return { ...command(request.body), now: context.clock.now(), actor: actorOf(auth) };
        });
        return reply.header('etag', `"${view.version}"`).send(view);
      },
    );
  }
}
