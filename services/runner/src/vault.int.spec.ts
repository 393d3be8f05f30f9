/**
 * The personal-data vault of embedded mode (`sqlitePersonalDataVault` on the embedded store's file): sealed at
 * rest, every read logged in the read's own transaction, erasure by destroying the data key, and the master key
 * kept across restarts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedEventStore, embeddedEventStore } from '@onestop/event-store';
import {
  PersonalDataErased,
  PersonalDataNotFound,
  PersonalDataUndecryptable,
  sqlitePersonalDataVault,
} from '@onestop/intake';
import { createTestClock } from '@onestop/service-kit';
import { parseMasterKey } from '@onestop/vault';
import { afterEach, describe, expect, it } from 'vitest';
import { devVaultMasterKey } from './secrets.js';

const dirs: string[] = [];
const stores: EmbeddedEventStore[] = [];

afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function openStore(): Promise<{ store: EmbeddedEventStore; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'onestop-vault-'));
  dirs.push(dataDir);
  const store = embeddedEventStore({ dataDir });
  stores.push(store);
  return { store, dataDir };
}

const APPLICANT = '0190c2a4-6f1e-8000-8000-000000000001';
const OTHER = '0190c2a4-6f1e-8000-8000-000000000002';
const data = {
  fullName: 'Phạm Minh Châu',
  idNumber: '056200009999',
  phone: '0912345678',
  address: '1 Lý Tự Trọng',
};
const admin = { actor: { id: 'admin-1', role: 'admin' }, purpose: 'kiểm tra' };
const NOW = new Date('2026-03-09T02:00:00.000Z');

describe('the embedded personal-data vault', () => {
  it('given stored data, then the file holds ciphertext only, a read returns it and is logged with who, when and why', async () => {
    const { store } = await openStore();
    const vault = sqlitePersonalDataVault({
      db: store,
      masterKey: randomBytes(32),
      clock: createTestClock(NOW, () => 0),
    });
    await vault.put(APPLICANT, data);

    const { rows } = await store.query('SELECT sealed_data, wrapped_key FROM personal_data');
    expect(rows).toHaveLength(1);
    const raw = Buffer.concat(Object.values(rows[0] ?? {}).filter((v) => Buffer.isBuffer(v))).toString(
      'latin1',
    );
    expect(raw).not.toContain(data.idNumber);
    expect(raw).not.toContain('Minh');

    const read = await vault.get(APPLICANT, { ...admin, dossierId: OTHER });
    expect(read).toEqual(data);
    expect(await vault.accessLog({ applicantId: APPLICANT })).toEqual([
      {
        id: expect.any(String),
        applicantId: APPLICANT,
        action: 'read',
        actorId: 'admin-1',
        actorRole: 'admin',
        actorUnitId: null,
        purpose: 'kiểm tra',
        dossierId: OTHER,
        at: NOW,
      },
    ]);
    await expect(vault.get(OTHER, admin)).rejects.toSatisfy(PersonalDataNotFound.is);
  });

  it('given an erasure, then the data cannot be read (and the attempt is logged) while a new put starts anew', async () => {
    const { store } = await openStore();
    const vault = sqlitePersonalDataVault({
      db: store,
      masterKey: randomBytes(32),
      clock: createTestClock(NOW, () => 0),
    });
    await vault.put(APPLICANT, data);
    const { erasedAt } = await vault.erase(APPLICANT, admin);
    expect(erasedAt).toEqual(NOW);
    expect((await vault.erase(APPLICANT, admin)).erasedAt).toEqual(NOW);
    await expect(vault.get(APPLICANT, admin)).rejects.toSatisfy(PersonalDataErased.is);
    expect((await vault.accessLog({ applicantId: APPLICANT })).map((e) => e.action)).toEqual([
      'read_erased',
      'erase',
    ]);

    await vault.put(APPLICANT, { fullName: 'Phạm Minh Châu', idNumber: '056200009999' });
    expect(await vault.get(APPLICANT, admin)).toEqual({
      fullName: 'Phạm Minh Châu',
      idNumber: '056200009999',
    });
  });

  it('given another master key, then the data is undecryptable, never silently wrong', async () => {
    const { store } = await openStore();
    const clock = createTestClock(NOW, () => 0);
    await sqlitePersonalDataVault({ db: store, masterKey: randomBytes(32), clock }).put(APPLICANT, data);
    const stranger = sqlitePersonalDataVault({ db: store, masterKey: randomBytes(32), clock });
    await expect(stranger.get(APPLICANT, admin)).rejects.toSatisfy(PersonalDataUndecryptable.is);
  });

  it('given no configured key, then embedded mode generates one once, readable by its owner only, and reuses it', async () => {
    const { dataDir } = await openStore();
    const [first, racing] = await Promise.all([devVaultMasterKey(dataDir), devVaultMasterKey(dataDir)]);
    expect(racing).toBe(first);
    expect(parseMasterKey(first)).toHaveLength(32);
    expect(await devVaultMasterKey(dataDir)).toBe(first);
    const file = join(dataDir, 'vault-master-key');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(first);
  });
});
