/**
 * Citizens without an account (no sign-in, rate limited per client address):
 * - `POST /v1/public/feedback` files feedback online about a dossier (its code and the receipt's tracking
 *   secret), a unit or a procedure, with optional attachments; the answer carries the item's reference and a
 *   follow-up secret (a keyed MAC of the reference, like the receipt's tracking secret: nothing is stored).
 * - `GET /v1/public/feedback/{reference}?secret=` shows the item's progress; `POST .../rate` and
 *   `POST .../follow-up` (the secret in the body) let the filer rate the answer and complain about it, once each.
 *
 * No enumeration: a dossier code with a wrong secret and an unknown code get the same 422 body; an unknown
 * reference and a wrong follow-up secret the same 404 body. The secret is checked first, in constant time, and
 * the store is only looked up once it matched. Clerks filing on a citizen's behalf use `POST /v1/feedback`.
 */
import {
  DossierCode,
  FeedbackCategory,
  type FeedbackCommand,
  FeedbackRating,
  feedbackFollowUpSecret,
  normalizeTrackingSecret,
  verifyFeedbackFollowUpSecret,
  verifyTrackingSecret,
} from '@onestop/domain';
import {
  type App,
  DEFAULT_PUBLIC_RATE_LIMIT,
  errorResponseSchema,
  registerRateLimited,
} from '@onestop/service-kit';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AttachmentsInput, bodyLimitFor } from '../attachments/attachments.js';
import {
  CITIZEN_PORTAL,
  type FeedbackContext,
  fileFromBody,
  keepFollowUp,
  loadView,
  runFeedbackCommand,
} from '../command.js';
import { DossierNotMatched, FeedbackNotFound, PublicFeedbackNotFound } from '../errors.js';
import { ProcedureSubjectInput, UnitSubjectInput } from '../file/subject.js';
import { FeedbackContact } from '../filer/vault.js';
import { type FeedbackView, PublicFeedbackView, publicFeedbackView } from '../read/view.js';

const Secret = z.string().trim().min(1).max(64);

const PublicSubject = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('dossier'),
    dossierCode: DossierCode,
    secret: Secret.describe('the tracking secret printed on the receipt (Form 01), next to its QR code'),
  }),
  UnitSubjectInput,
  ProcedureSubjectInput,
]);

const FileBody = z
  .strictObject({
    subject: PublicSubject.describe('a dossier (code + tracking secret), a unit, or a procedure'),
    category: FeedbackCategory.default('report').describe('report (phản ánh) or recommendation (kiến nghị)'),
    content: z.string().trim().min(1).max(8000).describe('what happened; sealed in the filer vault'),
    contact: FeedbackContact.optional(),
    attachments: AttachmentsInput.optional(),
  })
  .meta({
    id: 'PublicFileFeedbackBody',
    examples: [
      {
        subject: { kind: 'unit', unitId: 'kh.so-tu-phap' },
        category: 'report',
        content: 'Cán bộ tiếp nhận hẹn trả kết quả muộn hơn thời hạn niêm yết của thủ tục.',
        contact: { email: 'cong.dan@example.vn' },
      },
      {
        subject: { kind: 'procedure', procedureCode: '2.000488' },
        category: 'recommendation',
        content: 'Đề nghị cho phép nhận Phiếu lý lịch tư pháp qua bưu điện.',
      },
    ],
  });

const FiledResponse = z
  .object({
    reference: z.uuid().describe('the feedback id: with the secret, opens its status'),
    followUpSecret: z.string().describe('12 characters; keep it to check the status, rate or follow up'),
    statusPath: z.string().describe('the public page showing the item’s status'),
    feedback: PublicFeedbackView,
  })
  .meta({ id: 'PublicFeedbackFiled' });

const ReferenceParams = z.object({ reference: z.uuid().describe('the reference given at filing') });
const exampleSecret = 'H7GYJWJ86CZZ';

const publicErrors = {
  400: errorResponseSchema,
  404: errorResponseSchema,
  409: errorResponseSchema,
  429: errorResponseSchema,
};

// One answer for every failed lookup: it names nothing the caller sent, so all failures are byte-identical.
const referenceNotFound = () =>
  PublicFeedbackNotFound('no feedback matches this reference and secret', {
    details: { hint: 'check the reference and the secret given when the feedback was filed' },
  });
const dossierNotMatched = () =>
  DossierNotMatched('no dossier matches this dossier code and tracking secret', {
    details: {
      field: 'body.subject',
      hint: 'check the dossier code and the tracking secret printed on the receipt (Form 01)',
    },
  });

export async function publicRoutes(app: App, context: FeedbackContext, trackingKey: string): Promise<void> {
  /** The item behind a reference and its follow-up secret, or the one 404. */
  const filedWith = async (reference: string, presented: string): Promise<FeedbackView> => {
    const secret = normalizeTrackingSecret(presented);
    if (secret === undefined || !verifyFeedbackFollowUpSecret(trackingKey, reference, secret)) {
      throw referenceNotFound();
    }
    try {
      return await loadView(context, reference);
    } catch (error) {
      if (FeedbackNotFound.is(error)) throw referenceNotFound();
      throw error;
    }
  };

  /** A command of the filer, on the item behind a checked reference. */
  const asFiler = async (
    request: FastifyRequest,
    reference: string,
    secret: string,
    command: (now: Date) => FeedbackCommand,
  ) => {
    await filedWith(reference, secret);
    return runFeedbackCommand(request, context, reference, () => command(context.clock.now()));
  };

  await registerRateLimited(app, context.publicRateLimit ?? DEFAULT_PUBLIC_RATE_LIMIT, async (scope) => {
    scope.post(
      '/v1/public/feedback',
      {
        config: { public: true },
        bodyLimit: bodyLimitFor(context.maxAttachmentBytes),
        schema: {
          summary: 'File feedback without an account (phản ánh, kiến nghị; no sign-in)',
          description:
            'About a dossier (its code and the tracking secret printed on the receipt), a unit, or a procedure ' +
            '(and which competent unit, when it has several). A dossier code that does not match its secret, ' +
            'and an unknown code, are the same 422 FB_DOSSIER_NOT_MATCHED; an unknown unit or procedure is 422 ' +
            'FB_SUBJECT_UNKNOWN. Attachments: PDF, JPEG, PNG, TIFF sniffed from the content (422 ' +
            'FB_ATTACHMENT_UNSUPPORTED naming the attachment and the type detected; 413 over the size limit). ' +
            'The answer carries the reference and a follow-up secret: keep both. Rate limited per address.',
          tags: ['public', 'feedback'],
          body: FileBody,
          response: {
            201: FiledResponse,
            ...publicErrors,
            413: errorResponseSchema,
            422: errorResponseSchema,
          },
        },
      },
      async (request, reply) => {
        const view = await fileFromBody(request, context, request.body, {
          channel: 'online',
          actor: CITIZEN_PORTAL,
          async findDossier({ dossierCode, secret: presented }) {
            const secret = normalizeTrackingSecret(presented);
            const matched = secret !== undefined && verifyTrackingSecret(trackingKey, dossierCode, secret);
            const dossier = matched ? await context.dossiers.findByCode(dossierCode) : undefined;
            if (dossier === undefined) throw dossierNotMatched();
            return dossier;
          },
        });
        const followUpSecret = feedbackFollowUpSecret(trackingKey, view.feedbackId);
        const query = new URLSearchParams({ reference: view.feedbackId, secret: followUpSecret });
        return reply.code(201).send({
          reference: view.feedbackId,
          followUpSecret,
          statusPath: `/#/public/feedback?${query.toString()}`,
          feedback: publicFeedbackView(view),
        });
      },
    );

    scope.get(
      '/v1/public/feedback/:reference',
      {
        config: { public: true },
        schema: {
          summary: 'The status of feedback filed without an account (no sign-in)',
          description:
            'With the reference and the follow-up secret given at filing: the status, each stage with its due ' +
            'and lateness, the dues of the stages to come, the answer once given. Nothing the filer wrote, no ' +
            'officer ids. An unknown reference and a wrong secret are the same 404 FB_PUBLIC_NOT_FOUND.',
          tags: ['public', 'feedback'],
          params: ReferenceParams,
          querystring: z.object({ secret: Secret.describe('the follow-up secret given at filing') }),
          response: { 200: PublicFeedbackView, ...publicErrors },
        },
      },
      async (request) => publicFeedbackView(await filedWith(request.params.reference, request.query.secret)),
    );

    scope.post(
      '/v1/public/feedback/:reference/rate',
      {
        config: { public: true },
        schema: {
          summary: 'Rate the answer to one’s feedback (no sign-in)',
          description: 'Once, after the answer; otherwise 409. The same 404 as the status route.',
          tags: ['public', 'feedback'],
          params: ReferenceParams,
          body: z
            .strictObject({
              secret: Secret.describe('the follow-up secret given at filing'),
              rating: FeedbackRating,
            })
            .meta({
              id: 'PublicRateFeedbackBody',
              examples: [{ secret: exampleSecret, rating: 'satisfied' }],
            }),
          response: { 200: PublicFeedbackView, ...publicErrors },
        },
      },
      async (request) => {
        const { secret, rating } = request.body;
        const view = await asFiler(request, request.params.reference, secret, (now) => ({
          type: 'RateFeedbackAnswer',
          now,
          actor: CITIZEN_PORTAL,
          rating,
        }));
        return publicFeedbackView(view);
      },
    );

    scope.post(
      '/v1/public/feedback/:reference/follow-up',
      {
        config: { public: true },
        schema: {
          summary: 'Follow up on the answer to one’s feedback (no sign-in)',
          description:
            'A complaint about the answer: once, after the answer; otherwise 409. The text is sealed with the ' +
            'filer’s data, out of events. The same 404 as the status route.',
          tags: ['public', 'feedback'],
          params: ReferenceParams,
          body: z
            .strictObject({
              secret: Secret.describe('the follow-up secret given at filing'),
              content: z.string().trim().min(1).max(8000).describe('what is wrong with the answer'),
            })
            .meta({
              id: 'PublicFollowUpFeedbackBody',
              examples: [{ secret: exampleSecret, content: 'Câu trả lời chưa nêu thời hạn khắc phục.' }],
            }),
          response: { 200: PublicFeedbackView, ...publicErrors },
        },
      },
      async (request) => {
        const { secret, content } = request.body;
        const view = await asFiler(request, request.params.reference, secret, (now) => ({
          type: 'FollowUpFeedback',
          now,
          actor: CITIZEN_PORTAL,
        }));
        // After the event, as for a clerk's follow-up: a refused one (409) leaves no text behind.
        await keepFollowUp(context, view, content, CITIZEN_PORTAL);
        return publicFeedbackView(view);
      },
    );
  });
}
