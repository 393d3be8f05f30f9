import { createHash, randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StorageUnavailable } from './errors.js';
import { type DocumentStorage, isSha256, type PutResult } from './port.js';

/**
 * The steps of a write that a crash can interrupt, and the directory fsync that makes it durable. Tests replace
 * one to fail half-way or to see what is synced; production uses the defaults.
 */
export interface WriteSteps {
  /** Writes all of `bytes` to the open temporary file. */
  write(handle: FileHandle, bytes: Uint8Array): Promise<void>;
  /** Moves the finished temporary file to its final name (atomic on one filesystem). */
  rename(from: string, to: string): Promise<void>;
  /** Makes a directory's entries durable (fsync of the directory). */
  syncDirectory(path: string): Promise<void>;
}

export interface FilesystemStorageOptions {
  /** Root directory; documents go to `<root>/ab/cd/<sha256>`, writes in progress to `<root>/tmp/`. */
  readonly root: string;
  readonly steps?: Partial<WriteSteps>;
}

const defaultSteps: WriteSteps = {
  write: async (handle, bytes) => {
    await handle.writeFile(bytes);
  },
  rename,
  syncDirectory,
};

const isNotFound = (error: unknown) =>
  typeof error === 'object' && error !== null && Reflect.get(error, 'code') === 'ENOENT';

/** `ab/cd/<sha>`: two levels of 256 directories keep any one directory small at millions of documents. */
function pathOf(root: string, sha256: string): string {
  return join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
}

/** Makes a rename durable: the new directory entry reaches the disk only when the directory is synced. */
async function syncDirectory(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/**
 * What makes a file renamed into `dir` durable: `dir` itself (the new entry) and, when `mkdir` has just created
 * directories down to it (`firstCreated` the topmost), the parent of each, whose entry for it is new too.
 */
function directoriesToSync(dir: string, firstCreated: string | undefined): string[] {
  const dirs = [dir];
  if (firstCreated === undefined) return dirs;
  const stop = dirname(firstCreated);
  for (let current = dir; current !== stop && dirname(current) !== current; ) {
    current = dirname(current);
    dirs.push(current);
  }
  return dirs;
}

/**
 * Content-addressed documents on a local (or mounted) filesystem. A write goes to a temporary file in
 * `<root>/tmp` (same filesystem, so the rename is atomic), is fsynced, then renamed to its final name and the
 * directory fsynced: a crash at any point leaves either no file or the complete file under the final name, never
 * a partial one. A crash can leave an orphan temporary file, which no reader ever looks at.
 */
export function filesystemDocumentStorage(options: FilesystemStorageOptions): DocumentStorage {
  const { root } = options;
  const steps: WriteSteps = { ...defaultSteps, ...options.steps };
  const tmpDir = join(root, 'tmp');

  const has = async (sha256: string): Promise<boolean> => {
    if (!isSha256(sha256)) return false;
    try {
      return (await stat(pathOf(root, sha256))).isFile();
    } catch (error) {
      if (isNotFound(error)) return false;
      throw StorageUnavailable('document storage cannot be read', { cause: error });
    }
  };

  const write = async (sha256: string, bytes: Uint8Array): Promise<void> => {
    const finalPath = pathOf(root, sha256);
    const finalDir = dirname(finalPath);
    // The final directory first: if the root is new too, `firstCreated` then covers it.
    const firstCreated = await mkdir(finalDir, { recursive: true });
    await mkdir(tmpDir, { recursive: true });
    const tmpPath = join(tmpDir, `${sha256}.${randomBytes(6).toString('hex')}.tmp`);
    let handle: FileHandle | undefined;
    try {
      handle = await open(tmpPath, 'wx');
      await steps.write(handle, bytes);
      await handle.sync();
      await handle.close();
      handle = undefined;
      await steps.rename(tmpPath, finalPath);
      for (const dir of directoriesToSync(finalDir, firstCreated)) await steps.syncDirectory(dir);
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await unlink(tmpPath).catch(() => undefined);
      throw error;
    }
  };

  return {
    async put(bytes): Promise<PutResult> {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const size = bytes.byteLength;
      if (await has(sha256)) return { sha256, size, created: false };
      try {
        await write(sha256, bytes);
      } catch (error) {
        throw StorageUnavailable('document could not be stored', { cause: error });
      }
      return { sha256, size, created: true };
    },

    async get(sha256) {
      if (!isSha256(sha256)) return undefined;
      try {
        return await readFile(pathOf(root, sha256));
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw StorageUnavailable('document storage cannot be read', { cause: error });
      }
    },

    has,
  };
}
