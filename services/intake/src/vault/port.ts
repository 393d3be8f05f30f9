/**
 * Intake's personal-data vault (DOMAIN.md section 8). Names, ID numbers, phones and addresses never enter an
 * event: events carry a pseudonymous `applicantId`, and the data lives here, encrypted per applicant. Erasing an
 * applicant destroys their data key (crypto-shredding), so the data is unreadable while the log stays intact.
 * The crypto and storage are `@onestop/vault`'s (shared with feedback); this is intake's face of it, in its own
 * words (applicant, dossier) and with its own error codes.
 */
import { defineError } from '@onestop/domain';
import type { PutOptions, VaultAction } from '@onestop/vault';

export type { PutOptions };

import { z } from 'zod';

export const PersonalData = z.object({
  fullName: z.string().trim().min(1).max(200),
  idNumber: z.string().trim().min(1).max(32),
  phone: z.string().trim().min(1).max(32).optional(),
  address: z.string().trim().min(1).max(500).optional(),
});
export type PersonalData = z.infer<typeof PersonalData>;

/** Who reads and why: every read is logged with these. */
export interface VaultAccess {
  readonly actor: { readonly id: string; readonly role: string; readonly unitId?: string | undefined };
  readonly purpose: string;
  /** The dossier that justifies the read, when there is one. */
  readonly dossierId?: string;
}

export interface AccessLogEntry {
  readonly id: string;
  readonly applicantId: string;
  readonly action: VaultAction;
  readonly actorId: string;
  readonly actorRole: string;
  readonly actorUnitId: string | null;
  readonly purpose: string;
  readonly dossierId: string | null;
  /** Business time of the access. */
  readonly at: Date;
}

export interface PersonalDataVault {
  /**
   * Stores (or replaces) the applicant's data under a fresh data key; after an erasure it starts anew (unless
   * `ifAbsent`). Concurrent puts may share one transaction; each resolves once its row is durable.
   */
  put(applicantId: string, data: PersonalData, options?: PutOptions): Promise<{ readonly stored: boolean }>;
  /** Decrypts and returns the data, logging the read; INTAKE_PERSONAL_DATA_ERASED / _NOT_FOUND otherwise. */
  get(applicantId: string, access: VaultAccess): Promise<PersonalData>;
  /** Destroys the applicant's data key; the ciphertext stays and can no longer be decrypted. */
  erase(applicantId: string, access: VaultAccess): Promise<{ erasedAt: Date }>;
  accessLog(filter?: { applicantId?: string; limit?: number }): Promise<readonly AccessLogEntry[]>;
}

export const PersonalDataNotFound = defineError<{ applicantId: string }>(
  'INTAKE_PERSONAL_DATA_NOT_FOUND',
  'not_found',
);
/** The applicant's key was erased; the route answers 410 Gone. */
export const PersonalDataErased = defineError<{ applicantId: string; erasedAt: string }>(
  'INTAKE_PERSONAL_DATA_ERASED',
  'not_found',
);
/** A ciphertext failed authentication: tampering, or a master key that is not the one that wrapped it. */
export const PersonalDataUndecryptable = defineError<{ applicantId: string }>(
  'INTAKE_PERSONAL_DATA_UNDECRYPTABLE',
  'internal',
);
