/**
 * Intake's vault on `@onestop/vault`: its tables (`personal_data`, `personal_data_access_log`, as they have always
 * been named), its record (`PersonalData`), its error codes, and its words for the owner (the applicant) and the
 * access reference (the dossier).
 */
import type { SealedVault, VaultErrors, VaultLayout } from '@onestop/vault';
import {
  PersonalData,
  PersonalDataErased,
  PersonalDataNotFound,
  PersonalDataUndecryptable,
  type PersonalDataVault,
  type VaultAccess,
} from './port.js';

export const INTAKE_VAULT_LAYOUT: VaultLayout = {
  dataTable: 'personal_data',
  logTable: 'personal_data_access_log',
  ownerColumn: 'applicant_id',
  referenceColumn: 'dossier_id',
};

export const intakeVaultErrors: VaultErrors = {
  notFound: (applicantId) =>
    PersonalDataNotFound(`no personal data for applicant ${applicantId}`, { details: { applicantId } }),
  erased: (applicantId, erasedAt) =>
    PersonalDataErased(`the personal data of applicant ${applicantId} was erased`, {
      details: { applicantId, erasedAt },
    }),
  undecryptable: (applicantId, cause) =>
    PersonalDataUndecryptable(`personal data of applicant ${applicantId} cannot be decrypted`, {
      details: { applicantId },
      cause,
    }),
};

export const intakeVaultRecord = {
  layout: INTAKE_VAULT_LAYOUT,
  record: PersonalData,
  errors: intakeVaultErrors,
};

const accessOf = ({ dossierId, ...access }: VaultAccess) => ({
  ...access,
  ...(dossierId === undefined ? {} : { reference: dossierId }),
});

export function personalDataVault(
  sealed: SealedVault<PersonalData>,
): PersonalDataVault & { ready(): Promise<void> } {
  return {
    ready: () => sealed.ready(),
    put: (applicantId, data, options) => sealed.put(applicantId, data, options),
    get: (applicantId, access) => sealed.get(applicantId, accessOf(access)),
    erase: (applicantId, access) => sealed.erase(applicantId, accessOf(access)),
    async accessLog(filter = {}) {
      const entries = await sealed.accessLog({
        ...(filter.applicantId === undefined ? {} : { ownerId: filter.applicantId }),
        ...(filter.limit === undefined ? {} : { limit: filter.limit }),
      });
      return entries.map(({ ownerId, reference, ...entry }) => ({
        ...entry,
        applicantId: ownerId,
        dossierId: reference,
      }));
    },
  };
}
