/**
 * The vault in intake's own PostgreSQL schema, next to its event store (and sharing its connection pool); see
 * `postgresVault` in `@onestop/vault`. A read and its log row commit in one transaction: no read goes unlogged.
 */
import type { Clock } from '@onestop/service-kit';
import { type PostgresVaultDatabase, postgresVault } from '@onestop/vault';
import type { PersonalDataVault } from './port.js';
import { intakeVaultRecord, personalDataVault } from './vault.js';

export interface PostgresVaultOptions {
  readonly db: PostgresVaultDatabase;
  /** 32 bytes (see `parseMasterKey`). */
  readonly masterKey: Buffer;
  /** Business time of access-log rows. */
  readonly clock: Clock;
}

export function postgresPersonalDataVault(
  options: PostgresVaultOptions,
): PersonalDataVault & { ready(): Promise<void> } {
  return personalDataVault(postgresVault({ ...options, ...intakeVaultRecord }));
}
