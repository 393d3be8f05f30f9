/** Error codes of the intake service. Codes are stable: clients and dashboards key on them. */
import { defineError } from '@onestop/domain';

/** The same Idempotency-Key was sent with a different body: the key names one request, never two. */
export const IdempotencyKeyReused = defineError<{ idempotencyKey: string }>(
  'INTAKE_IDEMPOTENCY_KEY_REUSED',
  'conflict',
);
/** The receiving unit is not a one-stop centre (only centres receive dossiers). */
export const NotAReceivingUnit = defineError<{ unitId: string; kind: string }>(
  'INTAKE_NOT_A_RECEIVING_UNIT',
  'unprocessable',
);
/** The competent unit is not one of the procedure's competent units. */
export const CompetentUnitInvalid = defineError<{
  competentUnitId: string;
  procedureCode: string;
  allowed: readonly string[];
}>('INTAKE_COMPETENT_UNIT_INVALID', 'unprocessable');
/** A transfer to a unit other than the dossier's competent unit (or, after a merger, its successor). */
export const TransferDestinationInvalid = defineError<{
  toUnitId: string;
  competentUnitId: string;
  allowed: readonly string[];
}>('INTAKE_TRANSFER_DESTINATION_INVALID', 'unprocessable');
/** Several units are competent and none is local to the receiving centre: the clerk must choose. */
export const CompetentUnitRequired = defineError<{ procedureCode: string; allowed: readonly string[] }>(
  'INTAKE_COMPETENT_UNIT_REQUIRED',
  'unprocessable',
);
/** The procedure is not on the province's cross-boundary list, and the receiving centre is outside its area. */
export const CrossBoundaryNotEligible = defineError<{
  procedureCode: string;
  receivingUnitId: string;
  competentUnitId: string;
}>('INTAKE_CROSS_BOUNDARY_NOT_ELIGIBLE', 'unprocessable');
/** A component code that the procedure does not list. */
export const UnknownComponent = defineError<{ procedureCode: string; unknownComponents: readonly string[] }>(
  'INTAKE_UNKNOWN_COMPONENT',
  'unprocessable',
);
export const DossierNotFound = defineError<{ dossierId: string }>('INTAKE_DOSSIER_NOT_FOUND', 'not_found');
/** A clerk reads personal data through a dossier of their own unit, so the dossier must be named. */
export const DossierIdRequired = defineError<{ issues: ReadonlyArray<{ path: string; message: string }> }>(
  'INTAKE_DOSSIER_ID_REQUIRED',
  'validation',
);
/** The dossier named to justify a personal-data read is not this applicant's. */
export const ApplicantMismatch = defineError<{ dossierId: string; applicantId: string }>(
  'INTAKE_APPLICANT_MISMATCH',
  'forbidden',
);
/** The receiving unit has used all 9999 dossier codes of the day. */
export const DossierSequenceExhausted = defineError<{ dayKey: string }>(
  'INTAKE_DOSSIER_SEQUENCE_EXHAUSTED',
  'conflict',
);
