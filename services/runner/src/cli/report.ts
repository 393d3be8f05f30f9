/**
 * `pnpm onestop report --period 2026-Q1`: the periodic administrative-reform report as XLSX and/or PDF files,
 * built by the same `reformReport` as `GET /v1/reports/reform` (the KPI API's figures).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoCatalog } from '@onestop/catalog';
import { parseOrThrow, vnCivilServiceCalendar } from '@onestop/domain';
import { ReformReportQuery, reformReport, reformReportPdf, reformReportXlsx } from '@onestop/projection';
import { z } from 'zod';
import { fromInvocationDir } from '../config.js';
import { parseFlags, targetOptions } from './flags.js';
import { openTarget, UsageError } from './target.js';

export const reportUsage = `  report --period <2026|2026-Q1|2026-03> | --from <date> --to <date> [--unit <unitId>]
      [--format xlsx|pdf|both] [--out <dir>]
        writes the administrative-reform report (every competent unit, or --unit) to --out (default .)`;

const Format = z.enum(['xlsx', 'pdf', 'both']);

function usageOf<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw UsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** Writes the files and prints their paths (one a line). */
export async function reportCommand(args: string[], dataDir: string, now: Date): Promise<number> {
  const flags = parseFlags(args, {
    ...targetOptions,
    period: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    unit: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' },
  });
  const query = usageOf(() =>
    parseOrThrow(
      ReformReportQuery,
      {
        ...(flags.period === undefined ? {} : { period: flags.period }),
        ...(flags.from === undefined ? {} : { from: flags.from }),
        ...(flags.to === undefined ? {} : { to: flags.to }),
        ...(flags.unit === undefined ? {} : { unitId: flags.unit }),
      },
      'report flags',
    ),
  );
  const format = usageOf(() => parseOrThrow(Format, flags.format ?? 'both', '--format'));
  if (query.unitId !== undefined) demoCatalog.unit(query.unitId);
  const target = await openTarget(flags, dataDir);
  let report: Awaited<ReturnType<typeof reformReport>>;
  try {
    const db = target.kind === 'embedded' ? target.store : target.db;
    report = await reformReport({ db, catalog: demoCatalog, calendar: vnCivilServiceCalendar }, query, now);
  } finally {
    await target.close();
  }
  const dir = fromInvocationDir(flags.out ?? '.');
  await mkdir(dir, { recursive: true });
  const base = `bao-cao-cchc-${report.period.key}${query.unitId === undefined ? '' : `-${query.unitId}`}`;
  const files: Array<[string, () => Promise<Buffer>]> = [];
  if (format !== 'pdf') files.push([join(dir, `${base}.xlsx`), () => reformReportXlsx(report)]);
  if (format !== 'xlsx') files.push([join(dir, `${base}.pdf`), () => reformReportPdf(report)]);
  for (const [path, render] of files) {
    await writeFile(path, await render());
    process.stdout.write(`${path}\n`);
  }
  return 0;
}
