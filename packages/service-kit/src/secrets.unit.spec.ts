import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { persistentSecret } from './secrets.js';

describe('persistentSecret', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'onestop-secrets-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('given no secret yet, then it is generated into a file only its owner can read, and kept on the next start', async () => {
    const dataDir = join(dir, 'data');
    const first = await persistentSecret(dataDir, 'vault-master-key', () => 'first-value');
    const again = await persistentSecret(dataDir, 'vault-master-key', () => 'another-value');
    expect(first).toBe('first-value');
    expect(again).toBe('first-value');
    expect((await stat(join(dataDir, 'vault-master-key'))).mode & 0o777).toBe(0o600);
  });

  it('given several starters at once, then they all end up with the same secret and no temporary file is left', async () => {
    const secrets = await Promise.all(
      Array.from({ length: 10 }, (_, i) => persistentSecret(dir, 'dev-jwt-secret', () => `value-${i}`)),
    );
    expect(new Set(secrets).size).toBe(1);
    expect(await readdir(dir)).toEqual(['dev-jwt-secret']);
  });
});
