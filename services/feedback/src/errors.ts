/** Error codes of the feedback service (stable: clients key on them). */
import { defineError } from '@onestop/domain';

export const FeedbackNotFound = defineError<{ feedbackId: string }>('FB_NOT_FOUND', 'not_found');

/** The subject names a dossier, unit or procedure this system does not know (or not in force now). */
export const SubjectUnknown = defineError<{ field: string; value: string }>(
  'FB_SUBJECT_UNKNOWN',
  'unprocessable',
);

/** The unit named for a procedure subject does not handle that procedure. */
export const UnitNotCompetent = defineError<{ field: string; unitId: string; procedureCode: string }>(
  'FB_UNIT_NOT_COMPETENT',
  'unprocessable',
);

/** A citizen's dossier subject: no dossier matches this code and tracking secret (unknown code or wrong secret). */
export const DossierNotMatched = defineError<{ field: string; hint: string }>(
  'FB_DOSSIER_NOT_MATCHED',
  'unprocessable',
);

/** No feedback matches this reference and follow-up secret (unknown reference or wrong secret). */
export const PublicFeedbackNotFound = defineError<{ hint: string }>('FB_PUBLIC_NOT_FOUND', 'not_found');

/** An attachment's content is not an accepted document type (sniffed from its bytes, not its name or label). */
export const AttachmentUnsupported = defineError<{
  field: string;
  attachment: number;
  fileName?: string;
  detected: string;
  accepted: readonly string[];
}>('FB_ATTACHMENT_UNSUPPORTED', 'unprocessable');

/** The item has no attachment with this SHA-256. */
export const AttachmentNotFound = defineError<{ feedbackId: string; sha256: string }>(
  'FB_ATTACHMENT_NOT_FOUND',
  'not_found',
);

/** The filer vault has no row for this filer (an item filed before the vault, or a filing that failed). */
export const FilerDataNotFound = defineError<{ filerId: string }>('FB_FILER_DATA_NOT_FOUND', 'not_found');
/** The filer's data key was erased; the route answers 410 Gone. */
export const FilerDataErased = defineError<{ filerId: string; erasedAt: string }>(
  'FB_FILER_DATA_ERASED',
  'not_found',
);
/** A ciphertext failed authentication: tampering, or a master key that is not the one that wrapped it. */
export const FilerDataUndecryptable = defineError<{ filerId: string }>(
  'FB_FILER_DATA_UNDECRYPTABLE',
  'internal',
);
