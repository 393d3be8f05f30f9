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
