/** Query parameters shared by the KPI routes, and how a period is resolved from them. */
import { localDateOf } from '@onestop/domain';
import { z } from 'zod';
import { invalidQuery } from '../access.js';
import type { Period } from './query.js';

const DateOrInstant = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .describe('a local (Vietnam) date YYYY-MM-DD, meaning its midnight, or an ISO instant with offset');

export const UnitIdParam = z.object({
  unitId: z.string().min(1).max(64).describe('unit id from the registry'),
});

export const PeriodQuery = z.object({
  from: DateOrInstant.optional().describe('received from (inclusive); default 2000-01-01'),
  to: DateOrInstant.optional().describe('received before (exclusive); default the day after asOf'),
  asOf: z.iso.datetime({ offset: true }).optional().describe('judge as of this instant; default now'),
  due: z.enum(['statutory', 'appointment']).default('statutory'),
  rollup: z
    .enum(['current', 'historical'])
    .default('current')
    .describe('current: include units merged into this one; historical: the unit as it was'),
});
export type PeriodQuery = z.infer<typeof PeriodQuery>;

const DAY_MS = 86_400_000;
const VN_OFFSET_MS = 7 * 3_600_000;
const DEFAULT_FROM = '2000-01-01';

function instantOf(value: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00+07:00`) : Date.parse(value);
}

/** [from, to) and asOf in epoch ms; 400 naming `to` when the period is empty. */
export function resolvePeriod(
  query: { from?: string | undefined; to?: string | undefined; asOf?: string | undefined },
  now: Date,
): Period {
  const asOfMs = query.asOf === undefined ? now.getTime() : Date.parse(query.asOf);
  const nextLocalMidnight = Date.parse(`${localDateOf(new Date(asOfMs))}T00:00:00+07:00`) + DAY_MS;
  const fromMs = instantOf(query.from ?? DEFAULT_FROM);
  const toMs = query.to === undefined ? nextLocalMidnight : instantOf(query.to);
  if (toMs <= fromMs) throw invalidQuery('to', 'must be after from');
  return { fromMs, toMs, asOfMs };
}

export const iso = (ms: number) => new Date(ms).toISOString();
export const isLocalMidnight = (ms: number) => (ms + VN_OFFSET_MS) % DAY_MS === 0;
