/**
 * The personal-data vault (DOMAIN.md section 8), shared by the services that keep what identifies a person:
 * intake (applicants) and feedback (filers). Events carry a pseudonymous owner id; the data lives here, one row
 * per owner, encrypted under the owner's own data key, itself wrapped by the master key. Erasing an owner destroys
 * the wrapped key (crypto-shredding): the ciphertext stays, unreadable, and the event log stays intact. Every
 * read, amendment and erasure is logged with who did it and why, in the same transaction as the access.
 *
 * Each service keeps its own tables (`VaultLayout`), record schema and error codes; this package holds the
 * crypto and the storage logic once, for PostgreSQL (`postgresVault`) and the embedded store's SQLite
 * (`sqliteVault`).
 */
import type { z } from 'zod';

export const VAULT_ACTIONS = ['read', 'read_erased', 'amend', 'erase'] as const;
export type VaultAction = (typeof VAULT_ACTIONS)[number];

/** Who accesses and why: every access is logged with these. */
export interface VaultAccess {
  readonly actor: { readonly id: string; readonly role: string; readonly unitId?: string | undefined };
  readonly purpose: string;
  /** The record that justifies the access (a UUID: the dossier, the feedback item), when there is one. */
  readonly reference?: string;
}

export interface VaultLogEntry {
  readonly id: string;
  readonly ownerId: string;
  readonly action: VaultAction;
  readonly actorId: string;
  readonly actorRole: string;
  readonly actorUnitId: string | null;
  readonly purpose: string;
  readonly reference: string | null;
  /** Business time of the access. */
  readonly at: Date;
}

export interface PutOptions {
  /**
   * Write only if the owner has no row at all: data already there (written by a later request, say) is left as it
   * is, and so is an erased owner; `put` then resolves `{ stored: false }`. For a write made before it is known to
   * be wanted (intake stores the data while it claims the request's Idempotency-Key), so that a replayed or
   * refused request can neither overwrite the owner's current data nor bring back the data of someone who asked
   * to be forgotten. The caller writes again, without it, once the write is known to be wanted.
   */
  readonly ifAbsent?: boolean;
}

export interface SealedVault<T> {
  /** Creates the tables if missing (also done by the first call). */
  ready(): Promise<void>;
  /**
   * Stores (or replaces) the owner's data under a fresh data key; after an erasure it starts anew (unless
   * `ifAbsent`). Concurrent puts may share one transaction; each resolves once its row is durable.
   */
  put(ownerId: string, data: T, options?: PutOptions): Promise<{ readonly stored: boolean }>;
  /** Decrypts and returns the data, logging the read (an attempt on erased data is logged too). */
  get(ownerId: string, access: VaultAccess): Promise<T>;
  /**
   * Replaces the data with `change(current)` in one transaction (the row locked), re-sealed under a fresh data
   * key, and logs an `amend`: for additions by the owner (a follow-up), where a `get` then `put` would log a read
   * nobody made and could lose a concurrent change. An erased owner stays erased (the `erased` error).
   */
  amend(ownerId: string, change: (current: T) => T, access: VaultAccess): Promise<void>;
  /** Destroys the owner's data key; the ciphertext stays and can no longer be decrypted. Idempotent. */
  erase(ownerId: string, access: VaultAccess): Promise<{ readonly erasedAt: Date }>;
  /**
   * Deletes a row that was written for a request that then failed (nothing references the owner id). Not an
   * erasure: nothing is logged, because nobody read anything and no person asked for it.
   */
  discard(ownerId: string): Promise<void>;
  /** Newest first. */
  accessLog(filter?: { ownerId?: string; limit?: number }): Promise<readonly VaultLogEntry[]>;
}

/**
 * A service's vault tables. Names are plain lower-case SQL identifiers (checked). The owner id and the reference
 * are UUIDs (PostgreSQL stores them as `uuid`).
 */
export interface VaultLayout {
  /** One row per owner: the sealed data and the wrapped data key. */
  readonly dataTable: string;
  /** One row per access. Its index is named `<logTable>_<ownerColumn without _id>`. */
  readonly logTable: string;
  /** The owner's id column in both tables, e.g. `applicant_id`. */
  readonly ownerColumn: string;
  /** The log's column for `VaultAccess.reference`, e.g. `dossier_id`. */
  readonly referenceColumn: string;
}

/** The service's own errors for a missing, erased or undecryptable owner (so its stable codes stay its own). */
export interface VaultErrors {
  notFound(ownerId: string): Error;
  /** The route answers 410 Gone. */
  erased(ownerId: string, erasedAt: string): Error;
  /** Tampering, or a master key that is not the one that wrapped the data key. */
  undecryptable(ownerId: string, cause: unknown): Error;
}

/** A statement in the store's open transaction (`PostgresTransaction` and `EmbeddedTransaction` both fit). */
export interface VaultTransaction {
  query(sql: string, params?: readonly unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface VaultOptions<T> {
  /** 32 bytes (see `parseMasterKey`). */
  readonly masterKey: Buffer;
  /** Business time of log rows and erasures. */
  readonly clock: { now(): Date };
  readonly layout: VaultLayout;
  /** The plaintext's schema: checked before sealing and after opening. */
  readonly record: z.ZodType<T>;
  readonly errors: VaultErrors;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** The layout's names, checked (they go into SQL text), and the log index's name. */
export function checkedLayout(layout: VaultLayout): VaultLayout & { readonly logIndex: string } {
  for (const name of Object.values(layout)) {
    if (!IDENTIFIER.test(name)) throw new Error(`vault layout: ${name} is not a plain SQL identifier`);
  }
  return { ...layout, logIndex: `${layout.logTable}_${layout.ownerColumn.replace(/_id$/, '')}` };
}
