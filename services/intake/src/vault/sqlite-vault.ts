/**
 * The vault on the embedded store's SQLite file (embedded mode), beside the events: the same envelope encryption,
 * tables and rules as `postgresPersonalDataVault` (see `sqliteVault` in `@onestop/vault`).
 */
import type { Clock } from '@onestop/service-kit';
import { type SqliteVaultDatabase, sqliteVault } from '@onestop/vault';
import type { PersonalDataVault } from './port.js';
import { intakeVaultRecord, personalDataVault } from './vault.js';

export interface SqliteVaultOptions {
  readonly db: SqliteVaultDatabase;
  /** 32 bytes (see `parseMasterKey`). */
  readonly masterKey: Buffer;
  /** Business time of access-log rows and erasures. */
  readonly clock: Clock;
}

export function sqlitePersonalDataVault(
  options: SqliteVaultOptions,
): PersonalDataVault & { ready(): Promise<void> } {
  return personalDataVault(sqliteVault({ ...options, ...intakeVaultRecord }));
}
