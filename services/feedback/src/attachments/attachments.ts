/**
 * Evidence a citizen attaches to feedback (photos, scans). The type is sniffed from the content with the same
 * sniffer as digitization (`@onestop/documents`): PDF, JPEG, PNG and TIFF are accepted, anything else is refused
 * with 422 naming the attachment and what it really is. Files go to content-addressed storage; the event records
 * only each file's SHA-256, size and sniffed type. File names are never recorded (they often carry names).
 */
import {
  ACCEPTED_MEDIA_TYPES,
  type DocumentStorage,
  DocumentTooLarge,
  isAcceptedMediaType,
  sniffMediaType,
} from '@onestop/documents';
import { type FeedbackAttachment, MAX_FEEDBACK_ATTACHMENTS } from '@onestop/domain';
import { z } from 'zod';
import { AttachmentUnsupported } from '../errors.js';

/** 5 MiB: a phone photo or a few scanned pages; feedback is not where whole dossiers are filed. */
export const DEFAULT_MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;

export const AttachmentInput = z.strictObject({
  fileName: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .optional()
    .describe('the original name, echoed in errors only; not recorded (names often carry personal data)'),
  contentBase64: z.base64().min(1).describe('the file, base64-encoded: PDF, JPEG, PNG or TIFF'),
});
export type AttachmentInput = z.infer<typeof AttachmentInput>;

export const AttachmentsInput = z
  .array(AttachmentInput)
  .max(MAX_FEEDBACK_ATTACHMENTS)
  .describe(`up to ${MAX_FEEDBACK_ATTACHMENTS} files of evidence; the type is sniffed from the content`);

/** A JSON body with every attachment at the limit (base64 takes 4 bytes per 3), plus the text fields. */
export function bodyLimitFor(maxAttachmentBytes: number): number {
  return Math.ceil((maxAttachmentBytes * MAX_FEEDBACK_ATTACHMENTS) / 3) * 4 + 256 * 1024;
}

/**
 * Checks every attachment (size, sniffed type) before storing any, so a refused filing stores nothing, then
 * stores them. Returns what the event records of each.
 */
export async function storeAttachments(
  inputs: readonly AttachmentInput[],
  storage: DocumentStorage,
  maxBytes: number,
): Promise<FeedbackAttachment[]> {
  const files = inputs.map((input, index) => {
    const bytes = Buffer.from(input.contentBase64, 'base64');
    // By position in messages (they are logged); the file name only in the details, for the caller.
    const what = `attachment ${index + 1}`;
    if (bytes.length > maxBytes) throw new DocumentTooLarge(maxBytes, what);
    const detected = sniffMediaType(bytes);
    if (!isAcceptedMediaType(detected)) {
      throw AttachmentUnsupported(
        `${what} is ${detected}; only ${ACCEPTED_MEDIA_TYPES.join(', ')} are accepted`,
        {
          details: {
            field: `body.attachments.${index}`,
            attachment: index,
            ...(input.fileName === undefined ? {} : { fileName: input.fileName }),
            detected,
            accepted: ACCEPTED_MEDIA_TYPES,
          },
        },
      );
    }
    return { bytes, mediaType: detected };
  });
  const stored: FeedbackAttachment[] = [];
  for (const file of files) {
    const put = await storage.put(file.bytes);
    stored.push({ sha256: put.sha256, sizeBytes: put.size, mediaType: file.mediaType });
  }
  return stored;
}
