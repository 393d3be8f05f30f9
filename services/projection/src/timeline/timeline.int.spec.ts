/** Given a dossier's events from all four services, then its timeline shows the national status after each. */

import { randomUUID } from 'node:crypto';
import { demoUnitIds } from '@onestop/catalog';
import { beforeAll, describe, expect, it } from 'vitest';
import { get, token, useProjection } from '../testing/harness.js';
import { DossierScenario, vn } from '../testing/scenario.js';

describe('GET /v1/dossiers/{id}/timeline', () => {
  const p = useProjection('postgres', new Date(vn('2025-09-17T12:00')));
  const d = new DossierScenario({ receivedAt: '2025-09-15T09:00' })
    .transferAndOpen('2025-09-15T09:30')
    .digitize('2025-09-15T09:40', 'phieu-yeu-cau')
    .requestSupplement('2025-09-15T10:00')
    .receiveSupplement('2025-09-15T14:00')
    .requestPayment('2025-09-15T15:00')
    .confirmPayment('2025-09-15T15:30', true)
    .decide('2025-09-16T09:00')
    .returnResult('2025-09-16T10:00', 2);

  beforeAll(async () => {
    // Delivered out of business-time order (another service's partition lagging): the timeline reorders.
    await p.current.apply([...d.events.slice(3), ...d.events.slice(0, 3)]);
  });

  it('given events from four services, then they are merged in business time with the status after each', async () => {
    const { status, body } = await get(
      p.current,
      `/v1/dossiers/${d.dossierId}/timeline`,
      await token(['analyst']),
    );
    expect(status).toBe(200);
    expect(
      body.events.map((e: { type: string; nationalStatus: number }) => [e.type, e.nationalStatus]),
    ).toEqual([
      ['DossierReceived', 2],
      ['DossierTransferred', 4],
      ['CaseOpened', 4],
      ['ComponentDigitized', 4],
      ['SupplementRequested', 5],
      ['SupplementReceived', 4],
      ['PaymentRequested', 6],
      ['PaymentConfirmed', 4],
      ['DossierDecided', 9],
      ['ResultSentToDesk', 9],
      ['ResultReceivedAtDesk', 9],
      ['ResultReturned', 10],
      ['SatisfactionRated', 10],
    ]);
    expect(body).toMatchObject({ nationalStatus: 10, nationalStatusLabel: 'result returned' });
    expect(body.dossierCode).toMatch(/^000\.00\.01\.H34-250915-\d{4}$/);
  });

  it('when the clock is set before the decision, then the current status is the one in force then', async () => {
    p.current.clock.set(new Date(vn('2025-09-15T10:30')));
    const { body } = await get(p.current, `/v1/dossiers/${d.dossierId}/timeline`, await token(['admin']));
    p.current.clock.set(new Date(vn('2025-09-17T12:00')));
    expect(body.nationalStatus).toBe(5);
  });

  it('when read by a leader of the competent unit, another unit, or for an unknown dossier, then 200, 403, 404', async () => {
    const url = `/v1/dossiers/${d.dossierId}/timeline`;
    expect(
      (await get(p.current, url, await token(['leader'], demoUnitIds.agricultureEnvironment))).status,
    ).toBe(200);
    expect((await get(p.current, url, await token(['leader'], demoUnitIds.justice))).status).toBe(403);
    expect((await get(p.current, url)).status).toBe(401);
    const missing = await get(p.current, `/v1/dossiers/${randomUUID()}/timeline`, await token(['analyst']));
    expect([missing.status, missing.body.code]).toEqual([404, 'COMMON_NOT_FOUND']);
    const bad = await get(p.current, '/v1/dossiers/not-a-uuid/timeline', await token(['analyst']));
    expect([bad.status, bad.body.details.issues[0].path]).toEqual([400, 'params.id']);
  });
});
