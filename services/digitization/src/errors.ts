/** Error codes of the digitization service (stable: clients key on them). */
import { defineError } from '@onestop/domain';

/** The content is not one of the accepted document formats (PDF, JPEG, PNG, TIFF). */
export const UnsupportedDocumentType = defineError<{ detected: string; accepted: readonly string[] }>(
  'DIGI_UNSUPPORTED_MEDIA_TYPE',
  'unprocessable',
);

/** The declared media type disagrees with the content: refused rather than silently overridden. */
export const MediaTypeMismatch = defineError<{ declared: string; detected: string }>(
  'DIGI_MEDIA_TYPE_MISMATCH',
  'unprocessable',
);

/** A reuse reference names a component or result that was never digitized. */
export const ReuseSourceNotFound = defineError<{ dossierId: string; componentCode: string }>(
  'DIGI_REUSE_SOURCE_NOT_FOUND',
  'unprocessable',
);

export const DigitizationNotFound = defineError<{ dossierId: string }>('DIGI_DOSSIER_NOT_FOUND', 'not_found');

export const DocumentNotFound = defineError<{ sha256: string }>('DIGI_DOCUMENT_NOT_FOUND', 'not_found');

/**
 * No receipt of the dossier has reached this service (within the wait for one just recorded): an unknown id, or
 * a receipt its consumer has not applied yet.
 */
export const DossierNotReceived = defineError<{ dossierId: string }>(
  'DIGI_DOSSIER_NOT_RECEIVED',
  'not_found',
);

/** A reuse reference to the dossier itself, or to a dossier of another applicant. */
export const ReuseSourceInvalid = defineError<{ dossierId: string; reason: string }>(
  'DIGI_REUSE_SOURCE_INVALID',
  'unprocessable',
);
