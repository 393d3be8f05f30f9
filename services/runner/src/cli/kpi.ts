/**
 * `pnpm onestop kpi --unit U`: the unit's KPI table, computed by the same `unitKpiReport` as
 * `GET /v1/kpi/units/{unitId}` (same query schema, same figures); `--json` prints that endpoint's body.
 * `--compare-calendar V1 V2` recomputes the same report under two calendar versions (the endpoint's recomputed
 * path) and prints them side by side with the changed figures marked, and the dossiers whose due or
 * classification changes.
 */
import { demoCatalog } from '@onestop/catalog';
import { parseOrThrow, vnCivilServiceCalendar } from '@onestop/domain';
import {
  type CalendarComparison,
  calendarOfVersion,
  compareUnitKpiCalendars,
  PeriodQuery,
  type UnitKpiReport,
  unitKpiReport,
} from '@onestop/projection';
import { parseFlags, takeFlagPair, targetOptions } from './flags.js';
import { openTarget, UsageError } from './target.js';

export const kpiUsage = `  kpi --unit <unitId> [--from <date|instant>] [--to <date|instant>] [--as-of <instant>]
      [--due statutory|appointment] [--rollup current|historical] [--compare-calendar <v1> <v2>] [--json]
        prints the unit's KPI table (the figures of GET /v1/kpi/units/{unitId}); dates are Vietnam local days;
        --compare-calendar recomputes it under two calendar versions and shows what changes`;

type Row = readonly [label: string, value: string];

/** A leaf or group of a report: its indented label, its dotted path (as `figureLeaves` names it), its value. */
interface Line {
  readonly label: string;
  readonly path: string;
  readonly value: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function value(v: unknown): string {
  if (v === null || v === undefined) return '–';
  return String(v);
}

/** The report as lines: scope first, then figures, with nested groups (points, intake) indented. */
function linesOf(report: UnitKpiReport): Line[] {
  const lines: Line[] = [];
  const walk = (object: Record<string, unknown>, indent: string, prefix: string) => {
    for (const [key, v] of Object.entries(object)) {
      const path = `${prefix}${key}`;
      if (isRecord(v)) {
        lines.push({ label: `${indent}${key}`, path, value: '' });
        walk(v, `${indent}  `, `${path}.`);
      } else {
        lines.push({ label: `${indent}${key}`, path, value: Array.isArray(v) ? v.join(', ') : value(v) });
      }
    }
  };
  walk(report, '', '');
  return lines;
}

/** The report as rows: scope first, then figures, with nested groups (points, intake) indented. */
export function kpiRows(report: UnitKpiReport): Row[] {
  return linesOf(report).map((line) => [line.label, line.value] as const);
}

export function formatKpiTable(report: UnitKpiReport): string {
  const rows = kpiRows(report);
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return `${rows.map(([label, v]) => `${label.padEnd(width)}${v}`.trimEnd()).join('\n')}\n`;
}

const VN_OFFSET_MS = 7 * 3_600_000;
/** An ISO instant as Vietnam local time, `YYYY-MM-DD HH:MM`. */
const local = (instant: string | null) =>
  instant === null
    ? '–'
    : new Date(Date.parse(instant) + VN_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');

/**
 * Both reports side by side, a changed figure marked `*` in the first column; then the dossiers whose due or
 * classification changes (code, due V1 → V2 in local time, classification V1 → V2).
 */
export function formatCalendarComparison(comparison: CalendarComparison): string {
  const [a, b] = comparison.reports;
  const right = new Map(linesOf(b).map((line) => [line.path, line.value]));
  const changed = new Set(comparison.changedFigures.map((change) => change.figure));
  const [v1, v2] = comparison.calendars;
  const lines = linesOf(a);
  const labelWidth = Math.max(...lines.map((line) => line.label.length)) + 2;
  const valueWidth = Math.max(v1.length, ...lines.map((line) => line.value.length)) + 2;
  const row = (mark: string, label: string, left: string, rightValue: string) =>
    `${mark} ${label.padEnd(labelWidth)}${left.padEnd(valueWidth)}${rightValue}`.trimEnd();
  const out = [
    row(' ', 'calendar', v1, v2),
    ...lines.map((line) =>
      row(changed.has(line.path) ? '*' : ' ', line.label, line.value, right.get(line.path) ?? '–'),
    ),
    '',
    `${comparison.changedFigures.length} figure(s) differ (marked *)`,
  ];
  const dossiers = comparison.changedDossiers;
  out.push(`${dossiers.length} dossier(s) whose due or classification changes:`);
  if (dossiers.length > 0) {
    const table = [
      ['code', 'procedure', `due ${v1} → ${v2}`, 'classification'],
      ...dossiers.map((d) => [
        d.dossierCode,
        d.procedureCode,
        `${local(d.due[0])} → ${local(d.due[1])}`,
        `${d.classification[0] ?? '–'} → ${d.classification[1] ?? '–'}`,
      ]),
    ];
    const widths = [0, 1, 2].map((i) => Math.max(...table.map((cells) => cells[i]?.length ?? 0)) + 2);
    for (const cells of table) {
      out.push(`  ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('')}`.trimEnd());
    }
  }
  return `${out.join('\n')}\n`;
}

export async function kpiCommand(args: string[], dataDir: string, now: Date): Promise<number> {
  const { rest, pair: compare } = takeFlagPair(args, 'compare-calendar');
  const flags = parseFlags(rest, {
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
  // Before opening anything: an unknown version fails (exit 1) naming it and the known ones.
  for (const version of compare ?? []) calendarOfVersion(version);
  const target = await openTarget(flags, dataDir);
  try {
    const db = target.kind === 'embedded' ? target.store : target.db;
    const deps = { db, catalog: demoCatalog, calendar: vnCivilServiceCalendar };
    if (compare !== undefined) {
      const comparison = await compareUnitKpiCalendars(deps, unitId, query, now, compare);
      process.stdout.write(
        flags.json ? `${JSON.stringify(comparison)}\n` : formatCalendarComparison(comparison),
      );
      return 0;
    }
    const report = await unitKpiReport(deps, unitId, query, now);
    process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : formatKpiTable(report));
    return 0;
  } finally {
    await target.close();
  }
}
