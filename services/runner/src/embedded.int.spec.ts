import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signDevToken } from '@onestop/service-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type EmbeddedSystem, startEmbedded } from './embedded.js';
import { receiveCriminalRecord, waitFor } from './testing/client.js';

const dirs: string[] = [];
const systems: EmbeddedSystem[] = [];

async function start(testClock: boolean): Promise<EmbeddedSystem> {
  const dataDir = await mkdtemp(join(tmpdir(), 'onestop-embedded-'));
  dirs.push(dataDir);
  const system = await startEmbedded({ dataDir, testClock, logger: false });
  systems.push(system);
  return system;
}

afterEach(async () => {
  await Promise.all(systems.splice(0).map((s) => s.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('embedded mode', () => {
  it('serves the catalogue to a signed-in user, searching without accents', async () => {
    const { app, jwtSecret } = await start(false);
    const token = await signDevToken({ sub: 'a1', roles: ['analyst'] }, jwtSecret);
    const res = await app.inject({
      url: '/v1/catalog/procedures?q=ho%20tich',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
    const names = res.json<{ procedures: Array<{ field: string; limit: { unit: string } }> }>().procedures;
    expect(names.length).toBeGreaterThan(0);
    expect(names.every((p) => p.field.toLowerCase().includes('hộ tịch'))).toBe(true);

    const units = await app.inject({
      url: '/v1/catalog/units',
      headers: { authorization: `Bearer ${token}` },
    });
    const list = units.json<{
      units: Array<{ id: string; successorId: string | null; validTo: string | null }>;
    }>().units;
    // the 2025 merger: ended units point at their successor
    expect(list.some((u) => u.validTo !== null && u.successorId !== null)).toBe(true);
    expect((await app.inject({ url: '/v1/catalog/units' })).statusCode).toBe(401);
  });

  it('issues dev tokens only for real units, and refuses desk roles without a unit', async () => {
    const { app } = await start(false);
    const ok = await app.inject({ method: 'POST', url: '/v1/dev/token', payload: { role: 'analyst' } });
    expect(ok.statusCode).toBe(200);
    const noUnit = await app.inject({ method: 'POST', url: '/v1/dev/token', payload: { role: 'clerk' } });
    expect(noUnit.statusCode).toBe(400);
    expect(noUnit.json()).toMatchObject({ details: { issues: [{ path: 'body.unitId' }] } });
    const unknown = await app.inject({
      method: 'POST',
      url: '/v1/dev/token',
      payload: { role: 'clerk', unitId: 'nope' },
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('given ONESTOP_TEST_CLOCK, when the clock is set, then business time moves; otherwise the path is 404', async () => {
    const plain = await start(false);
    expect(
      (
        await plain.app.inject({
          method: 'POST',
          url: '/v1/dev/clock',
          payload: { now: '2026-03-02T09:00:00+07:00' },
        })
      ).statusCode,
    ).toBe(404);

    const test = await start(true);
    const res = await test.app.inject({
      method: 'POST',
      url: '/v1/dev/clock',
      payload: { now: '2026-03-02T09:00:00+07:00' },
    });
    expect(res.statusCode).toBe(200);
    const now = test.clock.now().getTime();
    expect(now - Date.parse('2026-03-02T02:00:00Z')).toBeGreaterThanOrEqual(0);
    expect(now - Date.parse('2026-03-02T02:00:00Z')).toBeLessThan(5_000);
    const bad = await test.app.inject({
      method: 'POST',
      url: '/v1/dev/clock',
      payload: { now: 'yesterday' },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('keeps its signing secret across restarts, so tokens stay valid', async () => {
    const first = await start(false);
    const dataDir = dirs[0] ?? '';
    const secret = first.jwtSecret;
    await first.close();
    systems.splice(0);
    const again = await startEmbedded({ dataDir, logger: false });
    systems.push(again);
    expect(again.jwtSecret).toBe(secret);
  });

  it("given intake's bookkeeping events in the store, when the bus reads them, then it passes over them (nothing dead-lettered) and readiness reports it caught up", async () => {
    const system = await start(true);
    const { app } = system;
    await app.inject({ method: 'POST', url: '/v1/dev/clock', payload: { now: '2026-03-09T09:00:00+07:00' } });
    const { dossierId } = await receiveCriminalRecord(system, 'bus-skip-1', 1);

    const status = await waitFor('the bus to catch up', async () => {
      const s = await system.bus.status();
      return s.caughtUp && s.lag === 0 ? s : undefined;
    });
    const { events } = await system.store.readAll();
    expect(events.map((e) => e.type).sort()).toEqual([
      'DossierCodeDrawn',
      'DossierReceived',
      'IdempotencyKeyClaimed',
    ]);
    expect(status.metrics.applied).toBe(3);
    expect(status.metrics.deadLettered).toBe(0);
    const tables = await system.store.query(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'store_consumer_dead_letters'",
    );
    expect(tables.rows).toHaveLength(0);
    const remembered = await system.store.query('SELECT dossier_id FROM processing_received_dossiers');
    expect(remembered.rows).toEqual([{ dossier_id: dossierId }]);

    const ready = await app.inject({ url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    const bus = z
      .object({ checks: z.object({ bus: z.object({ ok: z.boolean(), detail: z.string() }) }) })
      .parse(ready.json()).checks.bus;
    expect(bus.ok).toBe(true);
    expect(bus.detail).toMatch(/^caught up; lag 0 events \(position 3 of 3\)/);
  });
});
