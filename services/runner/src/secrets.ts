/**
 * Secrets that embedded mode makes for itself when none is configured: the dev JWT secret, the vault master
 * key and the receipts' tracking key. Each is generated once per data dir, kept in a file only its owner can read (0600), and reused on every
 * start: tokens must stay valid, and a new master key would make every sealed record and every idempotency
 * fingerprint unreadable.
 */
import { randomBytes } from 'node:crypto';
import { persistentSecret } from '@onestop/service-kit';

/** The dev signing secret shared by the server and `pnpm onestop token`. */
export function devSecret(dataDir: string): Promise<string> {
  return persistentSecret(dataDir, 'dev-jwt-secret', () => randomBytes(32).toString('base64url'));
}

/** The vault master key of embedded dev mode (base64 of 32 bytes, as `ONESTOP_VAULT_MASTER_KEY`). */
export function devVaultMasterKey(dataDir: string): Promise<string> {
  return persistentSecret(dataDir, 'vault-master-key', () => randomBytes(32).toString('base64'));
}

/**
 * The key of the receipts' tracking secrets in embedded dev mode (as `ONESTOP_TRACKING_KEY`): kept, because a new
 * one would make every tracking secret already printed on a receipt stop working.
 */
export function devTrackingKey(dataDir: string): Promise<string> {
  return persistentSecret(dataDir, 'tracking-key', () => randomBytes(32).toString('base64url'));
}
