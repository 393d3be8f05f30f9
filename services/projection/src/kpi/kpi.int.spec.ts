/**
 * Given a week of dossiers of the Department of Agriculture and Environment (procedure 1.012839, 1 working day),
 * then the KPI routes answer, on PostgreSQL and on the embedded store. "Now" is Tue 16 Sep 2025 15:00.
 */
import { demoUnitIds } from '@onestop/catalog';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, get, token, useProjection } from '../testing/harness.js';
import { CRIMINAL_RECORD, DossierScenario, refusal, vn } from '../testing/scenario.js';

const AG_ENV = demoUnitIds.agricultureEnvironment;
const OLD_NRE = demoUnitIds.naturalResourcesEnvironment;
const CENTRE = demoUnitIds.provincialCentre;
const WARD = demoUnitIds.nhaTrangCentre;
const NOW = vn('2025-09-16T15:00');
const WEEK = 'from=2025-09-15&to=2025-09-22';

const mon = (hm: string) => `2025-09-15T${hm}`;
const tue = (hm: string) => `2025-09-16T${hm}`;

/** One dossier per classification and rule; received Mon 09:00 means due Tue 09:00. */
function portfolio() {
  const early = new DossierScenario({ receivedAt: mon('09:00'), channel: 'online' })
    .transferAndOpen(mon('09:00'))
    .decide(mon('16:00'))
    .returnResult(mon('16:30'), 1);
  const onTime = new DossierScenario({ receivedAt: mon('09:00') })
    .transferAndOpen(mon('09:00'))
    .decide(tue('08:30'));
  const late = new DossierScenario({ receivedAt: mon('09:00') })
    .transferAndOpen(mon('09:00'))
    .assign(mon('09:00'), 'appraise', 'officer-a')
    .completeStep(tue('09:30'), 'appraise', 'officer-a', 'sign')
    .completeStep(tue('10:00'), 'sign', 'officer-b')
    .decide(tue('10:00'))
    .returnResult(tue('11:00'), 4);
  const inTime = new DossierScenario({ receivedAt: tue('09:00') }).transferAndOpen(tue('09:00'));
  const overdue = new DossierScenario({ receivedAt: mon('10:00') }).transferAndOpen(mon('10:00'));
  // Apology before the due, new appointment Wed 17:00: late by statute, early by appointment.
  const extended = new DossierScenario({ receivedAt: mon('09:00') })
    .transferAndOpen(mon('09:00'))
    .extend(mon('14:00'), '2025-09-17T17:00', tue('09:00'))
    .decide(tue('14:00'));
  const withdrawn = new DossierScenario({ receivedAt: mon('11:00') }).withdraw(mon('14:00'));
  const stopped = new DossierScenario({ receivedAt: mon('11:00') })
    .transferAndOpen(mon('11:00'))
    .stop(tue('13:00'));
  const twoSupplements = new DossierScenario({ receivedAt: mon('09:00') })
    .transferAndOpen(mon('09:00'))
    .requestSupplement(mon('10:00'), 1)
    .receiveSupplement(mon('11:00'), 1)
    .requestSupplement(mon('13:30'), 2)
    .receiveSupplement(mon('14:00'), 2)
    .decide(mon('16:00'));
  const crossBoundary = new DossierScenario({
    receivedAt: mon('09:00'),
    receivingUnitId: WARD,
    crossBoundary: true,
  })
    .transferAndOpen(mon('09:00'))
    .decide(mon('16:00'));
  // Before the 1 Mar 2025 merger, at the Department of Natural Resources and Environment.
  const beforeMerger = new DossierScenario({ receivedAt: '2025-02-17T09:00', competentUnitId: OLD_NRE })
    .transferAndOpen('2025-02-17T09:00')
    .decide('2025-02-17T15:00');
  return {
    early,
    onTime,
    late,
    inTime,
    overdue,
    extended,
    withdrawn,
    stopped,
    twoSupplements,
    crossBoundary,
    beforeMerger,
  };
}

describe.each(BACKENDS)('KPI queries on %s', (backend) => {
  const p = useProjection(backend, new Date(NOW));
  const d = portfolio();
  let analyst: string;

  beforeAll(async () => {
    analyst = await token(['analyst']);
    await p.current.apply(Object.values(d).flatMap((s) => s.events));
    await p.current.apply([refusal(mon('09:30'), CENTRE)]);
  });

  it('given the week, when judged now, then every classification is counted with 766 points', async () => {
    const { status, body } = await get(p.current, `/v1/kpi/units/${AG_ENV}?${WEEK}`, analyst);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      unitId: AG_ENV,
      source: 'aggregates',
      asOf: new Date(NOW).toISOString(),
      received: 10,
      ended: 8,
      early: 3, // early, withdrawn (Mon < due Tue), cross-boundary
      onTime: 1,
      late: 4, // late, extended (statutory), stopped after due, two supplements
      inTime: 1,
      overdue: 1,
      onTimeRate: 0.5,
      lateWithApology: 1,
      lateWithoutApology: 3,
      secondSupplementLate: 1,
      withdrawn: 1,
      stopped: 1,
      extended: 1,
      onlineRate: 0.1,
      rated: 2,
      dissatisfied: 1,
    });
    expect(body.points.progress).toBe(20 * body.onTimeRate);
    // r = 1 − (4/8 + 1/8) = 0.375; 6 × 0.375 / 0.9 = 2.5
    expect(body.satisfactionRate).toBe(0.375);
    expect(body.points.satisfaction).toBe(2.5);
  });

  it('given the same scope, when recomputed from events (asOf now, bounds inside the day), then the figures are the same', async () => {
    const aggregated = await get(p.current, `/v1/kpi/units/${AG_ENV}?${WEEK}`, analyst);
    const from = encodeURIComponent(vn('2025-09-15T00:01'));
    const recomputed = await get(p.current, `/v1/kpi/units/${AG_ENV}?from=${from}&to=2025-09-22`, analyst);
    expect(recomputed.body.source).toBe('recomputed');
    const { source: _a, from: _f1, ...a } = aggregated.body;
    const { source: _b, from: _f2, ...b } = recomputed.body;
    expect(b).toEqual(a);
  });

  it('given an extension with apology, when judged against the appointment, then it is early instead of late', async () => {
    const { body } = await get(p.current, `/v1/kpi/units/${AG_ENV}?${WEEK}&due=appointment`, analyst);
    expect(body).toMatchObject({ source: 'recomputed', due: 'appointment', early: 4, onTime: 1, late: 3 });
  });

  it('given asOf Tue 09:30, then only events until then count: decided later is open, overdue or in time then', async () => {
    const asOf = encodeURIComponent(vn(tue('09:30')));
    const { body } = await get(p.current, `/v1/kpi/units/${AG_ENV}?${WEEK}&asOf=${asOf}`, analyst);
    expect(body).toMatchObject({
      source: 'recomputed',
      received: 10,
      ended: 5, // early, on time (08:30), withdrawn, two supplements, cross-boundary
      early: 3,
      onTime: 1,
      late: 1,
      overdue: 2, // late (due 09:00) and extended (statutory due 09:00)
      inTime: 3, // in time (received Tue), overdue (due 10:00), stopped (due 11:00)
    });
  });

  it('given a refusal at the centre, then it is not received: intake counts it for the centre only', async () => {
    const centre = await get(p.current, `/v1/kpi/units/${CENTRE}?${WEEK}`, analyst);
    expect(centre.body.received).toBe(0);
    expect(centre.body.intake).toMatchObject({ received: 9, refused: 1, crossBoundary: 0 });
    const unit = await get(p.current, `/v1/kpi/units/${AG_ENV}?${WEEK}`, analyst);
    expect(unit.body.intake).toMatchObject({ received: 0, refused: 0 });
  });

  it('given a cross-boundary receipt, then the ward centre has the intake figures and the department the KPI', async () => {
    const ward = await get(p.current, `/v1/kpi/units/${WARD}?${WEEK}`, analyst);
    expect(ward.body).toMatchObject({
      received: 0,
      intake: { received: 1, crossBoundary: 1, crossBoundaryShare: 1 },
    });
    const list = await get(
      p.current,
      `/v1/kpi/units/${AG_ENV}/dossiers?${WEEK}&classification=early`,
      analyst,
    );
    expect(list.body.items.map((i: { dossierId: string }) => i.dossierId)).toContain(
      d.crossBoundary.dossierId,
    );
  });

  it('given a dossier of a merged department, then rollup=current counts it under the successor and historical does not', async () => {
    const year = 'from=2025-01-01&to=2025-12-31';
    const current = await get(p.current, `/v1/kpi/units/${AG_ENV}?${year}&rollup=current`, analyst);
    const historical = await get(p.current, `/v1/kpi/units/${AG_ENV}?${year}&rollup=historical`, analyst);
    const old = await get(p.current, `/v1/kpi/units/${OLD_NRE}?${year}&rollup=historical`, analyst);
    expect(current.body.units).toEqual(
      expect.arrayContaining([AG_ENV, OLD_NRE, demoUnitIds.agricultureRuralDevelopment]),
    );
    expect([current.body.received, historical.body.received, old.body.received]).toEqual([11, 10, 1]);
    expect(old.body).toMatchObject({ units: [OLD_NRE], early: 1 });
  });

  it('given late dossiers, when drilling down, then each comes with its reasons and the reason filter narrows them', async () => {
    const late = await get(
      p.current,
      `/v1/kpi/units/${AG_ENV}/dossiers?${WEEK}&classification=late`,
      analyst,
    );
    expect(late.body.total).toBe(4);
    const byId = new Map(late.body.items.map((i: { dossierId: string }) => [i.dossierId, i]));
    expect(byId.get(d.late.dossierId)).toMatchObject({
      classification: 'late',
      lateReasons: expect.arrayContaining([
        expect.objectContaining({ kind: 'step_over_budget', stepId: 'appraise', officerId: 'officer-a' }),
        expect.objectContaining({ kind: 'overdue_at_end' }),
      ]),
    });
    const second = await get(
      p.current,
      `/v1/kpi/units/${AG_ENV}/dossiers?${WEEK}&reason=second_supplement_request`,
      analyst,
    );
    expect(second.body.items.map((i: { dossierId: string }) => i.dossierId)).toEqual([
      d.twoSupplements.dossierId,
    ]);
    const paged = await get(
      p.current,
      `/v1/kpi/units/${AG_ENV}/dossiers?${WEEK}&classification=late&pageSize=3&page=2`,
      analyst,
    );
    expect([paged.body.total, paged.body.items.length]).toEqual([4, 1]);
    const past = await get(
      p.current,
      `/v1/kpi/units/${AG_ENV}/dossiers?${WEEK}&classification=overdue&asOf=${encodeURIComponent(vn(tue('09:30')))}`,
      analyst,
    );
    expect(past.body.items.map((i: { dossierId: string }) => i.dossierId).sort()).toEqual(
      [d.late.dossierId, d.extended.dossierId].sort(),
    );
  });

  it('given the procedure, then its counts and p50/p90 elapsed working days', async () => {
    const { status, body } = await get(p.current, `/v1/kpi/procedures/1.012839?${WEEK}`, analyst);
    expect(status).toBe(200);
    expect(body).toMatchObject({ procedureCode: '1.012839', received: 10, ended: 8, late: 4 });
    expect(body.p50ElapsedWorkingDays).toBeLessThanOrEqual(body.p90ElapsedWorkingDays);
    expect(body.p90ElapsedWorkingDays).toBeGreaterThan(0);
    const empty = await get(p.current, `/v1/kpi/procedures/${CRIMINAL_RECORD}?${WEEK}`, analyst);
    expect(empty.body).toMatchObject({ received: 0, p50ElapsedWorkingDays: null });
  });

  it('given every competent unit side by side, then the department’s row has the figures of its own report and the other units theirs', async () => {
    const { status, body } = await get(p.current, `/v1/kpi/units?${WEEK}`, analyst);
    expect(status).toBe(200);
    const own = (await get(p.current, `/v1/kpi/units/${AG_ENV}?${WEEK}`, analyst)).body;
    const rows = body.units as Array<Record<string, unknown>>;
    const ids = rows.map((row) => row.unitId);
    expect(ids).toContain(AG_ENV);
    expect(ids).toContain(demoUnitIds.justice);
    expect(ids).not.toContain(OLD_NRE); // merged into AG_ENV: counted under it
    expect(ids).not.toContain(CENTRE); // a centre receives; no procedure names it competent
    const row = rows.find((r) => r.unitId === AG_ENV);
    for (const field of ['received', 'late', 'overdue', 'onTimeRate', 'digitizationRate', 'onlineRate']) {
      expect(row?.[field], field).toEqual(own[field]);
    }
    expect(row?.points).toEqual(own.points);
    expect(row).toMatchObject({ name: expect.any(String), code: expect.any(String), received: 10 });
    expect(rows.find((r) => r.unitId === demoUnitIds.justice)).toMatchObject({ received: 0, late: 0 });

    // A leader reads only their own unit's row; a clerk none.
    const leader = await get(p.current, `/v1/kpi/units?${WEEK}`, await token(['leader'], AG_ENV));
    expect(leader.body.units.map((r: { unitId: string }) => r.unitId)).toEqual([AG_ENV]);
    expect((await get(p.current, `/v1/kpi/units?${WEEK}`, await token(['clerk'], CENTRE))).status).toBe(403);
  });

  it('given the week, then the daily series splits Monday and Tuesday', async () => {
    const { body } = await get(p.current, `/v1/kpi/units/${AG_ENV}/series?${WEEK}&granularity=day`, analyst);
    expect(body.points.map((x: { period: string; received: number }) => [x.period, x.received])).toEqual([
      ['2025-09-15', 9],
      ['2025-09-16', 1],
    ]);
    const months = await get(
      p.current,
      `/v1/kpi/units/${AG_ENV}/series?from=2025-01-01&to=2026-01-01&granularity=month`,
      analyst,
    );
    expect(months.body.points.map((x: { period: string }) => x.period)).toEqual(['2025-02', '2025-09']);
  });

  it('when reading without a token, as a clerk, or as another unit’s leader, then 401/403; the unit’s own leader reads', async () => {
    const url = `/v1/kpi/units/${AG_ENV}?${WEEK}`;
    expect((await get(p.current, url)).status).toBe(401);
    expect((await get(p.current, url, await token(['clerk'], CENTRE))).status).toBe(403);
    const other = await get(p.current, url, await token(['leader'], demoUnitIds.justice));
    expect([other.status, other.body.code]).toEqual([403, 'AUTH_UNIT_FORBIDDEN']);
    expect((await get(p.current, url, await token(['leader'], AG_ENV))).status).toBe(200);
    expect(
      (await get(p.current, `/v1/kpi/units/${OLD_NRE}`, await token(['specialist'], AG_ENV))).status,
    ).toBe(200);
  });

  it('when a query parameter is bad or the unit unknown, then 400 naming the field or 404', async () => {
    const cases = [
      [`/v1/kpi/units/${AG_ENV}?due=soon`, 'querystring.due'],
      [`/v1/kpi/units/${AG_ENV}?from=yesterday`, 'querystring.from'],
      [`/v1/kpi/units/${AG_ENV}?from=2025-09-20&to=2025-09-10`, 'querystring.to'],
      [`/v1/kpi/units/${AG_ENV}/dossiers?classification=slow`, 'querystring.classification'],
      [`/v1/kpi/units/${AG_ENV}/dossiers?pageSize=0`, 'querystring.pageSize'],
      [`/v1/kpi/units/${AG_ENV}/series?granularity=week`, 'querystring.granularity'],
      ['/v1/kpi/procedures/abc', 'params.code'],
    ] as const;
    for (const [url, path] of cases) {
      const { status, body } = await get(p.current, url, analyst);
      expect([url, status, body.details.issues.map((i: { path: string }) => i.path)]).toEqual([
        url,
        400,
        [path],
      ]);
    }
    expect((await get(p.current, '/v1/kpi/units/kh.no-such-unit', analyst)).status).toBe(404);
    expect((await get(p.current, '/v1/kpi/procedures/9.999999', analyst)).status).toBe(404);
  });
});
