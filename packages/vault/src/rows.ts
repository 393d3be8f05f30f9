/** What both dialects read back the same way: log rows, and the plaintext of an opened envelope. */
import { z } from 'zod';
import { VAULT_ACTIONS, type VaultErrors, type VaultLogEntry } from './port.js';

/** A log row; each dialect adds its `at` (PostgreSQL: a Date, SQLite: ISO-8601 text) and its id type. */
export const LogRow = z.object({
  id: z.union([z.string(), z.number().int()]).transform(String),
  owner_id: z.string(),
  action: z.enum(VAULT_ACTIONS),
  actor_id: z.string(),
  actor_role: z.string(),
  actor_unit_id: z.string().nullable(),
  purpose: z.string(),
  reference: z.string().nullable(),
});

export function toLogEntry(row: z.output<typeof LogRow> & { at: Date }): VaultLogEntry {
  return {
    id: row.id,
    ownerId: row.owner_id,
    action: row.action,
    actorId: row.actor_id,
    actorRole: row.actor_role,
    actorUnitId: row.actor_unit_id,
    purpose: row.purpose,
    reference: row.reference,
    at: row.at,
  };
}

/** Decrypts with `open` and parses the record; a failure to authenticate is the service's undecryptable error. */
export function plaintextOf<T>(
  record: z.ZodType<T>,
  ownerId: string,
  errors: VaultErrors,
  open: () => Buffer,
): T {
  let plaintext: Buffer;
  try {
    plaintext = open();
  } catch (cause) {
    throw errors.undecryptable(ownerId, cause);
  }
  return record.parse(JSON.parse(plaintext.toString('utf8')));
}
