/**
 * Secrets a process makes for itself when none is configured (dev JWT secret, vault master key, tracking key):
 * generated once per data directory, kept in a file only its owner can read (0600), and reused on every start.
 * Embedded mode and the stack launcher both keep theirs this way.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

const isCode = (error: unknown, code: string) =>
  error instanceof Error && 'code' in error && error.code === code;

/**
 * The secret in `<dataDir>/<name>`, created with `generate()` if missing. Creation is atomic and durable: the
 * secret is written and fsynced under a temporary name, then hard-linked to its name (which fails if it exists)
 * and the directory fsynced, so a crash never leaves an empty or half-written secret and two starters end up
 * with the same one.
 */
export async function persistentSecret(
  dataDir: string,
  name: string,
  generate: () => string,
): Promise<string> {
  const file = join(dataDir, name);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const temporary = join(dataDir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}`);
  const handle = await open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(`${generate()}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temporary, file);
  } catch (error) {
    // Another process created it first: use theirs.
    if (!isCode(error, 'EEXIST')) throw error;
  } finally {
    await unlink(temporary);
  }
  // The name is an entry of the directory: durable only once the directory is synced (else a power loss could
  // lose the key after data was sealed with it).
  const directory = await open(dataDir, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
  return (await readFile(file, 'utf8')).trim();
}
