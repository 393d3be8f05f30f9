/**
 * Given a mixed log, the batched path (a replay cut into batches of any size, its dossier cache large or small)
 * leaves exactly the rows the live handler leaves applying the same events one by one, on PostgreSQL and on the
 * embedded store.
 */
import { demoCatalog, demoUnitIds } from '@onestop/catalog';
import { DossierEvent } from '@onestop/domain';
import type { SqlTransaction } from '@onestop/messaging';
import { describe, expect, it } from 'vitest';
import { BACKENDS, useProjection } from '../testing/harness.js';
import { CRIMINAL_RECORD, DossierScenario, guidance, refusal, vn } from '../testing/scenario.js';
import { activeGeneration } from './generations.js';
import { postgresProjectionDatabase } from './postgres.js';
import { type LogEntry, type RebuildSource, rebuildProjection } from './rebuild.js';
import type { ProjectionTables } from './tables.js';

const CENTRE = demoUnitIds.provincialCentre;
const WARD = demoUnitIds.nhaTrangCentre;
/** A Department of Finance procedure (no other dossier of the log has it). */
const FINANCE_PROCEDURE = '2.002042';

/** Dossiers of every ending, a unit change at case opening, refusals, guidance; merged in time order. */
function mixedLog(): DossierEvent[] {
  const day = (d: number, hm: string) => `2025-10-${String(d).padStart(2, '0')}T${hm}`;
  const scenarios: DossierScenario[] = [];
  for (let i = 0; i < 6; i++) {
    const d = 6 + i;
    scenarios.push(
      new DossierScenario({ receivedAt: day(d, '09:00'), channel: i % 2 ? 'online' : 'desk' })
        .digitize(day(d, '09:05'), 'phieu-yeu-cau')
        .digitize(day(d, '09:06'), 'hop-dong-bao-dam', i % 3 ? 'scanned' : 'reused')
        .transferAndOpen(day(d, '09:30'))
        .assign(day(d, '09:40'), 'appraise', `officer-${i % 2}`)
        .completeStep(day(d + 1, '09:30'), 'appraise', `officer-${i % 2}`, 'sign')
        .completeStep(day(d + 1, '10:00'), 'sign', 'officer-lead')
        .decide(day(d + 1, '10:00'))
        .digitizeResult(day(d + 1, '10:05'))
        .returnResult(day(d + 2, '09:00'), ((i % 4) + 1) as 1 | 2 | 3 | 4),
      new DossierScenario({ receivedAt: day(d, '10:00') })
        .transferAndOpen(day(d, '10:00'))
        .requestSupplement(day(d, '11:00'), 1)
        .receiveSupplement(day(d + 1, '11:00'), 1)
        .requestSupplement(day(d + 1, '14:00'), 2)
        .receiveSupplement(day(d + 1, '15:00'), 2)
        .requestPayment(day(d + 1, '15:10'))
        .confirmPayment(day(d + 1, '15:20'), i % 2 === 0)
        .decide(day(d + 2, '16:00'), i % 2 ? 'approved' : 'refused'),
      new DossierScenario({ receivedAt: day(d, '11:00') })
        .transferAndOpen(day(d, '11:00'))
        .extend(day(d, '14:00'), day(d + 3, '17:00'), day(d + 1, '11:00'), i % 2 === 1)
        .stop(day(d + 2, '13:00')),
      new DossierScenario({
        receivedAt: day(d, '13:30'),
        receivingUnitId: WARD,
        crossBoundary: true,
      }).withdraw(day(d, '15:00')),
      new DossierScenario({ receivedAt: day(d, '14:00'), procedureCode: CRIMINAL_RECORD }).transferAndOpen(
        day(d + 1, '08:00'),
      ),
    );
    // Received for one unit, opened by another: the receipt's aggregate rows move to the case's unit.
    const moved = new DossierScenario({ receivedAt: day(d, '15:00'), procedureCode: FINANCE_PROCEDURE });
    moved.add('processing', 'CaseOpened', day(d, '16:00'), {
      procedureCode: FINANCE_PROCEDURE,
      competentUnitId: demoUnitIds.justice,
      statutoryDueAt: vn(day(d + 1, '16:00')),
      steps: [{ stepId: 'appraise', name: 'Thẩm định', role: 'specialist', budgetWorkingHours: 4 }],
    });
    moved.completeStep(day(d + 1, '09:00'), 'appraise', 'officer-j');
    scenarios.push(moved);
  }
  // A reason with the characters COPY's text format escapes (tab, line breaks, backslash) and quotes.
  const escaped = refusal('2025-10-07T09:30', CENTRE);
  const extra = [
    refusal('2025-10-06T09:10', CENTRE),
    refusal('2025-10-07T09:10', WARD),
    guidance('2025-10-07T09:20', CENTRE),
    DossierEvent.parse({
      ...escaped,
      data: { ...escaped.data, reason: 'thiếu\tgiấy tờ\r\n"bản gốc" \\ C:\\hồ sơ\\' },
    }),
  ];
  const all = [...scenarios.flatMap((s) => s.events), ...extra];
  const sorted = all
    .map((event, i) => ({ event, i }))
    .sort((a, b) => Date.parse(a.event.occurredAt) - Date.parse(b.event.occurredAt) || a.i - b.i)
    .map(({ event }) => event);
  // A redelivery, and an event that arrives before its dossier's receipt.
  const early = scenarios[1]?.events[1];
  const log = early === undefined ? sorted : [early, ...sorted];
  const again = sorted[17];
  return again === undefined ? log : [...log.slice(0, 40), again, ...log.slice(40)];
}

function arraySource(log: readonly LogEntry[]): RebuildSource {
  const position = (after: string | undefined) => (after === undefined ? 0 : Number(after));
  return {
    async read(after, max) {
      const from = position(after);
      const page = log.slice(from, from + max);
      return {
        entries: page,
        checkpoint: page.length === 0 ? after : String(from + page.length),
      };
    },
    async remaining(after) {
      return log.length - position(after);
    },
  };
}

const KEYS: Record<keyof ProjectionTables, string> = {
  dossiers: 'dossier_id',
  events: 'dossier_id, seq',
  unitDaily: 'competent_unit_id, day, procedure_code',
  intakeDaily: 'receiving_unit_id, day',
  officerSteps: 'competent_unit_id, officer_id, step_id',
  feedback: 'feedback_id',
};

/** Every row of the live generation, numbers normalised (PostgreSQL returns bigint as text). */
async function snapshot(tx: SqlTransaction, schema?: string) {
  const { tables } = await activeGeneration(tx, schema);
  const out: Record<string, unknown[]> = {};
  for (const name of Object.keys(KEYS) as Array<keyof ProjectionTables>) {
    const { rows } = await tx.query(`select * from ${tables[name]} order by ${KEYS[name]}`);
    out[name] = rows.map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v]),
      ),
    );
  }
  return out;
}

describe.each(BACKENDS)('batched rebuild against the live handler on %s', (backend) => {
  const p = useProjection(backend, new Date(vn('2025-10-20T12:00')));
  const log = mixedLog();

  it('given a mixed log applied event by event, when rebuilt in batches of several sizes, then every table is identical', async () => {
    await p.current.apply(log);
    const { db } = p.current;
    const live = await db.withTransaction((tx) => snapshot(tx, db.schema));
    expect(live.dossiers?.length).toBe(36);
    expect(live.events?.length).toBe(new Set(log.map((e) => e.eventId)).size);
    expect(live.intakeDaily).toContainEqual(expect.objectContaining({ receiving_unit_id: WARD, refused: 1 }));
    // The dossiers opened by another unit moved their receipt's unit row there; the emptied rows are gone.
    const moved = live.unitDaily?.filter((raw) => {
      const row = raw as { competent_unit_id: string; procedure_code: string };
      return row.competent_unit_id === demoUnitIds.justice && row.procedure_code === FINANCE_PROCEDURE;
    });
    expect(moved).toHaveLength(6);
    expect(moved).toContainEqual(
      expect.objectContaining({ day: '2025-10-06', procedure_code: FINANCE_PROCEDURE, received: 1 }),
    );
    expect(live.unitDaily?.filter((row) => (row as { received: number }).received === 0)).toEqual([]);

    const parsed = log.map((event): LogEntry => ({ kind: 'dossier', event }));
    // The same events as unparsed envelopes (one rating as its v1, upcast on the way), and one whose envelope
    // is broken (its occurredAt is no instant): rejected, the tables unchanged.
    let upcastOne = true;
    const trusted = log.map((event): LogEntry => {
      const raw = JSON.parse(JSON.stringify(event));
      if (upcastOne && event.type === 'SatisfactionRated' && event.data.rating === 2) {
        upcastOne = false;
        return { kind: 'trusted', raw: { ...raw, schemaVersion: 1, data: { score: 'satisfied' } } };
      }
      return { kind: 'trusted', raw };
    });
    expect(upcastOne).toBe(false);
    trusted.splice(30, 0, {
      kind: 'trusted',
      raw: { ...JSON.parse(JSON.stringify(log[30])), occurredAt: 'soon' },
    });

    const shapes = [
      { entries: parsed, chunkSize: 7, batchEvents: 23, cacheEvents: 15 },
      { entries: parsed, chunkSize: 1000, batchEvents: 100_000, batchMs: 60_000 },
      { entries: parsed, chunkSize: 3, batchEvents: 5, cacheEvents: 1_000 },
      { entries: trusted, chunkSize: 11, batchEvents: 40, cacheEvents: 100 },
    ];
    for (const { entries, ...shape } of shapes) {
      const result = await rebuildProjection({
        db,
        source: arraySource(entries),
        catalog: demoCatalog,
        ...shape,
      });
      expect(result).toMatchObject({
        status: 'switched',
        eventsRead: entries.length,
        rejected: entries.length - log.length,
      });
      expect(await db.withTransaction((tx) => snapshot(tx, db.schema))).toEqual(live);
    }

    // Stack mode's own pool of the projection database: its transactions stream the new events in with COPY.
    const { connectionString } = p.current;
    if (connectionString === undefined || db.schema === undefined) return;
    const own = await postgresProjectionDatabase({ connectionString, schema: db.schema, maxConnections: 2 });
    try {
      for (const { entries, ...shape } of [shapes[0], shapes[3]].flatMap((s) => (s ? [s] : []))) {
        const result = await rebuildProjection({
          db: own,
          source: arraySource(entries),
          catalog: demoCatalog,
          ...shape,
        });
        expect(result).toMatchObject({ status: 'switched', eventsRead: entries.length });
        expect(await own.withTransaction((tx) => snapshot(tx, own.schema))).toEqual(live);
      }
    } finally {
      await own.close();
    }
  });
});
