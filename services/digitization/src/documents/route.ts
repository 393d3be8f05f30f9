/**
 * `GET /v1/digitization/documents/{sha256}`: download a digitized file. Documents hold personal data, so only the
 * roles that work with dossier files (clerk, specialist, admin) may fetch them; analysts and leaders read metadata.
 */
import { extensionOf, sniffMediaType } from '@onestop/documents';
import { Sha256 } from '@onestop/domain';
import { type App, errorResponseSchema, requireRole } from '@onestop/service-kit';
import { z } from 'zod';
import type { DigitizationDeps } from '../app.js';
import { DocumentNotFound } from '../errors.js';

export async function documentRoutes(app: App, deps: DigitizationDeps): Promise<void> {
  app.get(
    '/v1/digitization/documents/:sha256',
    {
      onRequest: requireRole('clerk', 'specialist', 'admin'),
      schema: {
        summary: 'Download a digitized document',
        description:
          'The file stored under this SHA-256, with its sniffed media type. Content never changes under a hash, ' +
          'so it is cacheable forever (ETag is the hash). Errors: 400 malformed hash, 401, 403 (analyst, leader), ' +
          '404 DIGI_DOCUMENT_NOT_FOUND.',
        tags: ['digitization'],
        params: z.object({ sha256: Sha256 }),
        response: {
          // The bytes as stored (a Buffer bypasses the JSON serializer); the media type is sniffed.
          200: z.unknown().describe('the file: application/pdf, image/jpeg, image/png or image/tiff'),
          304: z.null().describe('not modified (If-None-Match matched the hash)'),
          404: errorResponseSchema,
        },
      },
    },
    async (request, reply) => {
      const { sha256 } = request.params;
      const etag = `"${sha256}"`;
      // Cache headers go only on success: a 404 must not be cached as if it were immutable.
      const cacheable = { etag, 'cache-control': 'private, max-age=31536000, immutable' };
      if (request.headers['if-none-match'] === etag && (await deps.storage.has(sha256))) {
        return reply.status(304).headers(cacheable).send();
      }
      const bytes = await deps.storage.get(sha256);
      if (bytes === undefined) {
        throw DocumentNotFound(`no document ${sha256}`, { details: { sha256 } });
      }
      const mediaType = sniffMediaType(bytes);
      return reply
        .headers(cacheable)
        .type(mediaType)
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', `attachment; filename="${sha256}.${extensionOf(mediaType)}"`)
        .send(bytes);
    },
  );
}
