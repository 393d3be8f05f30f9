import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoUnitIds } from '@onestop/catalog';
import { signDevToken } from '@onestop/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusStatus } from './bus.js';
import { type EmbeddedSystem, startEmbedded } from './embedded.js';
import { receiveCriminalRecord, waitFor } from './testing/client.js';

let dataDir: string;
let system: EmbeddedSystem;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'onestop-feedback-'));
  system = await startEmbedded({ dataDir, testClock: true, logger: false });
});
afterAll(async () => {
  await system?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const caughtUp = (name: string, status: () => Promise<BusStatus>) =>
  waitFor(name, async () => {
    const s = await status();
    return s.caughtUp && s.lag === 0 ? s : undefined;
  });

describe('embedded mode: feedback', () => {
  it('given a received dossier, when feedback about it is filed and accepted, then the bus and the projection take its events without dead letters', async () => {
    const { app, jwtSecret } = system;
    await app.inject({ method: 'POST', url: '/v1/dev/clock', payload: { now: '2026-03-09T09:00:00+07:00' } });
    const { dossierId } = await receiveCriminalRecord(system, 'feedback-1', 1);
    await caughtUp('the bus to remember the dossier', () => system.bus.status());
    const clerk = await signDevToken(
      { sub: 'c1', roles: ['clerk'], unitId: demoUnitIds.nhaTrangCentre },
      jwtSecret,
    );

    const filed = await app.inject({
      method: 'POST',
      url: '/v1/feedback',
      headers: { authorization: `Bearer ${clerk}` },
      payload: { subject: { kind: 'dossier', dossierId }, channel: 'desk', content: 'Slow desk.' },
    });
    expect(filed.statusCode).toBe(201);
    expect(filed.json()).toMatchObject({ responsibleUnitId: demoUnitIds.justice, status: 'filed' });
    const officer = await signDevToken(
      { sub: 's1', roles: ['specialist'], unitId: demoUnitIds.justice },
      jwtSecret,
    );
    const accepted = await app.inject({
      method: 'POST',
      url: `/v1/feedback/${filed.json().feedbackId}/accept`,
      headers: { authorization: `Bearer ${officer}` },
      payload: {},
    });
    expect(accepted.statusCode).toBe(200);

    const bus = await caughtUp('the bus', () => system.bus.status());
    const projection = await caughtUp('the projection', () => system.projection.status());
    expect(bus.metrics.deadLettered).toBe(0);
    expect(projection.metrics.deadLettered).toBe(0);
    const { events } = await system.store.readAll();
    const feedback = events.filter((e) => e.type.startsWith('Feedback'));
    expect(feedback.map((e) => [e.type, e.metadata.dossierId])).toEqual([
      ['FeedbackFiled', dossierId],
      ['FeedbackAccepted', dossierId],
    ]);
  });

  it('given a dossier the bus never saw, then filing feedback about it is 422', async () => {
    const clerk = await signDevToken(
      { sub: 'c1', roles: ['clerk'], unitId: demoUnitIds.nhaTrangCentre },
      system.jwtSecret,
    );
    const res = await system.app.inject({
      method: 'POST',
      url: '/v1/feedback',
      headers: { authorization: `Bearer ${clerk}` },
      payload: {
        subject: { kind: 'dossier', dossierId: '0195a1b2-0000-4000-8000-0000000000aa' },
        channel: 'desk',
        content: 'x',
      },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('FB_SUBJECT_UNKNOWN');
  });

  it('given a received dossier, when a citizen files feedback with its code and receipt secret, then the competent unit has it and the file holds the text sealed', async () => {
    const { app, store } = system;
    const { dossierCode, receipt } = await receiveCriminalRecord(system, 'feedback-public-1', 2);
    await caughtUp('the bus to remember the dossier', () => system.bus.status());

    const content = 'Tôi, Hoàng Thị Em, chờ ở bộ phận một cửa hai giờ.';
    const filed = await app.inject({
      method: 'POST',
      url: '/v1/public/feedback',
      payload: { subject: { kind: 'dossier', dossierCode, secret: receipt.tracking?.secret }, content },
    });

    expect(filed.statusCode).toBe(201);
    expect(filed.json().feedback).toMatchObject({
      subject: { kind: 'dossier', dossierCode },
      responsibleUnitId: demoUnitIds.justice,
    });
    const { rows } = await store.query('SELECT sealed_data, wrapped_key FROM feedback_filer_data');
    const sealed = Buffer.concat(rows.flatMap((row) => Object.values(row).filter((v) => Buffer.isBuffer(v))));
    expect(sealed.length).toBeGreaterThan(100);
    expect(sealed.includes(Buffer.from('Hoàng Thị Em', 'utf8'))).toBe(false);
    const status = await app.inject({
      method: 'GET',
      url: `/v1/public/feedback/${filed.json().reference}?secret=${filed.json().followUpSecret}`,
    });
    expect(status.json()).toMatchObject({ status: 'filed', reference: filed.json().reference });
  });
});
