/**
 * `POST /v1/feedback`: a clerk files feedback on a citizen's behalf (at the desk, from a phone call, or copied
 * from the portal). The responsible unit follows from the subject. A public filing route without login belongs
 * with the public transparency work (issue 9 item 3): it would reuse `fileFeedback` behind a rate limit.
 *
 * Attachments are not taken yet: the body is strict, so a request carrying `attachments` (or any unknown field)
 * is refused with 400 naming it rather than silently dropped.
 */
import type { Catalog } from '@onestop/catalog';
import {
  FeedbackCategory,
  FeedbackChannel,
  type FeedbackSubject,
  isDomainError,
  ProcedureCode,
  UnitId,
  ValidationFailed,
} from '@onestop/domain';
import { type App, authOf, errorResponseSchema, requireRole } from '@onestop/service-kit';
import { z } from 'zod';
import { actorOf, type FeedbackContext, fileFeedback } from '../command.js';
import { SubjectUnknown, UnitNotCompetent } from '../errors.js';
import { FeedbackView } from '../read/view.js';
import { type DossierDirectory, FeedbackContact } from '../records/tables.js';

const SubjectInput = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('dossier'), dossierId: z.uuid().describe('the dossier (not its code)') }),
  z.strictObject({ kind: z.literal('unit'), unitId: UnitId }),
  z.strictObject({
    kind: z.literal('procedure'),
    procedureCode: ProcedureCode,
    unitId: UnitId.optional().describe('which competent unit, when the procedure has several'),
  }),
]);

const Body = z
  .strictObject({
    subject: SubjectInput.describe('what the feedback is about; the responsible unit follows from it'),
    channel: FeedbackChannel.describe('how the citizen brought it: online, by phone, at the desk'),
    category: FeedbackCategory.default('report').describe('report (phản ánh) or recommendation (kiến nghị)'),
    content: z.string().trim().min(1).max(8000).describe('what the citizen wrote; kept out of events'),
    contact: FeedbackContact.optional(),
  })
  .meta({
    id: 'FileFeedbackBody',
    examples: [
      {
        subject: { kind: 'unit', unitId: 'kh.so-tu-phap' },
        channel: 'phone',
        category: 'report',
        content: 'Bộ phận một cửa yêu cầu nộp thêm giấy tờ không có trong thành phần hồ sơ của thủ tục.',
      },
      {
        subject: { kind: 'procedure', procedureCode: '1.001193', unitId: 'kh.p-nha-trang' },
        channel: 'online',
        category: 'recommendation',
        content: 'Đề nghị cho phép nộp bản điện tử của Giấy chứng sinh thay cho bản giấy.',
        contact: { phone: '0258 3822 000' },
      },
    ],
  });

/** The subject as the event records it, and the unit that must handle the item. */
async function resolveSubject(
  input: z.infer<typeof SubjectInput>,
  catalog: Catalog,
  dossiers: DossierDirectory,
  now: Date,
): Promise<{ subject: FeedbackSubject; responsibleUnitId: string }> {
  switch (input.kind) {
    case 'dossier': {
      const dossier = await dossiers.find(input.dossierId);
      if (dossier === undefined) {
        throw SubjectUnknown(`no received dossier ${input.dossierId}`, {
          details: { field: 'body.subject.dossierId', value: input.dossierId },
        });
      }
      return {
        subject: { kind: 'dossier', dossierId: input.dossierId, dossierCode: dossier.data.dossierCode },
        responsibleUnitId: dossier.data.competentUnitId,
      };
    }
    case 'unit':
      known(() => catalog.unitAt(input.unitId, now), 'body.subject.unitId', input.unitId);
      return { subject: input, responsibleUnitId: input.unitId };
    case 'procedure': {
      const procedure = known(
        () => catalog.procedure(input.procedureCode, now),
        'body.subject.procedureCode',
        input.procedureCode,
      );
      const subject = { kind: 'procedure', procedureCode: input.procedureCode } as const;
      const units = procedure.competentUnitIds;
      if (input.unitId !== undefined) {
        if (!units.includes(input.unitId)) {
          throw UnitNotCompetent(`unit ${input.unitId} does not handle procedure ${input.procedureCode}`, {
            details: {
              field: 'body.subject.unitId',
              unitId: input.unitId,
              procedureCode: input.procedureCode,
            },
          });
        }
        return { subject, responsibleUnitId: input.unitId };
      }
      const [only, ...others] = units;
      if (only === undefined || others.length > 0) {
        const message = `required: procedure ${input.procedureCode} is handled by ${units.join(', ')}`;
        throw ValidationFailed(`invalid request: body.subject.unitId: ${message}`, {
          details: { issues: [{ path: 'body.subject.unitId', message }] },
        });
      }
      return { subject, responsibleUnitId: only };
    }
  }
}

/** Runs a catalogue look-up; an unknown or no longer valid id is the caller's mistake, named by its field. */
function known<T>(lookup: () => T, field: string, value: string): T {
  try {
    return lookup();
  } catch (error) {
    if (!isDomainError(error) || !['not_found', 'unprocessable', 'validation'].includes(error.kind))
      throw error;
    throw SubjectUnknown(`${field}: ${error.message}`, { details: { field, value }, cause: error });
  }
}

export async function fileRoutes(app: App, context: FeedbackContext): Promise<void> {
  app.post(
    '/v1/feedback',
    {
      onRequest: requireRole('clerk', 'admin'),
      schema: {
        summary: 'File citizen feedback (phản ánh, kiến nghị)',
        description:
          'A clerk of any unit files on the citizen’s behalf. The responsible unit is the dossier’s competent ' +
          'unit, the named unit, or the procedure’s competent unit. The decision (accept or refuse) is due 2 ' +
          'working days later. Unknown subjects get 422 FB_SUBJECT_UNKNOWN; attachments are not accepted (400).',
        tags: ['feedback'],
        body: Body,
        response: {
          201: FeedbackView,
          400: errorResponseSchema,
          401: errorResponseSchema,
          403: errorResponseSchema,
          422: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const now = context.clock.now();
      const { subject, responsibleUnitId } = await resolveSubject(
        request.body.subject,
        context.catalog,
        context.dossiers,
        now,
      );
      const feedbackId = context.ids.next();
      // Kafka key: the dossier's id keeps the item in order with its dossier's events.
      const keyId = subject.kind === 'dossier' ? subject.dossierId : feedbackId;
      const { content, contact } = request.body;
      await context.records.create(
        { feedbackId, keyId, responsibleUnitId, filedAt: now.toISOString() },
        { content, ...(contact === undefined ? {} : { contact }) },
      );
      try {
        const view = await fileFeedback(request, context, keyId, {
          type: 'FileFeedback',
          now,
          actor: actorOf(auth),
          feedbackId,
          subject,
          responsibleUnitId,
          channel: request.body.channel,
          category: request.body.category,
          filerId: context.ids.next(),
        });
        return reply
          .code(201)
          .header('location', `/v1/feedback/${feedbackId}`)
          .header('etag', `"${view.version}"`)
          .send(view);
      } catch (error) {
        await context.records.discard(feedbackId);
        throw error;
      }
    },
  );
}
