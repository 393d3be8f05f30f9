import { embeddedEventStore } from '@onestop/event-store';
import { afterAll, describe, expect, it } from 'vitest';
import { receivedDossiersTable } from './received-dossiers.js';

// The same SQL runs on the embedded store (SQLite in memory here); the PostgreSQL path is covered by the int specs.
const store = embeddedEventStore({});
afterAll(() => store.close());

const data = {
  dossierCode: '000.00.01.H34-250915-0001',
  procedureCode: '2.000488',
  procedureVersion: '2025.07',
  channel: 'desk' as const,
  receivingUnitId: 'kh.ttpvhcc',
  competentUnitId: 'kh.so-tu-phap',
  crossBoundary: false,
  applicantId: '0199a0b0-0000-4000-8000-000000000001',
  applicantType: 1 as const,
  components: [{ code: 'to-khai-lltp', provided: true, required: true }],
  limit: { value: 10, unit: 'working_days' as const },
  calendarVersion: 'vn-2025',
  startAt: '2025-09-15T02:00:00.000Z',
  statutoryDueAt: '2025-09-29T02:00:00.000Z',
};

describe('receivedDossiersTable on the embedded store', () => {
  it('given a receipt remembered twice and a withdrawal marked twice, then the first of each is kept', async () => {
    const table = receivedDossiersTable(store);
    const dossierId = '0199a0b0-0000-7000-8000-000000000001';
    await table.remember(dossierId, '2025-09-15T02:00:00.000Z', data);
    await table.remember(dossierId, '2025-09-16T02:00:00.000Z', {
      ...data,
      competentUnitId: 'kh.so-tai-chinh',
    });
    expect(await table.find(dossierId)).toEqual({ dossierId, receivedAt: '2025-09-15T02:00:00.000Z', data });

    await table.markWithdrawn(dossierId, '2025-09-17T02:00:00.000Z');
    await table.markWithdrawn(dossierId, '2025-09-18T02:00:00.000Z');
    expect((await table.find(dossierId))?.withdrawnAt).toBe('2025-09-17T02:00:00.000Z');
  });

  it('when an unknown dossier is looked up, then undefined', async () => {
    expect(await receivedDossiersTable(store).find('0199a0b0-0000-7000-8000-000000000002')).toBeUndefined();
  });
});
