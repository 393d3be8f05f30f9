/**
 * `pnpm onestop export --from --to`: the pseudonymous event stream as NDJSON, one catalogue event per line in log
 * order, filtered by business time (`occurredAt` in [from, to)), unit and procedure.
 *
 * Events hold no personal data: the applicant appears only as `applicantId`, a pseudonym; names, ID numbers,
 * phones and addresses live in intake's encrypted vault, which this command never reads. So the export can be
 * handed to analysts as is. Intake's bookkeeping events (codes drawn, idempotency keys) are not exported.
 *
 * A dossier matches `--unit U` if any of its events names U (any `…UnitId` field: receiving, competent,
 * transfer, returning; or the acting officer's unit), and `--procedure P` if it is a dossier of P; each then
 * contributes all its events in the period. Embedded mode reads the store's log; with `--database-url` the
 * stack-mode projection's copy of the topic (its live generation's events table).
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { type DossierEvent, parseDossierEvent, parseOrThrow } from '@onestop/domain';
import type { EmbeddedEventStore } from '@onestop/event-store';
import {
  activeGeneration,
  PeriodQuery,
  type PostgresProjectionDatabase,
  resolvePeriod,
} from '@onestop/projection';
import { z } from 'zod';
import { fromInvocationDir } from '../config.js';
import { parseFlags, targetOptions } from './flags.js';
import { logEntryOf } from './log-source.js';
import { openTarget, UsageError } from './target.js';

export const exportUsage = `  export --from <date|instant> --to <date|instant> [--unit <unitId>] [--procedure <code>] [--out <file>]
        writes the pseudonymous event stream (no personal data) as NDJSON to stdout or --out`;

const PAGE = 1_000;

export interface ExportFilter {
  readonly fromMs: number;
  readonly toMs: number;
  readonly unitId?: string;
  readonly procedureCode?: string;
}

/** The units and procedure an event tells about its dossier. */
function factsOf(event: DossierEvent): { units: string[]; procedureCode?: string } {
  const units = Object.entries(event.data).flatMap(([key, v]) =>
    key.endsWith('UnitId') && typeof v === 'string' ? [v] : [],
  );
  if (event.actor.unitId !== undefined) units.push(event.actor.unitId);
  const code = 'procedureCode' in event.data ? event.data.procedureCode : undefined;
  return typeof code === 'string' ? { units, procedureCode: code } : { units };
}

type Scan = (visit: (event: DossierEvent) => void | Promise<void>) => Promise<void>;

/** Scans a log twice: once to learn which dossiers match, once to write their events in the period. */
export async function exportEvents(
  scan: Scan,
  filter: ExportFilter,
  out: Writable,
): Promise<{ exported: number; read: number }> {
  let matching: Set<string> | undefined;
  if (filter.unitId !== undefined || filter.procedureCode !== undefined) {
    const units = new Map<string, Set<string>>();
    const procedures = new Map<string, string>();
    await scan((event) => {
      const facts = factsOf(event);
      const known = units.get(event.dossierId) ?? new Set<string>();
      for (const unit of facts.units) known.add(unit);
      units.set(event.dossierId, known);
      if (facts.procedureCode !== undefined) procedures.set(event.dossierId, facts.procedureCode);
    });
    matching = new Set(
      [...units.keys()].filter(
        (id) =>
          (filter.unitId === undefined || units.get(id)?.has(filter.unitId) === true) &&
          (filter.procedureCode === undefined || procedures.get(id) === filter.procedureCode),
      ),
    );
  }
  let exported = 0;
  let read = 0;
  await scan(async (event) => {
    read++;
    const at = Date.parse(event.occurredAt);
    if (at < filter.fromMs || at >= filter.toMs) return;
    if (matching !== undefined && !matching.has(event.dossierId)) return;
    exported++;
    // Back-pressure: a slow reader of stdout must not make the whole export pile up in memory.
    if (!out.write(`${JSON.stringify(event)}\n`)) await once(out, 'drain');
  });
  return { exported, read };
}

function scanStore(store: EmbeddedEventStore): Scan {
  return async (visit) => {
    let after: string | undefined;
    for (;;) {
      const page = await store.readAll({ ...(after === undefined ? {} : { after }), maxCount: PAGE });
      for (const stored of page.events) {
        const entry = logEntryOf(stored);
        if (entry.kind === 'dossier') await visit(entry.event);
      }
      if (page.events.length < PAGE) return;
      after = page.checkpoint;
    }
  };
}

const BodyRow = z.object({
  body: z.string(),
  occurred_at_ms: z.unknown(),
  dossier_id: z.string(),
  seq: z.unknown(),
});
const Cursor = z.object({ at: z.coerce.number(), dossier: z.string(), seq: z.coerce.number() });

function scanProjection(db: PostgresProjectionDatabase): Scan {
  return async (visit) => {
    let cursor: z.infer<typeof Cursor> | undefined;
    for (;;) {
      const rows = await db.withTransaction(async (tx) => {
        const { tables } = await activeGeneration(tx, db.schema);
        const { rows } = await tx.query(
          `select body, occurred_at_ms, dossier_id, seq from ${tables.events}
            ${cursor === undefined ? '' : 'where (occurred_at_ms, dossier_id, seq) > ($1, $2, $3)'}
            order by occurred_at_ms, dossier_id, seq limit ${PAGE}`,
          cursor === undefined ? [] : [cursor.at, cursor.dossier, cursor.seq],
        );
        return rows.map((row) => BodyRow.parse(row));
      });
      for (const row of rows) await visit(parseDossierEvent(JSON.parse(row.body)));
      const last = rows.at(-1);
      if (last === undefined || rows.length < PAGE) return;
      cursor = Cursor.parse({ at: last.occurred_at_ms, dossier: last.dossier_id, seq: last.seq });
    }
  };
}

export async function exportCommand(args: string[], dataDir: string, now: Date): Promise<number> {
  const flags = parseFlags(args, {
    ...targetOptions,
    from: { type: 'string' },
    to: { type: 'string' },
    unit: { type: 'string' },
    procedure: { type: 'string' },
    out: { type: 'string' },
  });
  if (flags.from === undefined || flags.to === undefined) throw UsageError('export needs --from and --to');
  if (flags.procedure !== undefined && !/^\d\.\d{6}$/.test(flags.procedure)) {
    throw UsageError('--procedure: expected a procedure code like 1.004227');
  }
  let period: { fromMs: number; toMs: number };
  try {
    const query = parseOrThrow(
      PeriodQuery.pick({ from: true, to: true }),
      { from: flags.from, to: flags.to },
      'export flags',
    );
    period = resolvePeriod(query, now);
  } catch (error) {
    throw UsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const filter: ExportFilter = {
    ...period,
    ...(flags.unit === undefined ? {} : { unitId: flags.unit }),
    ...(flags.procedure === undefined ? {} : { procedureCode: flags.procedure }),
  };
  const target = await openTarget(flags, dataDir);
  try {
    const scan = target.kind === 'embedded' ? scanStore(target.store) : scanProjection(target.db);
    const outFile = flags.out === undefined ? undefined : fromInvocationDir(flags.out);
    const out = outFile === undefined ? process.stdout : createWriteStream(outFile);
    const { exported, read } = await exportEvents(scan, filter, out);
    if (outFile !== undefined) {
      out.end();
      await once(out, 'finish');
    }
    process.stderr.write(
      `export: ${exported} events of ${read} in [${new Date(period.fromMs).toISOString()}, ` +
        `${new Date(period.toMs).toISOString()})${outFile === undefined ? '' : ` written to ${outFile}`}\n`,
    );
    return 0;
  } finally {
    await target.close();
  }
}
