/**
 * Feedback KPIs (Decision 766 items 5.2–5.4) of the items filed in [from, to) with a responsible unit in scope,
 * judged as of `asOf` from the feedback rows (see `tables.ts`).
 *
 * Each stage of an item, as of `asOf`, is `on_time` or `late` (done by then, with the flag its event recorded),
 * `overdue` (not done and past its due: the unit is late already), `pending` (not done, not yet due) or `none`
 * (not applicable: no information was asked for, the item was refused before any answer, nothing to publish).
 * The information request is optional, so it is never overdue.
 *
 * - 5.2 handled on time: per stage, on time ÷ (on time + late + overdue); overall, items with no late or overdue
 *   stage ÷ items with at least one stage judged (done or overdue). Points 6 × rate; full points when no item
 *   has a judged stage (as 5.3 when there is no feedback).
 * - 5.3 feedback satisfaction: items with no dislike (rated dissatisfied), no follow-up and no delay (a late or
 *   overdue stage) ÷ all items filed; points 6 × rate; full points when there is no feedback at all.
 * - 5.4 handling satisfaction with feedback: DOMAIN.md's r = 1 − (late rate + dissatisfied rate) over the ended
 *   dossiers, with every feedback item counted as one more case beside them:
 *     late rate         = (late dossiers + delayed items) ÷ (ended dossiers + items)
 *     dissatisfied rate = (dissatisfied dossiers + items with a dislike or a follow-up) ÷ (ended dossiers + items)
 *   r = max(0, 1 − (late rate + dissatisfied rate)); points min(6, 6 × r / 0.9). Without feedback it equals the
 *   dossier-only `satisfactionRate`; null when there are neither ended dossiers nor items.
 */
import { linear, MAX_POINTS, points, ratio } from '../kpi/figures.js';
import type { KpiScope, ReadContext } from '../kpi/query.js';
import { FeedbackRow } from './apply.js';
import { FEEDBACK_COLUMNS } from './tables.js';

export const FEEDBACK_STAGES = ['decision', 'infoRequest', 'answer', 'publication'] as const;
export type FeedbackStage = (typeof FEEDBACK_STAGES)[number];
export type StageStatus = 'on_time' | 'late' | 'overdue' | 'pending' | 'none';

export interface StageJudgement {
  readonly status: StageStatus;
  readonly dueMs: number | null;
  readonly doneMs: number | null;
}

export interface JudgedFeedback {
  readonly row: FeedbackRow;
  readonly decision: 'accepted' | 'refused' | null;
  readonly stages: Readonly<Record<FeedbackStage, StageJudgement>>;
  /** A stage late or overdue as of asOf. */
  readonly delayed: boolean;
  readonly rated: boolean;
  readonly dissatisfied: boolean;
  readonly followedUp: boolean;
}

const happened = (atMs: number | null, asOfMs: number): atMs is number => atMs !== null && atMs <= asOfMs;

/** A stage that applies: done (with its recorded flag) or open (overdue once past its due). */
function stage(
  doneMs: number | null,
  late: boolean | null,
  dueMs: number | null,
  asOfMs: number,
): StageJudgement {
  if (happened(doneMs, asOfMs)) return { status: late ? 'late' : 'on_time', dueMs, doneMs };
  return { status: dueMs !== null && asOfMs > dueMs ? 'overdue' : 'pending', dueMs, doneMs: null };
}

const none = (dueMs: number | null = null): StageJudgement => ({ status: 'none', dueMs, doneMs: null });

/** The item as it stood at `asOfMs` (filed at or before it). */
export function judgeFeedback(row: FeedbackRow, asOfMs: number): JudgedFeedback {
  const decided = happened(row.decided_at_ms, asOfMs);
  const decision = decided ? row.decision : null;
  const answered = happened(row.answered_at_ms, asOfMs);
  const stages: Record<FeedbackStage, StageJudgement> = {
    decision: stage(row.decided_at_ms, row.decision_late, row.decision_due_ms, asOfMs),
    infoRequest: happened(row.info_requested_at_ms, asOfMs)
      ? stage(row.info_requested_at_ms, row.info_late, row.info_due_ms, asOfMs)
      : none(),
    answer:
      decision === 'accepted'
        ? stage(row.answered_at_ms, row.answer_late, row.answer_due_ms, asOfMs)
        : none(),
    publication: answered
      ? stage(row.published_at_ms, row.publication_late, row.publication_due_ms, asOfMs)
      : none(),
  };
  const delayed = FEEDBACK_STAGES.some((s) => stages[s].status === 'late' || stages[s].status === 'overdue');
  return {
    row,
    decision,
    stages,
    delayed,
    rated: happened(row.rated_at_ms, asOfMs),
    dissatisfied: row.rating === 'dissatisfied' && happened(row.rated_at_ms, asOfMs),
    followedUp: happened(row.followed_up_at_ms, asOfMs),
  };
}

/** The rows of the items filed in [from, to) (and by asOf) by the scope's units, oldest filing first. */
export async function feedbackRows(ctx: ReadContext, scope: KpiScope): Promise<FeedbackRow[]> {
  const units = scope.unitIds.map((_, i) => `$${i + 3}`).join(', ');
  const { rows } = await ctx.tx.query(
    `select ${FEEDBACK_COLUMNS.map((c) => c.name).join(', ')} from ${ctx.tables.feedback}
      where filed_at_ms >= $1 and filed_at_ms < $2 and responsible_unit_id in (${units})
      order by filed_at_ms, feedback_id`,
    [scope.fromMs, Math.min(scope.toMs, scope.asOfMs + 1), ...scope.unitIds],
  );
  return rows.map((raw) => FeedbackRow.parse(raw));
}

/** The dossier figures 5.4 combines with feedback (from `kpiFigures`). */
export interface DossierSatisfactionCounts {
  readonly ended: number;
  readonly late: number;
  readonly dissatisfied: number;
}

export function feedbackFigures(items: readonly JudgedFeedback[], dossiers: DossierSatisfactionCounts) {
  const stageFigures = (name: FeedbackStage) => {
    const counts = { onTime: 0, late: 0, overdue: 0, pending: 0 };
    for (const item of items) {
      const { status } = item.stages[name];
      if (status === 'on_time') counts.onTime++;
      else if (status === 'late') counts.late++;
      else if (status === 'overdue') counts.overdue++;
      else if (status === 'pending') counts.pending++;
    }
    return { ...counts, onTimeRate: ratio(counts.onTime, counts.onTime + counts.late + counts.overdue) };
  };
  const judged = items.filter((item) =>
    FEEDBACK_STAGES.some((s) => ['on_time', 'late', 'overdue'].includes(item.stages[s].status)),
  );
  const handledOnTime = judged.filter((item) => !item.delayed).length;
  const delayed = items.filter((item) => item.delayed).length;
  const dissatisfied = items.filter((item) => item.dissatisfied).length;
  const followedUp = items.filter((item) => item.followedUp).length;
  const disliked = items.filter((item) => item.dissatisfied || item.followedUp).length;
  const satisfied = items.filter((item) => !item.delayed && !item.dissatisfied && !item.followedUp).length;

  const onTimeRate = ratio(handledOnTime, judged.length);
  const satisfactionRate = ratio(satisfied, items.length);
  const cases = dossiers.ended + items.length;
  const lateRate = ratio(dossiers.late + delayed, cases);
  const dislikeRate = ratio(dossiers.dissatisfied + disliked, cases);
  const handlingSatisfactionRate =
    lateRate === null || dislikeRate === null
      ? null
      : Math.max(0, Math.round((1 - (lateRate + dislikeRate)) * 10_000) / 10_000);

  return {
    filed: items.length,
    accepted: items.filter((item) => item.decision === 'accepted').length,
    refused: items.filter((item) => item.decision === 'refused').length,
    answered: items.filter((item) => item.stages.answer.doneMs !== null).length,
    published: items.filter((item) => item.stages.publication.doneMs !== null).length,
    stages: {
      decision: stageFigures('decision'),
      infoRequest: stageFigures('infoRequest'),
      answer: stageFigures('answer'),
      publication: stageFigures('publication'),
    },
    judged: judged.length,
    handledOnTime,
    delayed,
    onTimeRate,
    rated: items.filter((item) => item.rated).length,
    dissatisfied,
    followedUp,
    satisfied,
    satisfactionRate,
    handlingSatisfactionRate,
    points: {
      onTime:
        judged.length === 0
          ? MAX_POINTS.feedbackOnTime
          : points(linear(onTimeRate, MAX_POINTS.feedbackOnTime)),
      satisfaction:
        items.length === 0
          ? MAX_POINTS.feedbackSatisfaction
          : points(linear(satisfactionRate, MAX_POINTS.feedbackSatisfaction)),
      handlingSatisfaction: points(linear(handlingSatisfactionRate, MAX_POINTS.satisfaction, 0.9)),
    },
  };
}
export type FeedbackFigures = ReturnType<typeof feedbackFigures>;

/** The feedback figures of `scope`, with the dossier counts 5.4 combines them with. */
export async function unitFeedbackFigures(
  ctx: ReadContext,
  scope: KpiScope,
  dossiers: DossierSatisfactionCounts,
): Promise<FeedbackFigures> {
  const rows = await feedbackRows(ctx, scope);
  return feedbackFigures(
    rows.map((row) => judgeFeedback(row, scope.asOfMs)),
    dossiers,
  );
}
