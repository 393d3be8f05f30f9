import { postgresEventStore } from '@onestop/event-store';
import { uuidv7Ids } from '@onestop/service-kit';
import { databaseUrl } from '@onestop/testing';
import { describe, expect, it } from 'vitest';
import { birthRegistration, newKey, units, useIntakeHarness } from '../fixtures/harness.js';
import { dossierCodeAllocator, MAX_SPARE, sequenceStreamId } from './sequence.js';

const h = useIntakeHarness();

describe('dossier codes', () => {
  it('given 50 receipts at one centre at once, then they get 50 distinct codes 0001..0050', async () => {
    h.current.clock.set(new Date('2025-07-03T01:30:00.000Z'));
    const token = await h.current.token('clerk', units.phanRangCentre);
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        h.current.app.inject({
          method: 'POST',
          url: '/v1/intake/dossiers',
          headers: { authorization: `Bearer ${token}`, 'idempotency-key': newKey() },
          payload: birthRegistration({ receivingUnitId: units.phanRangCentre }),
        }),
      ),
    );
    expect(responses.every((r) => r.statusCode === 201)).toBe(true);
    const codes = responses.map((r) => String(r.json().dossierCode)).sort();
    const expected = Array.from(
      { length: 50 },
      (_, i) => `000.22738.H34-250703-${String(i + 1).padStart(4, '0')}`,
    );
    expect(codes).toEqual(expected);
  });

  it('given two processes drawing for the same unit and day, then no code is drawn twice and the blocks tile the sequence', async () => {
    // A second store and allocator on the same schema stand for a second service instance.
    const other = postgresEventStore({ connectionString: databaseUrl(), schema: h.current.store.schema });
    try {
      const a = dossierCodeAllocator(h.current.store, uuidv7Ids);
      const b = dossierCodeAllocator(other, uuidv7Ids);
      const receivedAt = new Date('2025-07-04T03:00:00.000Z');
      const draws = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (i % 2 === 0 ? a : b).next({ unitCode: '000.22333.H34', receivedAt }),
        ),
      );
      expect(new Set(draws).size).toBe(30);
      const stream = await h.current.store.readStream(sequenceStreamId('000.22333.H34-250704'));
      const blocks = stream.map((e) => ({ first: Number(e.data.first), last: Number(e.data.last) }));
      // Each block starts right after the previous one: numbers are reserved once, in order, with no overlap.
      blocks.forEach((block, i) => {
        expect(block.first).toBe(i === 0 ? 1 : (blocks[i - 1]?.last ?? 0) + 1);
        expect(block.last).toBeGreaterThanOrEqual(block.first);
      });
      // Concurrent draws share reservations instead of appending one event each.
      expect(blocks.length).toBeLessThan(30);
      const reserved = (n: number) => blocks.some((block) => block.first <= n && n <= block.last);
      expect(draws.map((c) => Number(c.slice(-4))).every(reserved)).toBe(true);
      // Unused spares are all a gap can be: at most MAX_SPARE per process.
      expect(blocks.at(-1)?.last ?? 0).toBeLessThanOrEqual(30 + 2 * MAX_SPARE);
    } finally {
      await other.close();
    }
  });

  it('given a process that restarts, then its first code follows every number reserved before, never reusing one', async () => {
    const receivedAt = new Date('2025-07-08T03:00:00.000Z');
    const before = dossierCodeAllocator(h.current.store, uuidv7Ids);
    const first = await Promise.all(
      Array.from({ length: 12 }, () => before.next({ unitCode: '000.22333.H34', receivedAt })),
    );
    expect(first.map((c) => Number(c.slice(-4))).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    const [lastBlock] = (await h.current.store.readStream(sequenceStreamId('000.22333.H34-250708'))).slice(
      -1,
    );
    const restarted = dossierCodeAllocator(h.current.store, uuidv7Ids);
    const after = await restarted.next({ unitCode: '000.22333.H34', receivedAt });
    expect(Number(after.slice(-4))).toBe(Number(lastBlock?.data.last) + 1);
    expect(Number(after.slice(-4)) - 12).toBeLessThanOrEqual(MAX_SPARE + 1);
  });

  it('given draws one after another, then spares grow to MAX_SPARE and the codes stay dense', async () => {
    const allocator = dossierCodeAllocator(h.current.store, uuidv7Ids);
    const receivedAt = new Date('2025-07-09T03:00:00.000Z');
    const codes: string[] = [];
    for (let i = 0; i < 100; i++) codes.push(await allocator.next({ unitCode: '000.22333.H34', receivedAt }));
    expect(codes.map((c) => Number(c.slice(-4)))).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const blocks = await h.current.store.readStream(sequenceStreamId('000.22333.H34-250709'));
    // 1, 2, 3, 5, 9 numbers while the spare doubles, then MAX_SPARE + 1 per reservation.
    expect(blocks.length).toBeLessThanOrEqual(5 + Math.ceil((100 - 20) / (MAX_SPARE + 1)));
    expect(Math.max(...blocks.map((e) => Number(e.data.last) - Number(e.data.first) + 1))).toBe(
      MAX_SPARE + 1,
    );
  });

  it('given a new reception day, then the sequence starts again at 0001', async () => {
    const allocator = dossierCodeAllocator(h.current.store, uuidv7Ids);
    const code = await allocator.next({
      unitCode: '000.22333.H34',
      receivedAt: new Date('2025-07-07T01:00:00.000Z'),
    });
    expect(code).toBe('000.22333.H34-250707-0001');
  });
});
