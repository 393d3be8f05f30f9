/**
 * Applies feedback events (source `feedback`) to the generation's feedback table, inside the batch's
 * transaction (`EventBatch` hands over each added page's new events only, so a redelivery changes nothing).
 * Each item's row is loaded once per page, advanced by its events in log order (one item's events share a
 * Kafka key, so they arrive in stream order), and written back in one multi-row upsert.
 *
 * Done stages keep the due and the `late` flag their event recorded. The answer's and the publication's dues
 * are also computed here when the stage they run from happens (acceptance, answer), with the generation's
 * calendar and the responsible unit's hours as the decider computes them, so an answer not yet given can be
 * judged overdue as of any instant.
 */
import { computeDueAt, type DossierEvent, FEEDBACK_TIME_LIMITS } from '@onestop/domain';
import type { SqlParam, SqlTransaction } from '@onestop/messaging';
import { z } from 'zod';
import { insertRows, selectWhereIn } from '../read-model/bulk-sql.js';
import type { BatchTarget } from '../read-model/handler.js';
import { FEEDBACK_COLUMNS } from './tables.js';

const ms = z.union([z.number(), z.string(), z.bigint()]).transform(Number);
const msOrNull = ms.nullable();
const flagOrNull = z
  .union([z.number(), z.string()])
  .transform((v) => Number(v) === 1)
  .nullable();

/** A stored feedback row (PostgreSQL returns bigint as text, SQLite as a number). */
export const FeedbackRow = z.object({
  feedback_id: z.string(),
  dossier_id: z.string().nullable(),
  subject_kind: z.enum(['dossier', 'unit', 'procedure']),
  procedure_code: z.string().nullable(),
  responsible_unit_id: z.string(),
  channel: z.string(),
  category: z.string(),
  filed_at_ms: ms,
  decision_due_ms: ms,
  decision: z.enum(['accepted', 'refused']).nullable(),
  decided_at_ms: msOrNull,
  decision_late: flagOrNull,
  info_due_ms: msOrNull,
  info_requested_at_ms: msOrNull,
  info_late: flagOrNull,
  answer_due_ms: msOrNull,
  answered_at_ms: msOrNull,
  answer_late: flagOrNull,
  publication_due_ms: msOrNull,
  published_at_ms: msOrNull,
  publication_late: flagOrNull,
  rating: z.enum(['satisfied', 'dissatisfied']).nullable(),
  rated_at_ms: msOrNull,
  followed_up_at_ms: msOrNull,
  last_event_ms: ms,
});
export type FeedbackRow = z.infer<typeof FeedbackRow>;

type FeedbackEvent = Extract<DossierEvent, { source: 'feedback' }>;

const isFeedbackEvent = (event: DossierEvent): event is FeedbackEvent => event.source === 'feedback';

/** `days` working days of `unitId`'s hours after `fromMs`, on the generation's calendar. */
function dueAfter(target: BatchTarget, fromMs: number, days: number, unitId: string): number {
  return computeDueAt({
    receivedAt: new Date(fromMs),
    limit: { value: days, unit: 'working_days' },
    calendar: target.calendar,
    workingHours: target.calendar.workingHoursFor(unitId),
  }).dueAt.getTime();
}

/** The row after `event`; undefined when the item was never filed (nothing to attach the stage to). */
function evolveRow(
  target: BatchTarget,
  row: FeedbackRow | undefined,
  event: FeedbackEvent,
): FeedbackRow | undefined {
  const at = Date.parse(event.occurredAt);
  if (event.type === 'FeedbackFiled') {
    const { subject } = event.data;
    return {
      feedback_id: event.data.feedbackId,
      dossier_id: subject.kind === 'dossier' ? subject.dossierId : null,
      subject_kind: subject.kind,
      procedure_code: subject.kind === 'procedure' ? subject.procedureCode : null,
      responsible_unit_id: event.data.responsibleUnitId,
      channel: event.data.channel,
      category: event.data.category,
      filed_at_ms: at,
      decision_due_ms: Date.parse(event.data.decisionDueAt),
      decision: null,
      decided_at_ms: null,
      decision_late: null,
      info_due_ms: null,
      info_requested_at_ms: null,
      info_late: null,
      answer_due_ms: null,
      answered_at_ms: null,
      answer_late: null,
      publication_due_ms: null,
      published_at_ms: null,
      publication_late: null,
      rating: null,
      rated_at_ms: null,
      followed_up_at_ms: null,
      last_event_ms: at,
    };
  }
  if (row === undefined) return undefined;
  const next: FeedbackRow = { ...row, last_event_ms: Math.max(row.last_event_ms, at) };
  switch (event.type) {
    case 'FeedbackAccepted':
      return {
        ...next,
        decision: 'accepted',
        decided_at_ms: at,
        decision_due_ms: Date.parse(event.data.dueAt),
        decision_late: event.data.late,
        answer_due_ms: dueAfter(target, at, FEEDBACK_TIME_LIMITS.answer, row.responsible_unit_id),
      };
    case 'FeedbackRefused':
      return {
        ...next,
        decision: 'refused',
        decided_at_ms: at,
        decision_due_ms: Date.parse(event.data.dueAt),
        decision_late: event.data.late,
      };
    case 'FeedbackInfoRequested':
      return {
        ...next,
        info_requested_at_ms: at,
        info_due_ms: Date.parse(event.data.dueAt),
        info_late: event.data.late,
      };
    case 'FeedbackAnswered':
      return {
        ...next,
        answered_at_ms: at,
        answer_due_ms: Date.parse(event.data.dueAt),
        answer_late: event.data.late,
        publication_due_ms: dueAfter(target, at, FEEDBACK_TIME_LIMITS.publication, row.responsible_unit_id),
      };
    case 'FeedbackPublished':
      return {
        ...next,
        published_at_ms: at,
        publication_due_ms: Date.parse(event.data.dueAt),
        publication_late: event.data.late,
      };
    case 'FeedbackRated':
      return { ...next, rating: event.data.rating, rated_at_ms: at };
    case 'FeedbackFollowedUp':
      return { ...next, followed_up_at_ms: at };
  }
}

const sqlValue = (value: string | number | boolean | null): SqlParam =>
  typeof value === 'boolean' ? (value ? 1 : 0) : value;

/**
 * Applies the feedback events among `events` (new events of one batch, in log order) to `target`'s feedback
 * table in `tx`. Other events are ignored. Returns the number of items written.
 */
export async function applyFeedbackBatch(
  tx: SqlTransaction,
  target: BatchTarget,
  events: readonly DossierEvent[],
): Promise<number> {
  const feedbackEvents = events.filter(isFeedbackEvent);
  if (feedbackEvents.length === 0) return 0;
  const { tables, dialect } = target;
  const ids = [...new Set(feedbackEvents.map((e) => e.data.feedbackId))];
  const rows = new Map<string, FeedbackRow>();
  const stored = await selectWhereIn(
    tx,
    dialect,
    FEEDBACK_COLUMNS.map((c) => c.name).join(', '),
    tables.feedback,
    'feedback_id',
    ids,
  );
  for (const raw of stored) {
    const row = FeedbackRow.parse(raw);
    rows.set(row.feedback_id, row);
  }
  const touched = new Set<string>();
  for (const event of feedbackEvents) {
    const id = event.data.feedbackId;
    const after = evolveRow(target, rows.get(id), event);
    if (after === undefined) continue;
    rows.set(id, after);
    touched.add(id);
  }
  const values = [...touched].flatMap((id) => {
    const row = rows.get(id);
    return row === undefined ? [] : [FEEDBACK_COLUMNS.map((c) => sqlValue(row[c.name as keyof FeedbackRow]))];
  });
  await insertRows(
    tx,
    dialect,
    tables.feedback,
    FEEDBACK_COLUMNS,
    values,
    `on conflict (feedback_id) do update set
     ${FEEDBACK_COLUMNS.filter((c) => c.name !== 'feedback_id')
       .map((c) => `${c.name} = excluded.${c.name}`)
       .join(', ')}`,
  );
  return values.length;
}
