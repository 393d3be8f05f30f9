/**
 * `pnpm onestop kpi --unit U`: the unit's KPI table, computed by the same `unitKpiReport` as
 * `GET /v1/kpi/units/{unitId}` (same query schema, same figures); `--json` prints that endpoint's body.
 */
import { demoCatalog } from '@onestop/catalog';
import { parseOrThrow, vnCivilServiceCalendar } from '@onestop/domain';
import { PeriodQuery, type UnitKpiReport, unitKpiReport } from '@onestop/projection';
import { parseFlags, targetOptions } from './flags.js';
import { openTarget, UsageError } from './target.js';

export const kpiUsage = `  kpi --unit <unitId> [--from <date|instant>] [--to <date|instant>] [--as-of <instant>]
      [--due statutory|appointment] [--rollup current|historical] [--json]
        prints the unit's KPI table (the figures of GET /v1/kpi/units/{unitId}); dates are Vietnam local days`;

type Row = readonly [label: string, value: string];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function value(v: unknown): string {
  if (v === null || v === undefined) return '–';
  return String(v);
}

/** The report as rows: scope first, then figures, with nested groups (points, intake) indented. */
export function kpiRows(report: UnitKpiReport): Row[] {
  const rows: Row[] = [];
  const walk = (object: Record<string, unknown>, indent: string) => {
    for (const [key, v] of Object.entries(object)) {
      if (isRecord(v)) {
        rows.push([`${indent}${key}`, '']);
        walk(v, `${indent}  `);
      } else {
        rows.push([`${indent}${key}`, Array.isArray(v) ? v.join(', ') : value(v)]);
      }
    }
  };
  walk(report, '');
  return rows;
}

export function formatKpiTable(report: UnitKpiReport): string {
  const rows = kpiRows(report);
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return `${rows.map(([label, v]) => `${label.padEnd(width)}${v}`.trimEnd()).join('\n')}\n`;
}

export async function kpiCommand(args: string[], dataDir: string, now: Date): Promise<number> {
  const flags = parseFlags(args, {
    ...targetOptions,
    unit: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    'as-of': { type: 'string' },
    due: { type: 'string' },
    rollup: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (flags.unit === undefined) throw UsageError('kpi needs --unit <unitId>');
  let query: PeriodQuery;
  try {
    query = parseOrThrow(
      PeriodQuery,
      {
        ...(flags.from === undefined ? {} : { from: flags.from }),
        ...(flags.to === undefined ? {} : { to: flags.to }),
        ...(flags['as-of'] === undefined ? {} : { asOf: flags['as-of'] }),
        ...(flags.due === undefined ? {} : { due: flags.due }),
        ...(flags.rollup === undefined ? {} : { rollup: flags.rollup }),
      },
      'kpi flags',
    );
  } catch (error) {
    throw UsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const unitId = flags.unit;
  demoCatalog.unit(unitId);
  const target = await openTarget(flags, dataDir);
  try {
    const db = target.kind === 'embedded' ? target.store : target.db;
    const report = await unitKpiReport(
      { db, catalog: demoCatalog, calendar: vnCivilServiceCalendar },
      unitId,
      query,
      now,
    );
    process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : formatKpiTable(report));
    return 0;
  } finally {
    await target.close();
  }
}
