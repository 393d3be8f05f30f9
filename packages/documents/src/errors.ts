/** Errors of document handling shared by the services that take uploads (stable codes: clients key on them). */
import { defineError } from '@onestop/domain';

/** The storage could not write or read a document (disk full, permissions): ours to fix, the caller may retry. */
export const StorageUnavailable = defineError('DOCUMENT_STORAGE_UNAVAILABLE', 'unavailable');

/**
 * Over the configured size limit. 413 has no domain error kind (it is a transport matter), so this is a
 * fastify-style client error: the service kit answers 413 with the stable code `HTTP_PAYLOAD_TOO_LARGE`, the same
 * code fastify and the multipart parser produce for an oversized JSON body or file part.
 */
export class DocumentTooLarge extends Error {
  readonly statusCode = 413;
  /** `what` names the document in the message (e.g. "attachment 2"); the default is "document". */
  constructor(limitBytes: number, what = 'document') {
    super(`${what} larger than the limit of ${limitBytes} bytes`);
    this.name = 'DocumentTooLarge';
  }
}
