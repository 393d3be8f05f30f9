import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageUnavailable } from './errors.js';
import { filesystemDocumentStorage } from './filesystem.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const finalPath = (root: string, sha: string) => join(root, sha.slice(0, 2), sha.slice(2, 4), sha);

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1));
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe('filesystem document storage', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'onestop-storage-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('given bytes, when put, then they are stored under ab/cd/<sha256> and read back whole', async () => {
    const storage = filesystemDocumentStorage({ root });
    const bytes = Buffer.from('%PDF-1.7 a scanned birth certificate');

    const put = await storage.put(bytes);

    expect(put).toEqual({ sha256: sha256(bytes), size: bytes.length, created: true });
    expect(await readFile(finalPath(root, put.sha256))).toEqual(bytes);
    expect(await storage.get(put.sha256)).toEqual(bytes);
    expect(await storage.has(put.sha256)).toBe(true);
    expect(await filesUnder(root)).toEqual([
      join(put.sha256.slice(0, 2), put.sha256.slice(2, 4), put.sha256),
    ]);
  });

  it('given the same content twice, when put, then it is stored once and the second put creates nothing', async () => {
    const storage = filesystemDocumentStorage({ root });
    const bytes = Buffer.from('%PDF-1.7 same content');

    const first = await storage.put(bytes);
    const second = await storage.put(Buffer.from(bytes));

    expect(first.created).toBe(true);
    expect(second).toEqual({ sha256: first.sha256, size: bytes.length, created: false });
    expect(await filesUnder(root)).toHaveLength(1);
  });

  it('given a write that fails half-way, when put, then no file exists under the final name and a retry stores it whole', async () => {
    const bytes = Buffer.alloc(64 * 1024, 7);
    const sha = sha256(bytes);
    const crashing = filesystemDocumentStorage({
      root,
      steps: {
        write: async (handle, data) => {
          await handle.write(data, 0, data.length / 2);
          throw new Error('disk full');
        },
      },
    });

    const failure = await crashing.put(bytes).catch((error: unknown) => error);

    expect(StorageUnavailable.is(failure)).toBe(true);
    expect(await exists(finalPath(root, sha))).toBe(false);
    expect(await crashing.has(sha)).toBe(false);
    expect(await filesUnder(root)).toEqual([]);

    const healthy = filesystemDocumentStorage({ root });
    expect((await healthy.put(bytes)).created).toBe(true);
    expect(await readFile(finalPath(root, sha))).toEqual(bytes);
  });

  it('given a crash between the fsync and the rename, when the write stops there, then only the temp file holds the content', async () => {
    const bytes = Buffer.from('%PDF-1.7 written but never renamed');
    const sha = sha256(bytes);
    let tempSeen: Buffer | undefined;
    const storage = filesystemDocumentStorage({
      root,
      steps: {
        rename: async (from) => {
          tempSeen = await readFile(from);
          throw new Error('killed before rename');
        },
      },
    });

    await expect(storage.put(bytes)).rejects.toSatisfy(StorageUnavailable.is);

    // The complete content had been written and synced to the temporary name, never to the final one.
    expect(tempSeen).toEqual(bytes);
    expect(await exists(finalPath(root, sha))).toBe(false);
    expect(await storage.get(sha)).toBeUndefined();
  });

  it('given the first document of a new shard, when put, then the new directories and the parents holding them are synced', async () => {
    const synced: string[] = [];
    const storage = filesystemDocumentStorage({
      root: join(root, 'documents'),
      steps: {
        syncDirectory: async (path) => {
          synced.push(path.slice(root.length));
        },
      },
    });
    const { sha256: sha } = await storage.put(Buffer.from('%PDF-1.7 first of its shard'));
    const shard = `/documents/${sha.slice(0, 2)}/${sha.slice(2, 4)}`;
    // `documents` was created too (the root did not exist): its parent holds its new entry.
    expect(synced).toEqual([shard, `/documents/${sha.slice(0, 2)}`, '/documents', '']);

    // A second document in the same shard (content searched for its prefix): only the shard gains an entry.
    let n = 0;
    while (sha256(Buffer.from(`%PDF-1.7 neighbour ${n}`)).slice(0, 4) !== sha.slice(0, 4)) n++;
    synced.length = 0;
    await storage.put(Buffer.from(`%PDF-1.7 neighbour ${n}`));
    expect(synced).toEqual([shard]);
  });

  it('given a name that is not a SHA-256, when read, then nothing is returned and no path is built from it', async () => {
    const storage = filesystemDocumentStorage({ root });
    await storage.put(Buffer.from('%PDF-1.7 x'));

    expect(await storage.get('../../etc/passwd')).toBeUndefined();
    expect(await storage.has('ABCDEF')).toBe(false);
    expect(await storage.get('0'.repeat(64))).toBeUndefined();
  });
});
