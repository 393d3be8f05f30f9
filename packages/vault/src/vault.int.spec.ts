/**
 * The shared vault on both stores it runs on (PostgreSQL in stack mode, the embedded store's SQLite file), under a
 * layout and error set of the test's own: what intake and feedback both rely on. Intake's and feedback's own specs
 * cover their routes; this one covers amendment and discarding, which intake does not use, and `ifAbsent` on both.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineError } from '@onestop/domain';
import { embeddedEventStore, postgresEventStore } from '@onestop/event-store';
import { useTestSchema } from '@onestop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { SealedVault, VaultErrors, VaultOptions } from './port.js';
import { postgresVault } from './postgres.js';
import { sqliteVault } from './sqlite.js';

const Note = z.object({ text: z.string(), extra: z.string().optional() });
type Note = z.infer<typeof Note>;

const Missing = defineError<{ ownerId: string }>('TEST_MISSING', 'not_found');
const Erased = defineError<{ ownerId: string; erasedAt: string }>('TEST_ERASED', 'not_found');
const Unreadable = defineError<{ ownerId: string }>('TEST_UNREADABLE', 'internal');
const errors: VaultErrors = {
  notFound: (ownerId) => Missing('missing', { details: { ownerId } }),
  erased: (ownerId, erasedAt) => Erased('erased', { details: { ownerId, erasedAt } }),
  undecryptable: (ownerId, cause) => Unreadable('unreadable', { details: { ownerId }, cause }),
};

const NOW = new Date('2026-03-09T02:00:00.000Z');
const options = (masterKey: Buffer): VaultOptions<Note> => ({
  masterKey,
  clock: { now: () => NOW },
  layout: { dataTable: 'notes', logTable: 'notes_log', ownerColumn: 'writer_id', referenceColumn: 'case_id' },
  record: Note,
  errors,
});
const access = { actor: { id: 'officer-1', role: 'specialist', unitId: 'kh.so-tu-phap' }, purpose: 'test' };

const schema = useTestSchema('vault_shared');
let dataDir: string;
const closers: (() => Promise<void>)[] = [];
const backends: Record<'postgres' | 'sqlite', (masterKey: Buffer) => SealedVault<Note>> = {
  postgres: () => {
    throw new Error('not started');
  },
  sqlite: () => {
    throw new Error('not started');
  },
};

beforeAll(async () => {
  const pg = postgresEventStore({
    connectionString: schema.current.connectionString,
    schema: schema.current.schema,
  });
  await pg.ready();
  dataDir = await mkdtemp(join(tmpdir(), 'onestop-vault-shared-'));
  const sqlite = embeddedEventStore({ dataDir });
  await sqlite.ready();
  closers.push(
    () => pg.close(),
    () => sqlite.close(),
  );
  backends.postgres = (masterKey) => postgresVault({ ...options(masterKey), db: pg });
  backends.sqlite = (masterKey) => sqliteVault({ ...options(masterKey), db: sqlite });
});
afterAll(async () => {
  for (const close of closers) await close();
  await rm(dataDir, { recursive: true, force: true });
});

describe.each(['postgres', 'sqlite'] as const)('the shared vault on %s', (backend) => {
  const key = randomBytes(32);
  const vault = () => backends[backend](key);

  it('given data, when amended, then the change is sealed anew, an amend is logged, and a read returns it', async () => {
    const owner = randomUUID();
    const reference = randomUUID();
    await vault().put(owner, { text: 'first' });

    await vault().amend(owner, (note) => ({ ...note, extra: 'added' }), { ...access, reference });

    expect(await vault().get(owner, access)).toEqual({ text: 'first', extra: 'added' });
    expect((await vault().accessLog({ ownerId: owner })).map((e) => [e.action, e.reference])).toEqual([
      ['read', null],
      ['amend', reference],
    ]);
  });

  it('given an erased owner, then an amendment is refused with the erased error and nothing comes back', async () => {
    const owner = randomUUID();
    await vault().put(owner, { text: 'x' });
    await vault().erase(owner, access);
    await expect(vault().amend(owner, () => ({ text: 'back' }), access)).rejects.toSatisfy(Erased.is);
    await expect(vault().get(owner, access)).rejects.toSatisfy(Erased.is);
  });

  it('given a discarded row, then it is gone without a log row; an unknown owner is the not-found error', async () => {
    const owner = randomUUID();
    await vault().put(owner, { text: 'written for a request that failed' });
    await vault().discard(owner);
    await expect(vault().get(owner, access)).rejects.toSatisfy(Missing.is);
    expect(await vault().accessLog({ ownerId: owner })).toEqual([]);
  });

  it('given puts ifAbsent, then only an owner with no row is written, and a plain put in the same batch wins', async () => {
    const [present, erased, absent] = [randomUUID(), randomUUID(), randomUUID()];
    await vault().put(present, { text: 'current' });
    await vault().put(erased, { text: 'forgotten' });
    await vault().erase(erased, access);
    const outcomes = await Promise.all([
      vault().put(present, { text: 'stale' }, { ifAbsent: true }),
      vault().put(erased, { text: 'back' }, { ifAbsent: true }),
      vault().put(absent, { text: 'new' }, { ifAbsent: true }),
    ]);
    expect(outcomes.map((o) => o.stored)).toEqual([false, false, true]);
    expect((await vault().get(present, access)).text).toBe('current');
    await expect(vault().get(erased, access)).rejects.toSatisfy(Erased.is);
    expect((await vault().get(absent, access)).text).toBe('new');

    const [plain, late] = await Promise.all([
      vault().put(present, { text: 'newer' }),
      vault().put(present, { text: 'older' }, { ifAbsent: true }),
    ]);
    expect([plain.stored, late.stored]).toEqual([true, false]);
    expect((await vault().get(present, access)).text).toBe('newer');
  });

  it('given another master key, then reads are the undecryptable error, never wrong data', async () => {
    const owner = randomUUID();
    await vault().put(owner, { text: 'sealed' });
    await expect(backends[backend](randomBytes(32)).get(owner, access)).rejects.toSatisfy(Unreadable.is);
  });

  it('given a layout name that is not a plain identifier, then the vault is not built', () => {
    expect(() =>
      postgresVault({
        ...options(key),
        layout: { ...options(key).layout, dataTable: 'notes; drop table x' },
        db: {
          schema: 'x',
          withTransaction: () => Promise.reject(new Error('unused')),
          query: () => Promise.reject(new Error('unused')),
        },
      }),
    ).toThrow(/not a plain SQL identifier/);
  });
});
