/**
 * `POST /v1/feedback`: a clerk files feedback on a citizen's behalf (at the desk, from a phone call, or copied
 * from a letter). The responsible unit follows from the subject. Citizens file online themselves, without an
 * account, through `POST /v1/public/feedback` (`public/route.ts`).
 */
import { FeedbackCategory, FeedbackChannel } from '@onestop/domain';
import { type App, authOf, errorResponseSchema, requireRole } from '@onestop/service-kit';
import { z } from 'zod';
import { AttachmentsInput, bodyLimitFor } from '../attachments/attachments.js';
import { actorOf, type FeedbackContext, fileFromBody } from '../command.js';
import { SubjectUnknown } from '../errors.js';
import { FeedbackContact } from '../filer/vault.js';
import { FeedbackView } from '../read/view.js';
import { ProcedureSubjectInput, UnitSubjectInput } from './subject.js';

const SubjectInput = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('dossier'), dossierId: z.uuid().describe('the dossier (not its code)') }),
  UnitSubjectInput,
  ProcedureSubjectInput,
]);

/** A small PNG (1×1), base64: the sniffer recognises it, so the example can be sent as it is. */
const pngBase64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const Body = z
  .strictObject({
    subject: SubjectInput.describe('what the feedback is about; the responsible unit follows from it'),
    channel: FeedbackChannel.describe('how the citizen brought it: online, by phone, at the desk'),
    category: FeedbackCategory.default('report').describe('report (phản ánh) or recommendation (kiến nghị)'),
    content: z.string().trim().min(1).max(8000).describe('what the citizen wrote; sealed in the filer vault'),
    contact: FeedbackContact.optional(),
    attachments: AttachmentsInput.optional(),
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
        channel: 'desk',
        category: 'recommendation',
        content: 'Đề nghị cho phép nộp bản điện tử của Giấy chứng sinh thay cho bản giấy.',
        contact: { phone: '0258 3822 000' },
        attachments: [{ fileName: 'giay-hen.png', contentBase64: pngBase64 }],
      },
    ],
  });

export async function fileRoutes(app: App, context: FeedbackContext): Promise<void> {
  app.post(
    '/v1/feedback',
    {
      bodyLimit: bodyLimitFor(context.maxAttachmentBytes),
      onRequest: requireRole('clerk', 'admin'),
      schema: {
        summary: 'File citizen feedback (phản ánh, kiến nghị)',
        description:
          'A clerk of any unit files on the citizen’s behalf. The responsible unit is the dossier’s competent ' +
          'unit, the named unit, or the procedure’s competent unit. The decision (accept or refuse) is due 2 ' +
          'working days later. Unknown subjects get 422 FB_SUBJECT_UNKNOWN. Attachments (PDF, JPEG, PNG, TIFF, ' +
          'sniffed from the content) up to the size limit (413 beyond); another type is 422 ' +
          'FB_ATTACHMENT_UNSUPPORTED naming the attachment and the type detected.',
        tags: ['feedback'],
        body: Body,
        response: {
          201: FeedbackView,
          400: errorResponseSchema,
          401: errorResponseSchema,
          403: errorResponseSchema,
          413: errorResponseSchema,
          422: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const view = await fileFromBody(request, context, body, {
        channel: body.channel,
        actor: actorOf(authOf(request)),
        async findDossier({ dossierId }) {
          const dossier = await context.dossiers.find(dossierId);
          if (dossier === undefined) {
            throw SubjectUnknown(`no received dossier ${dossierId}`, {
              details: { field: 'body.subject.dossierId', value: dossierId },
            });
          }
          return { ...dossier, dossierId };
        },
      });
      return reply
        .code(201)
        .header('location', `/v1/feedback/${view.feedbackId}`)
        .header('etag', `"${view.version}"`)
        .send(view);
    },
  );
}
