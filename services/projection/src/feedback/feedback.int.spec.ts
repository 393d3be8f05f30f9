/**
 * Given feedback (and dossier) events, then the feedback figures of `GET /v1/kpi/units/{unitId}` (5.2–5.4),
 * the drill-down, and a replay that rebuilds the feedback table identically; on PostgreSQL and on the embedded
 * store. Each test has a unit and month of its own, so the shared tables do not mix their figures.
 */
import { demoCatalog, demoUnitIds } from '@onestop/catalog';
import type { DossierEvent } from '@onestop/domain';
import { describe, expect, it } from 'vitest';
import { activeGeneration } from '../read-model/generations.js';
import { type RebuildSource, rebuildProjection } from '../read-model/rebuild.js';
import { BACKENDS, get, type Projection, token, useProjection } from '../testing/harness.js';
import { DossierScenario, vn } from '../testing/scenario.js';
import { FeedbackScenario } from './testing.js';

const JUSTICE = demoUnitIds.justice;
const AG_ENV = demoUnitIds.agricultureEnvironment;
const OLD_NRE = demoUnitIds.naturalResourcesEnvironment;
const TRANSPORT = demoUnitIds.transport;

function arraySource(log: readonly DossierEvent[]): RebuildSource {
  const position = (after: string | undefined) => (after === undefined ? 0 : Number(after));
  return {
    async read(after, max) {
      const from = position(after);
      const page = log.slice(from, from + max);
      return {
        entries: page.map((event) => ({ kind: 'dossier' as const, event })),
        checkpoint: page.length === 0 ? after : String(from + page.length),
      };
    },
    async remaining(after) {
      return log.length - position(after);
    },
  };
}

describe.each(BACKENDS)('feedback KPIs on %s', (backend) => {
  const p = useProjection(backend, new Date(vn('2026-12-01T09:00')));
  /** Every event applied by this file, in order: the log the replay test rebuilds from. */
  const log: DossierEvent[] = [];
  const apply = async (...scenarios: Array<{ events: DossierEvent[] }>) => {
    const events = scenarios.flatMap((s) => s.events);
    log.push(...events);
    await p.current.apply(events);
  };
  const kpi = async (unitId: string, query: string) => {
    const response = await get(p.current, `/v1/kpi/units/${unitId}?${query}`, await token(['analyst']));
    expect(response.status).toBe(200);
    return response.body;
  };
  const drill = async (unitId: string, query: string) => {
    const response = await get(
      p.current,
      `/v1/kpi/units/${unitId}/feedback?${query}`,
      await token(['analyst']),
    );
    expect(response.status).toBe(200);
    return response.body;
  };

  it('given every stage done on time, then 5.2 counts each stage on time and 5.2 and 5.3 earn full points', async () => {
    const plain = new FeedbackScenario(JUSTICE, '2026-03-09T09:00').handledOnTime('2026-03-09', 'satisfied');
    const asked = new FeedbackScenario(JUSTICE, '2026-03-10T09:00')
      .requestInfo('2026-03-10T10:00')
      .accept('2026-03-11T08:30')
      .answer('2026-03-13T10:00')
      .publish('2026-03-13T15:00');
    await apply(plain, asked);

    const { feedback } = await kpi(JUSTICE, 'from=2026-03-01&to=2026-04-01');
    expect(feedback).toMatchObject({ filed: 2, accepted: 2, refused: 0, answered: 2, published: 2 });
    expect(feedback.stages.decision).toMatchObject({ onTime: 2, late: 0, overdue: 0, onTimeRate: 1 });
    expect(feedback.stages.infoRequest).toMatchObject({ onTime: 1, late: 0, onTimeRate: 1 });
    expect(feedback.stages.answer).toMatchObject({ onTime: 2, late: 0, onTimeRate: 1 });
    expect(feedback.stages.publication).toMatchObject({ onTime: 2, late: 0, onTimeRate: 1 });
    expect(feedback).toMatchObject({
      judged: 2,
      handledOnTime: 2,
      onTimeRate: 1,
      satisfied: 2,
      satisfactionRate: 1,
    });
    expect(feedback.points).toMatchObject({ onTime: 6, satisfaction: 6, handlingSatisfaction: 6 });
  });

  it('given a late refusal, a late answer and a late publication, then each stage counts its lateness and the drill-down lists it', async () => {
    const refused = new FeedbackScenario(JUSTICE, '2026-04-06T09:00').refuse('2026-04-20T09:00');
    const answeredLate = new FeedbackScenario(JUSTICE, '2026-04-06T09:30')
      .accept('2026-04-07T09:00')
      .answer('2026-05-20T09:00');
    const publishedLate = new FeedbackScenario(JUSTICE, '2026-04-06T10:00')
      .accept('2026-04-07T09:00')
      .answer('2026-04-08T09:00')
      .publish('2026-04-27T09:00');
    await apply(refused, answeredLate, publishedLate);
    const lateOf = (s: FeedbackScenario, type: DossierEvent['type']) => {
      const event = s.events.find((e) => e.type === type);
      return event !== undefined && 'late' in event.data ? event.data.late : undefined;
    };
    // The decider recorded the lateness the projection counts.
    expect(lateOf(refused, 'FeedbackRefused')).toBe(true);
    expect(lateOf(answeredLate, 'FeedbackAnswered')).toBe(true);
    expect(lateOf(publishedLate, 'FeedbackPublished')).toBe(true);

    const period = 'from=2026-04-01&to=2026-05-01';
    const { feedback } = await kpi(JUSTICE, period);
    expect(feedback).toMatchObject({ filed: 3, accepted: 2, refused: 1 });
    expect(feedback.stages.decision).toMatchObject({ onTime: 2, late: 1, overdue: 0 });
    expect(feedback.stages.decision.onTimeRate).toBeCloseTo(2 / 3, 4);
    expect(feedback.stages.answer).toMatchObject({ onTime: 1, late: 1, overdue: 0, onTimeRate: 0.5 });
    // The late answer's item also has its publication open and overdue since.
    expect(feedback.stages.publication).toMatchObject({ onTime: 0, late: 1, overdue: 1, onTimeRate: 0 });
    expect(feedback).toMatchObject({ judged: 3, handledOnTime: 0, delayed: 3, onTimeRate: 0, satisfied: 0 });
    expect(feedback.points).toMatchObject({ onTime: 0, satisfaction: 0, handlingSatisfaction: 0 });

    const answers = await drill(JUSTICE, `${period}&stage=answer&late=true`);
    expect(answers.total).toBe(1);
    expect(answers.items[0]).toMatchObject({ feedbackId: answeredLate.feedbackId, decision: 'accepted' });
    expect(answers.items[0].stages.answer).toMatchObject({
      status: 'late',
      doneAt: new Date(vn('2026-05-20T09:00')).toISOString(),
    });
    expect(Date.parse(answers.items[0].stages.answer.dueAt)).toBeLessThan(Date.parse(vn('2026-05-20T09:00')));
    const decisions = await drill(JUSTICE, `${period}&stage=decision&late=true`);
    expect(decisions.items.map((i: { feedbackId: string }) => i.feedbackId)).toEqual([refused.feedbackId]);
    expect(decisions.items[0].stages.answer.status).toBe('none');
    const onTimeDecisions = await drill(JUSTICE, `${period}&stage=decision&late=false&pageSize=1&page=2`);
    expect(onTimeDecisions).toMatchObject({ total: 2, page: 2, pageSize: 1 });
    expect(onTimeDecisions.items).toHaveLength(1);
    expect((await drill(JUSTICE, `${period}&late=false`)).total).toBe(0);
  });

  it('given the late items judged as of past instants, then a stage not yet done is overdue or pending, never late', async () => {
    const period = 'from=2026-04-01&to=2026-05-01';
    // Before the late refusal, the answers' dues and the late publication.
    const early = await kpi(JUSTICE, `${period}&asOf=${encodeURIComponent(vn('2026-04-09T12:00'))}`);
    expect(early.feedback.stages.decision).toMatchObject({ onTime: 2, late: 0, overdue: 1 });
    expect(early.feedback.stages.answer).toMatchObject({ onTime: 1, late: 0, overdue: 0, pending: 1 });
    expect(early.feedback.stages.publication).toMatchObject({ onTime: 0, late: 0, overdue: 0, pending: 1 });
    // After the answer was due, before it came.
    const later = await kpi(JUSTICE, `${period}&asOf=${encodeURIComponent(vn('2026-05-15T12:00'))}`);
    expect(later.feedback.stages.decision).toMatchObject({ onTime: 2, late: 1, overdue: 0 });
    expect(later.feedback.stages.answer).toMatchObject({ onTime: 1, late: 0, overdue: 1, pending: 0 });
    expect(later.feedback.stages.publication).toMatchObject({ late: 1 });
    // Before any item was filed: nothing to count, full points.
    const before = await kpi(JUSTICE, `${period}&asOf=${encodeURIComponent(vn('2026-04-06T08:00'))}`);
    expect(before.feedback).toMatchObject({ filed: 0, points: { onTime: 6, satisfaction: 6 } });
    const overdue = await drill(
      JUSTICE,
      `${period}&asOf=${encodeURIComponent(vn('2026-05-15T12:00'))}&stage=answer&late=true`,
    );
    expect(overdue.items).toHaveLength(1);
    expect(overdue.items[0].stages.answer).toMatchObject({ status: 'overdue', doneAt: null });
  });

  it('given a dissatisfied rating and a follow-up, then 5.3 counts only the third item satisfied', async () => {
    const disliked = new FeedbackScenario(JUSTICE, '2026-06-01T09:00').handledOnTime(
      '2026-06-01',
      'dissatisfied',
    );
    const followed = new FeedbackScenario(JUSTICE, '2026-06-02T09:00')
      .handledOnTime('2026-06-02')
      .followUp('2026-06-03T09:00');
    const liked = new FeedbackScenario(JUSTICE, '2026-06-03T09:00').handledOnTime('2026-06-03', 'satisfied');
    await apply(disliked, followed, liked);

    const { feedback } = await kpi(JUSTICE, 'from=2026-06-01&to=2026-07-01');
    expect(feedback).toMatchObject({
      filed: 3,
      rated: 2,
      dissatisfied: 1,
      followedUp: 1,
      satisfied: 1,
      delayed: 0,
    });
    expect(feedback.onTimeRate).toBe(1);
    expect(feedback.satisfactionRate).toBeCloseTo(1 / 3, 4);
    expect(feedback.points.onTime).toBe(6);
    expect(feedback.points.satisfaction).toBeCloseTo(6 / 3, 1);
    // No dossier of the unit that month: 5.4 is the items' alone, r = 1 − 2/3.
    expect(feedback.handlingSatisfactionRate).toBeCloseTo(1 / 3, 4);
    expect(feedback.points.handlingSatisfaction).toBeCloseTo((6 * (1 / 3)) / 0.9, 1);
    const unhappy = await drill(JUSTICE, 'from=2026-06-01&to=2026-07-01');
    expect(unhappy.items.map((i: { satisfied: boolean }) => i.satisfied)).toEqual([false, false, true]);
    expect(unhappy.items[0]).toMatchObject({ rating: 'dissatisfied', followedUp: false });
    expect(unhappy.items[1]).toMatchObject({ rating: null, followedUp: true });
  });

  it('given dossiers but no feedback at all, then 5.2 and 5.3 earn full points and 5.4 equals the dossier formula', async () => {
    const unhappy = new DossierScenario({ receivedAt: '2026-07-06T09:00' })
      .transferAndOpen('2026-07-06T09:00')
      .decide('2026-07-06T16:00')
      .returnResult('2026-07-07T09:00', 4);
    const happy = new DossierScenario({ receivedAt: '2026-07-06T10:00' })
      .transferAndOpen('2026-07-06T10:00')
      .decide('2026-07-06T16:00')
      .returnResult('2026-07-07T09:00', 1);
    await apply(unhappy, happy);

    const body = await kpi(AG_ENV, 'from=2026-07-01&to=2026-08-01');
    expect(body).toMatchObject({ ended: 2, dissatisfied: 1 });
    expect(body.feedback).toMatchObject({ filed: 0, judged: 0, onTimeRate: null, satisfactionRate: null });
    expect(body.feedback.points).toMatchObject({ onTime: 6, satisfaction: 6 });
    expect(body.feedback.handlingSatisfactionRate).toBe(body.satisfactionRate);
    expect(body.feedback.points.handlingSatisfaction).toBe(body.points.satisfaction);
    expect(body.satisfactionRate).toBe(0.5);
    const none = await kpi(TRANSPORT, 'from=2026-07-01&to=2026-08-01');
    expect(none.feedback).toMatchObject({
      filed: 0,
      handlingSatisfactionRate: null,
      points: { onTime: 6, satisfaction: 6, handlingSatisfaction: null },
    });
  });

  it('given feedback about a dossier beside the dossier ratings, then 5.4 counts each item as one more case', async () => {
    const unhappy = new DossierScenario({ receivedAt: '2026-08-03T09:00' })
      .transferAndOpen('2026-08-03T09:00')
      .decide('2026-08-03T16:00')
      .returnResult('2026-08-04T09:00', 4);
    const happy = new DossierScenario({ receivedAt: '2026-08-03T10:00' })
      .transferAndOpen('2026-08-03T10:00')
      .decide('2026-08-03T16:00')
      .returnResult('2026-08-04T09:00', 1);
    const received = happy.events[0];
    const dossierCode = received?.type === 'DossierReceived' ? received.data.dossierCode : '';
    const about = new FeedbackScenario(AG_ENV, '2026-08-05T09:00', {
      kind: 'dossier',
      dossierId: happy.dossierId,
      dossierCode,
    }).handledOnTime('2026-08-05', 'satisfied');
    const general = new FeedbackScenario(
      AG_ENV,
      '2026-08-05T10:00',
      { kind: 'unit' },
      'recommendation',
    ).handledOnTime('2026-08-05');
    await apply(unhappy, happy, about, general);

    const body = await kpi(AG_ENV, 'from=2026-08-01&to=2026-09-01');
    expect(body.satisfactionRate).toBe(0.5);
    expect(body.feedback.filed).toBe(2);
    // 1 dissatisfied dossier of 2 ended + 2 items without delay or dislike: r = 1 − 1/4.
    expect(body.feedback.handlingSatisfactionRate).toBe(0.75);
    expect(body.feedback.points.handlingSatisfaction).toBe(5);
    const [row] = await p.current.rows('feedback', `feedback_id = '${about.feedbackId}'`);
    expect(row).toMatchObject({ dossier_id: happy.dossierId, subject_kind: 'dossier', rating: 'satisfied' });
    // The dossier's own figures do not move with its feedback.
    expect(body).toMatchObject({ ended: 2, dissatisfied: 1 });
  });

  it('given feedback of a department merged away, then rollup=current counts it under its successor and historical does not', async () => {
    const old = new FeedbackScenario(OLD_NRE, '2025-02-10T09:00').accept('2025-02-10T10:00');
    await apply(old);
    const period = 'from=2025-02-01&to=2025-03-01';
    const current = await kpi(AG_ENV, `${period}&rollup=current`);
    const historical = await kpi(AG_ENV, `${period}&rollup=historical`);
    const own = await kpi(OLD_NRE, `${period}&rollup=historical`);
    expect(current.units).toContain(OLD_NRE);
    expect(current.feedback).toMatchObject({ filed: 1, accepted: 1 });
    // Accepted, never answered: the answer is overdue by now.
    expect(current.feedback.stages.answer).toMatchObject({ overdue: 1 });
    expect(historical.feedback.filed).toBe(0);
    expect(own.feedback).toMatchObject({ filed: 1, accepted: 1 });
    const listed = await drill(AG_ENV, `${period}&rollup=current`);
    expect(listed.items.map((i: { responsibleUnitId: string }) => i.responsibleUnitId)).toEqual([OLD_NRE]);
  });

  it('given a bad drill-down filter, then 400', async () => {
    const response = await get(
      p.current,
      `/v1/kpi/units/${JUSTICE}/feedback?stage=approval`,
      await token(['analyst']),
    );
    expect(response.status).toBe(400);
  });

  it('given the log replayed in small batches, then the feedback table and the figures are identical', async () => {
    const snapshot = async (p: Projection) =>
      p.db.withTransaction(async (tx) => {
        const { tables, generation } = await activeGeneration(tx, p.db.schema);
        const { rows } = await tx.query(`select * from ${tables.feedback} order by feedback_id`);
        return { generation, rows };
      });
    const figures = async () =>
      Promise.all([
        kpi(JUSTICE, 'from=2026-01-01&to=2027-01-01'),
        kpi(AG_ENV, 'from=2025-01-01&to=2027-01-01'),
      ]);
    const before = await snapshot(p.current);
    const beforeFigures = await figures();
    const filed = log.flatMap((e) => (e.type === 'FeedbackFiled' ? [e.data.feedbackId] : []));
    expect(before.rows.map((row) => String(row.feedback_id)).sort()).toEqual([...filed].sort());

    const result = await rebuildProjection({
      db: p.current.db,
      source: arraySource(log),
      catalog: demoCatalog,
      batchEvents: 7,
      chunkSize: 3,
      cacheEvents: 10,
    });
    expect(result.status).toBe('switched');
    const after = await snapshot(p.current);
    expect(after.generation).not.toBe(before.generation);
    expect(after.rows).toEqual(before.rows);
    expect(await figures()).toEqual(beforeFigures);
  });
});
