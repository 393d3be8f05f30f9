import { resolve } from 'node:path';
import { authEnvShape, loadConfig } from '@onestop/service-kit';
import { z } from 'zod';

const repoRoot = resolve(import.meta.dirname, '../../..');

/** Embedded mode's environment, read once by main.ts and the CLI. */
export const embeddedEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  ONESTOP_DATA_DIR: z.string().min(1).default(resolve(repoRoot, '.data/embedded')),
  ONESTOP_TEST_CLOCK: z.enum(['0', '1']).default('0'),
  ...authEnvShape,
  /** The identity provider's sign-in page (authorization endpoint with client id and redirect URI). */
  ONESTOP_IDP_SIGN_IN_URL: z.url().optional(),
  /** 32 bytes, base64; unset: generated once and kept in `<ONESTOP_DATA_DIR>/vault-master-key` (dev). */
  ONESTOP_VAULT_MASTER_KEY: z.string().min(1).optional(),
  /** Key of the receipts' tracking secrets; unset: generated once and kept in `<ONESTOP_DATA_DIR>/tracking-key`. */
  ONESTOP_TRACKING_KEY: z.string().min(32).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type EmbeddedEnv = z.infer<typeof embeddedEnv>;

export function loadEmbeddedEnv(env: NodeJS.ProcessEnv = process.env): EmbeddedEnv {
  const parsed = loadConfig(embeddedEnv, env);
  // `pnpm start` runs in services/runner and `pnpm onestop` in the repository root: a relative data directory is
  // taken from the root for both, so the server and the CLI always use the same folder.
  return { ...parsed, ONESTOP_DATA_DIR: resolve(repoRoot, parsed.ONESTOP_DATA_DIR) };
}

/**
 * A path the user typed on the command line (`--out`), from the directory they typed it in: pnpm runs the CLI in
 * the repository root and says where it was invoked in INIT_CWD.
 */
export function fromInvocationDir(path: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.INIT_CWD ?? process.cwd(), path);
}
