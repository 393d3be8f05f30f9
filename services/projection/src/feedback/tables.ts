/**
 * The feedback (PAKN) read model: one row per feedback item, per generation (`{generation}_feedback`), so a
 * replay rebuilds it beside the other tables and drops it with its generation. Each stage keeps its instant,
 * its due and the `late` flag its event recorded; KPIs 5.2–5.4 judge the row as of any instant from these
 * columns alone (a stage that happened after `asOf` counts as not yet done), with no replay of events.
 * Same SQL subset as `read-model/tables.ts` (epoch ms, 0/1 flags, no dialect-only functions).
 */
import type { BulkColumn } from '../read-model/bulk-sql.js';

const text = (name: string): BulkColumn => ({ name, pgType: 'text' });
const bigint = (name: string): BulkColumn => ({ name, pgType: 'bigint' });
const integer = (name: string): BulkColumn => ({ name, pgType: 'integer' });

/** Columns of the feedback row, in DDL order (the bulk upsert writes all of them). */
export const FEEDBACK_COLUMNS: readonly BulkColumn[] = [
  text('feedback_id'),
  text('dossier_id'),
  text('subject_kind'),
  text('procedure_code'),
  text('responsible_unit_id'),
  text('channel'),
  text('category'),
  bigint('filed_at_ms'),
  bigint('decision_due_ms'),
  text('decision'),
  bigint('decided_at_ms'),
  integer('decision_late'),
  bigint('info_due_ms'),
  bigint('info_requested_at_ms'),
  integer('info_late'),
  bigint('answer_due_ms'),
  bigint('answered_at_ms'),
  integer('answer_late'),
  bigint('publication_due_ms'),
  bigint('published_at_ms'),
  integer('publication_late'),
  text('rating'),
  bigint('rated_at_ms'),
  bigint('followed_up_at_ms'),
  bigint('last_event_ms'),
];

const NOT_NULL = new Set([
  'feedback_id',
  'subject_kind',
  'responsible_unit_id',
  'channel',
  'category',
  'filed_at_ms',
  'decision_due_ms',
  'last_event_ms',
]);

/** DDL of one generation's feedback table (index names carry the generation: SQLite's are global). */
export function feedbackDdl(table: string, generation: string): string[] {
  const columns = FEEDBACK_COLUMNS.map(
    (c) =>
      `${c.name} ${c.pgType}${c.name === 'feedback_id' ? ' primary key' : NOT_NULL.has(c.name) ? ' not null' : ''}`,
  );
  return [
    `create table if not exists ${table} (\n  ${columns.join(',\n  ')}\n)`,
    `create index if not exists ${generation}_feedback_by_unit_filed on ${table} (responsible_unit_id, filed_at_ms)`,
  ];
}
