import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const isCode = (error: unknown, code: string) =>
  error instanceof Error && 'code' in error && error.code === code;

/**
 * The secret kept in `<dataDir>/<name>` (mode 0600), generated on first start and reused after: dev tokens must
 * stay valid across restarts, and a new vault master key would make the sealed personal data unreadable. Two
 * launchers starting at once agree on the first file written (`wx`).
 */
export async function persistentSecret(dataDir: string, name: string, bytes = 32): Promise<string> {
  const file = join(dataDir, name);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error;
  }
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, `${randomBytes(bytes).toString('base64')}\n`, { mode: 0o600, flag: 'wx' }).catch(
    (error: unknown) => {
      if (!isCode(error, 'EEXIST')) throw error;
    },
  );
  return (await readFile(file, 'utf8')).trim();
}
