/**
 * `pnpm onestop report` as a user runs it (a child process) on a stack-mode projection: it writes the XLSX and
 * the PDF of `reformReport`, and exits 2 with the usage on command-line mistakes.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoCatalog, demoUnitIds } from '@onestop/catalog';
import { vnCivilServiceCalendar } from '@onestop/domain';
import {
  createProjectionHandler,
  FIGURE_COLUMNS,
  migrateProjection,
  type PostgresProjectionDatabase,
  postgresProjectionDatabase,
  reformReport,
} from '@onestop/projection';
import { CRIMINAL_RECORD, DossierScenario } from '@onestop/projection/testing';
import { useTestSchema } from '@onestop/testing';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, runCli } from '../testing/cli.js';

const JUSTICE = demoUnitIds.justice;
const AG_ENV = demoUnitIds.agricultureEnvironment;

function onestop(...args: string[]): Promise<CliRun> {
  return runCli(join(out, 'no-data'), args);
}

let out: string;
let db: PostgresProjectionDatabase;
const pg = useTestSchema('report');

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'onestop-report-'));
  db = await postgresProjectionDatabase({
    connectionString: pg.current.connectionString,
    schema: pg.current.schema,
  });
  await migrateProjection(db);
  const handler = createProjectionHandler({ catalog: demoCatalog, schema: pg.current.schema });
  const dossiers = [
    new DossierScenario({ receivedAt: '2026-09-07T09:00', procedureCode: CRIMINAL_RECORD })
      .transferAndOpen('2026-09-07T09:00')
      .decide('2026-09-09T09:00'),
    new DossierScenario({ receivedAt: '2026-09-14T09:00', procedureCode: CRIMINAL_RECORD }).transferAndOpen(
      '2026-09-14T09:00',
    ),
    new DossierScenario({ receivedAt: '2026-09-08T09:00' }).transferAndOpen('2026-09-08T09:00'),
  ];
  for (const event of dossiers.flatMap((d) => d.events)) {
    await db.withTransaction((tx) => handler(event, tx));
  }
});

afterAll(async () => {
  await db.close();
  await rm(out, { recursive: true, force: true });
});

describe('pnpm onestop report', () => {
  it('given a stack-mode projection, when run for a month, then it writes the XLSX and PDF of the reform report', async () => {
    const target = ['--database-url', pg.current.connectionString, '--schema', pg.current.schema];
    const run = await onestop('report', '--period', '2026-09', '--out', out, ...target);
    expect(run.code, run.stderr).toBe(0);
    const xlsxPath = join(out, 'bao-cao-cchc-2026-09.xlsx');
    const pdfPath = join(out, 'bao-cao-cchc-2026-09.pdf');
    expect(run.stdout.trim().split('\n')).toEqual([xlsxPath, pdfPath]);
    expect((await readFile(pdfPath)).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(xlsxPath);
    const sheet = workbook.getWorksheet('Tổng hợp theo đơn vị');
    const expected = await reformReport(
      { db, catalog: demoCatalog, calendar: vnCivilServiceCalendar },
      { period: '2026-09' },
      new Date(),
    );
    expect(expected.units.find((u) => u.unitId === JUSTICE)?.figures).toMatchObject({
      received: 2,
      early: 1,
    });
    const rowOf = (unitId: string) => {
      let found: ExcelJS.Row | undefined;
      sheet?.eachRow((row) => {
        if (row.getCell(2).value === unitId) found = row;
      });
      return found;
    };
    for (const unit of expected.units) {
      const row = rowOf(unit.unitId);
      const cells = FIGURE_COLUMNS.map((_, i) => row?.getCell(4 + i).value ?? null);
      expect(cells, unit.unitId).toEqual(FIGURE_COLUMNS.map((c) => unit.figures[c.key]));
    }
  }, 30_000);

  it('given --unit and --format pdf, then only that unit’s PDF is written', async () => {
    const target = ['--database-url', pg.current.connectionString, '--schema', pg.current.schema];
    const run = await onestop(
      'report',
      '--period',
      '2026-Q3',
      '--unit',
      AG_ENV,
      '--format',
      'pdf',
      '--out',
      out,
      ...target,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(join(out, `bao-cao-cchc-2026-Q3-${AG_ENV}.pdf`));
  }, 30_000);

  it('given command-line mistakes, then it exits 2 naming the flag; an unknown unit exits 1', async () => {
    const [missing, malformed, format, unknown] = await Promise.all([
      onestop('report'),
      onestop('report', '--period', 'Q3-2026'),
      onestop('report', '--period', '2026-Q3', '--format', 'docx'),
      onestop('report', '--period', '2026-Q3', '--unit', 'kh.so-khong-co'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('period');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('expected a year (2026), a quarter (2026-Q1) or a month (2026-03)');
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('CATALOG_UNIT_NOT_FOUND');
  }, 30_000);
});
