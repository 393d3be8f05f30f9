/**
 * The reporting period of an administrative-reform report: a year (`2026`), a quarter (`2026-Q1`), a month
 * (`2026-03`), or explicit local days `from` (inclusive) and `to` (exclusive, as in the KPI API).
 */
import { z } from 'zod';
import { invalidQuery } from '../access.js';

const PERIOD = /^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$/;

export const ReformReportQuery = z
  .object({
    period: z
      .string()
      .regex(PERIOD, 'expected a year (2026), a quarter (2026-Q1) or a month (2026-03)')
      .optional()
      .describe('2026, 2026-Q1 or 2026-03; or give from and to instead'),
    from: z.iso.date().optional().describe('first local day of the period (with to, instead of period)'),
    to: z.iso.date().optional().describe('the local day after the period (exclusive, as in the KPI API)'),
    unitId: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe('one competent unit; default every competent unit of the province'),
  })
  .superRefine((q, ctx) => {
    if (q.period !== undefined && (q.from !== undefined || q.to !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['period'],
        message: 'give either period or from and to, not both',
      });
    } else if (q.period === undefined && (q.from === undefined || q.to === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [q.from === undefined && q.to !== undefined ? 'from' : q.from === undefined ? 'period' : 'to'],
        message: 'give a period (2026-Q1), or both from and to',
      });
    }
  });
export type ReformReportQuery = z.infer<typeof ReformReportQuery>;

export interface ReportPeriod {
  /** For file names: `2026-Q1`, `2026-03`, `2026`, or `2026-01-01_2026-04-01`. */
  readonly key: string;
  /** In Vietnamese, for titles: `Quý I năm 2026`. */
  readonly label: string;
  /** First local day (inclusive). */
  readonly from: string;
  /** Local day after the period (exclusive). */
  readonly to: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const ROMAN = ['I', 'II', 'III', 'IV'] as const;

/** `YYYY-MM-DD` → `DD/MM/YYYY`, the Vietnamese way of writing a date. */
export function vnDate(day: string): string {
  const [y, m, d] = day.split('-');
  return `${d}/${m}/${y}`;
}

/** The day before a local day `YYYY-MM-DD` (calendar arithmetic in UTC, no time zone involved). */
export function dayBefore(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

/** The period a parsed query names; 400 naming `to` when it does not end after it starts. */
export function resolveReportPeriod(query: Pick<ReformReportQuery, 'period' | 'from' | 'to'>): ReportPeriod {
  const match = query.period === undefined ? null : PERIOD.exec(query.period);
  if (match === null) {
    const from = query.from ?? '';
    const to = query.to ?? '';
    if (to <= from) throw invalidQuery('to', 'must be after from');
    return {
      key: `${from}_${to}`,
      label: `Từ ngày ${vnDate(from)} đến ngày ${vnDate(dayBefore(to))}`,
      from,
      to,
    };
  }
  const year = Number(match[1]);
  const quarter = match[2];
  const month = match[3];
  if (quarter !== undefined) {
    const q = Number(quarter);
    const start = (q - 1) * 3 + 1;
    const to = q === 4 ? `${year + 1}-01-01` : `${year}-${pad(start + 3)}-01`;
    return {
      key: `${year}-Q${q}`,
      label: `Quý ${ROMAN[q - 1]} năm ${year}`,
      from: `${year}-${pad(start)}-01`,
      to,
    };
  }
  if (month !== undefined) {
    const m = Number(month);
    const to = m === 12 ? `${year + 1}-01-01` : `${year}-${pad(m + 1)}-01`;
    return { key: `${year}-${month}`, label: `Tháng ${m} năm ${year}`, from: `${year}-${month}-01`, to };
  }
  return { key: `${year}`, label: `Năm ${year}`, from: `${year}-01-01`, to: `${year + 1}-01-01` };
}
