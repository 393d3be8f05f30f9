/**
 * What a citizen wrote and how to reach them, kept in the vault of `@onestop/vault` (the same envelope encryption
 * and access log as intake's applicants): one row per filer, sealed under the filer's own data key, which the
 * master key wraps. Events name the filer only by the pseudonymous `filerId` of FeedbackFiled. Erasing the filer
 * destroys the key: the text becomes unreadable while the item and its events stay. Every read, amendment (the
 * follow-up) and erasure is logged with who and why, the feedback item as its reference.
 *
 * A filer is one filing: a citizen without an account cannot be recognised across filings, so a fresh `filerId`
 * is drawn for each and an erasure concerns that filing.
 */
import {
  type PostgresVaultDatabase,
  postgresVault,
  type SealedVault,
  type SqliteVaultDatabase,
  sqliteVault,
  type VaultErrors,
  type VaultLayout,
} from '@onestop/vault';
import { z } from 'zod';
import { FilerDataErased, FilerDataNotFound, FilerDataUndecryptable } from '../errors.js';

export const FeedbackContact = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    phone: z
      .string()
      .regex(/^\+?[0-9 .-]{6,20}$/, 'expected a phone number')
      .optional(),
    email: z.email().max(254).optional(),
  })
  .describe('how to reach the filer; sealed in the filer vault, never in events');
export type FeedbackContact = z.infer<typeof FeedbackContact>;

/** The sealed record of one filer. */
export const FilerData = z.object({
  content: z.string(),
  contact: FeedbackContact.optional(),
  /** The filer's follow-up complaint about the answer (one; the first stays). */
  followUp: z.string().optional(),
});
export type FilerData = z.infer<typeof FilerData>;

export type FilerVault = SealedVault<FilerData>;

export const FEEDBACK_VAULT_LAYOUT: VaultLayout = {
  dataTable: 'feedback_filer_data',
  logTable: 'feedback_filer_access_log',
  ownerColumn: 'filer_id',
  referenceColumn: 'feedback_id',
};

const errors: VaultErrors = {
  notFound: (filerId) => FilerDataNotFound(`no data of filer ${filerId}`, { details: { filerId } }),
  erased: (filerId, erasedAt) =>
    FilerDataErased(`the data of filer ${filerId} was erased`, { details: { filerId, erasedAt } }),
  undecryptable: (filerId, cause) =>
    FilerDataUndecryptable(`the data of filer ${filerId} cannot be decrypted`, {
      details: { filerId },
      cause,
    }),
};

interface FilerVaultOptions {
  /** 32 bytes: the same master key as intake's vault (`ONESTOP_VAULT_MASTER_KEY`). */
  readonly masterKey: Buffer;
  /** Business time of log rows and erasures. */
  readonly clock: { now(): Date };
}

/** Stack mode: in the service's PostgreSQL schema, beside its event store. */
export function postgresFilerVault(options: FilerVaultOptions & { db: PostgresVaultDatabase }): FilerVault {
  return postgresVault({ ...options, layout: FEEDBACK_VAULT_LAYOUT, record: FilerData, errors });
}

/** Embedded mode: in the embedded store's SQLite file. */
export function sqliteFilerVault(options: FilerVaultOptions & { db: SqliteVaultDatabase }): FilerVault {
  return sqliteVault({ ...options, layout: FEEDBACK_VAULT_LAYOUT, record: FilerData, errors });
}
