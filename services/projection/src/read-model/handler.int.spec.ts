/**
 * Given events, then rows: the handler against PostgreSQL (the PostgreSQL store's transaction) and SQLite (the
 * embedded store's), with the same expectations.
 */
import { demoUnitIds } from '@onestop/catalog';
import { describe, expect, it } from 'vitest';
import { BACKENDS, useProjection } from '../testing/harness.js';
import { DossierScenario, guidance, refusal, vn } from '../testing/scenario.js';

const HOUR = 3_600_000;
const AG_ENV = demoUnitIds.agricultureEnvironment;
const CENTRE = demoUnitIds.provincialCentre;

describe.each(BACKENDS)('projection handler on %s', (backend) => {
  const p = useProjection(backend, new Date(vn('2025-09-16T15:00')));

  it('given a dossier received, transferred and decided the same day, then its row is early, status 9, and the day counts it', async () => {
    const d = new DossierScenario({ receivedAt: '2025-09-15T09:00', channel: 'online' })
      .transferAndOpen('2025-09-15T09:00')
      .digitize('2025-09-15T09:05', 'phieu-yeu-cau')
      .digitize('2025-09-15T09:06', 'hop-dong-bao-dam', 'reused')
      .decide('2025-09-15T16:00')
      .digitizeResult('2025-09-15T16:10');
    await p.current.apply(d.events);

    const [row] = await p.current.rows('dossiers', `dossier_id = '${d.dossierId}'`);
    expect(row).toMatchObject({
      competent_unit_id: AG_ENV,
      receiving_unit_id: CENTRE,
      national_status: 9,
      classification: 'early',
      ended_by: 'DossierDecided',
      statutory_due_ms: Date.parse(vn('2025-09-16T09:00')),
      ended_at_ms: Date.parse(vn('2025-09-15T16:00')),
      // 09:00–11:30 and 13:30–16:00: 5 working hours.
      elapsed_working_ms: 5 * HOUR,
      all_required_digitized: 1,
      any_reused: 1,
      electronic_result: 1,
      digitized: 1,
      overdue_from_ms: null,
    });
    const [day] = await p.current.rows('unitDaily', `competent_unit_id = '${AG_ENV}' and day = '2025-09-15'`);
    expect(day).toMatchObject({ received: 1, ended: 1, early: 1, on_time: 0, late: 0, online: 1, reused: 1 });
    expect(await p.current.rows('events', `dossier_id = '${d.dossierId}'`)).toHaveLength(d.events.length);
  });

  it('given the same events delivered twice, then no table changes', async () => {
    const d = new DossierScenario({ receivedAt: '2025-09-22T09:00' })
      .transferAndOpen('2025-09-22T09:30')
      .requestSupplement('2025-09-22T10:00')
      .receiveSupplement('2025-09-23T10:00')
      .decide('2025-09-23T15:00');
    await p.current.apply(d.events);
    const snapshot = async () =>
      Promise.all(
        (['dossiers', 'events', 'unitDaily', 'intakeDaily', 'officerSteps'] as const).map((t) =>
          p.current.rows(t),
        ),
      );
    const before = await snapshot();
    await p.current.apply(d.events);
    await p.current.apply([...d.events].reverse());
    expect(await snapshot()).toEqual(before);
  });

  it('given a supplement requested and received a working day later, then the clock paused 8 h and the due moved a day', async () => {
    const d = new DossierScenario({ receivedAt: '2025-09-29T09:00' })
      .transferAndOpen('2025-09-29T09:00')
      .requestSupplement('2025-09-29T10:00')
      .receiveSupplement('2025-09-30T10:00')
      .decide('2025-09-30T16:00');
    await p.current.apply(d.events);
    const [row] = await p.current.rows('dossiers', `dossier_id = '${d.dossierId}'`);
    expect(row).toMatchObject({
      paused_ms: 8 * HOUR,
      statutory_due_ms: Date.parse(vn('2025-10-01T09:00')),
      classification: 'early',
      second_supplement: 0,
    });
    // The appraisal ran 5 working hours of a 4 h budget (net of the pause): a reason, though the dossier was early.
    expect(JSON.parse(String(row?.late_reasons))).toEqual([
      expect.objectContaining({
        kind: 'step_over_budget',
        stepId: 'appraise',
        usedWorkingHours: 5,
        completed: false,
      }),
      { kind: 'paused', pausedWorkingMs: 8 * HOUR },
    ]);
  });

  it('given a refusal and a guidance, then intake counts them and no dossier or unit KPI row exists', async () => {
    const events = [refusal('2025-10-06T09:00', CENTRE), guidance('2025-10-06T09:10', CENTRE)];
    await p.current.apply(events);
    const [intake] = await p.current.rows(
      'intakeDaily',
      `receiving_unit_id = '${CENTRE}' and day = '2025-10-06'`,
    );
    expect(intake).toMatchObject({ received: 0, refused: 1, guided: 1 });
    for (const e of events)
      expect(await p.current.rows('dossiers', `dossier_id = '${e.dossierId}'`)).toEqual([]);
    expect(await p.current.rows('unitDaily', `day = '2025-10-06'`)).toEqual([]);
  });

  it('given a cross-boundary receipt at a ward centre, then KPIs go to the competent unit and intake to the ward centre', async () => {
    const ward = demoUnitIds.nhaTrangCentre;
    const d = new DossierScenario({
      receivedAt: '2025-10-07T09:00',
      receivingUnitId: ward,
      crossBoundary: true,
    }).transferAndOpen('2025-10-07T11:00');
    await p.current.apply(d.events);
    expect(await p.current.rows('unitDaily', `day = '2025-10-07'`)).toEqual([
      expect.objectContaining({ competent_unit_id: AG_ENV, received: 1, ended: 0 }),
    ]);
    expect(await p.current.rows('intakeDaily', `day = '2025-10-07'`)).toEqual([
      expect.objectContaining({
        receiving_unit_id: ward,
        received: 1,
        cross_boundary: 1,
        transferred: 1,
        transfer_latency_ms: 2 * HOUR,
      }),
    ]);
  });

  it('given an open dossier that later ends late, then the day moves it from open to late without counting it twice', async () => {
    const d = new DossierScenario({ receivedAt: '2025-10-08T09:00' }).transferAndOpen('2025-10-08T09:00');
    await p.current.apply(d.events);
    const [open] = await p.current.rows('dossiers', `dossier_id = '${d.dossierId}'`);
    expect(open).toMatchObject({ classification: null, overdue_from_ms: Date.parse(vn('2025-10-09T09:00')) });

    const before = d.events.length;
    d.assign('2025-10-08T09:10', 'appraise', 'officer-a')
      .completeStep('2025-10-09T09:30', 'appraise', 'officer-a', 'sign')
      .completeStep('2025-10-09T10:00', 'sign', 'officer-b')
      .decide('2025-10-09T10:00');
    await p.current.apply(d.events.slice(before));
    const [day] = await p.current.rows('unitDaily', `day = '2025-10-08'`);
    expect(day).toMatchObject({ received: 1, ended: 1, late: 1, late_without_apology: 1 });
    const steps = await p.current.rows('officerSteps', `competent_unit_id = '${AG_ENV}'`);
    // appraise Wed 09:00 → Thu 09:30 = 2.5 + 3.5 + 2.5 h (budget 4 h: late); sign 0.5 h (budget 2 h).
    expect(steps).toEqual([
      expect.objectContaining({
        officer_id: 'officer-a',
        step_id: 'appraise',
        done: 1,
        late: 1,
        working_ms: 8.5 * HOUR,
      }),
      expect.objectContaining({
        officer_id: 'officer-b',
        step_id: 'sign',
        done: 1,
        late: 0,
        working_ms: 0.5 * HOUR,
      }),
    ]);
  });
});
