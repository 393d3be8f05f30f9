/**
 * `GET /v1/feedback/{id}/attachments/{sha256}`: an attachment of an item, for officers of the responsible unit and
 * admins. Attachments are the filer's personal data like their text: each download is logged in the filer vault's
 * access log (a read of the filer's data, purpose naming the file), and once the filer's data is erased the file
 * is no longer served (410), although its bytes stay in the content-addressed storage.
 */
import { extensionOf } from '@onestop/documents';
import { Sha256 } from '@onestop/domain';
import { type App, authOf, errorResponseSchema, requireRole, requireUnit } from '@onestop/service-kit';
import { z } from 'zod';
import { actorOf, type FeedbackContext, findItem, loadView, readFilerData } from '../command.js';
import { AttachmentNotFound, FilerDataErased } from '../errors.js';

export async function attachmentRoutes(app: App, context: FeedbackContext): Promise<void> {
  app.get(
    '/v1/feedback/:id/attachments/:sha256',
    {
      onRequest: requireRole('specialist', 'leader', 'admin'),
      schema: {
        summary: 'Download an attachment of a feedback item (logged)',
        description:
          'Officers of the responsible unit and admins. The file with its sniffed media type, named ' +
          '`<sha256>.<ext>`. Each download is logged in the filer vault’s access log. 404 FB_ATTACHMENT_NOT_FOUND ' +
          'when the item has no such attachment; 410 FB_FILER_DATA_ERASED once the filer’s data was erased.',
        tags: ['feedback'],
        params: z.object({ id: z.uuid().describe('feedback id'), sha256: Sha256 }),
        response: {
          // The bytes as stored (a Buffer bypasses the JSON serializer).
          200: z.unknown().describe('the file: application/pdf, image/jpeg, image/png or image/tiff'),
          400: errorResponseSchema,
          401: errorResponseSchema,
          403: errorResponseSchema,
          404: errorResponseSchema,
          410: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const { id, sha256 } = request.params;
      const item = await findItem(context, id);
      requireUnit(request, item.responsibleUnitId);
      const view = await loadView(context, id);
      const attachment = view.attachments.find((a) => a.sha256 === sha256);
      const missing = () =>
        AttachmentNotFound(`feedback ${id} has no attachment ${sha256}`, {
          details: { feedbackId: id, sha256 },
        });
      if (attachment === undefined) throw missing();
      const filer = await readFilerData(context, view, {
        actor: actorOf(authOf(request)),
        purpose: `view attachment ${sha256.slice(0, 12)}`,
      });
      if (filer !== undefined && 'erasedAt' in filer) {
        const erased = FilerDataErased(`the data of the filer of feedback ${id} was erased`, {
          details: { filerId: view.filerId, erasedAt: filer.erasedAt },
        });
        return reply
          .status(410)
          .send({ code: erased.code, message: erased.message, details: erased.details });
      }
      const bytes = await context.storage.get(sha256);
      if (bytes === undefined) throw missing();
      return reply
        .type(attachment.mediaType)
        .header('cache-control', 'private, no-store')
        .header('x-content-type-options', 'nosniff')
        .header(
          'content-disposition',
          `attachment; filename="${sha256}.${extensionOf(attachment.mediaType)}"`,
        )
        .send(bytes);
    },
  );
}
