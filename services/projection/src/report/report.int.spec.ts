/**
 * Given a quarter of dossiers (2026-Q1, with some received in December and still open on 1 January) and of
 * feedback, then the reform report's XLSX cells are the KPI API's figures for the same period and unit (feedback
 * ones per unit only, from its `feedback`), its PDF carries the
 * Vietnamese names, and `GET /v1/reports/reform` serves both to analysts and leaders only. "Now" is 10 Apr 2026.
 */
import { spawnSync } from 'node:child_process';
import { demoCatalog, demoUnitIds } from '@onestop/catalog';
import { vnCivilServiceCalendar } from '@onestop/domain';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FeedbackScenario } from '../feedback/testing.js';
import { BACKENDS, get, type Projection, token, useProjection } from '../testing/harness.js';
import { CRIMINAL_RECORD, DossierScenario, vn } from '../testing/scenario.js';
import { DETAIL_SHEET, FIGURE_COLUMNS, REPORT_NOTES, SUMMARY_SHEET } from './columns.js';
import { type ReportFigures, reformReport } from './model.js';
import { reformReportPdf } from './pdf.js';
import { HEADER_ROW, reformReportXlsx, XLSX_CONTENT_TYPE } from './xlsx.js';

const AG_ENV = demoUnitIds.agricultureEnvironment;
const JUSTICE = demoUnitIds.justice;
const NHA_TRANG = demoUnitIds.nhaTrangWard;
const LAND = '1.012756';
const DEATH = '1.000656';
const NOW = vn('2026-04-10T10:00');

// The KPI API parameters of 2026-Q1 judged at its end, and of what was open at its start, written out here
// rather than taken from the report.
const Q1 = `from=2026-01-01&to=2026-04-01&asOf=${encodeURIComponent('2026-03-31T16:59:59.999Z')}`;
const BEFORE_Q1 = `to=2026-01-01&asOf=${encodeURIComponent('2025-12-31T16:59:59.999Z')}`;

function quarter() {
  const digitizedEarly = new DossierScenario({ receivedAt: '2026-03-02T09:00', channel: 'online' })
    .transferAndOpen('2026-03-02T09:00')
    .digitize('2026-03-02T09:30', 'phieu-yeu-cau')
    .digitize('2026-03-02T09:30', 'hop-dong-bao-dam')
    .digitize('2026-03-02T09:30', 'giay-chung-nhan', 'reused')
    .decide('2026-03-02T16:00')
    .digitizeResult('2026-03-02T16:10')
    .returnResult('2026-03-02T16:30', 1);
  const onTime = new DossierScenario({ receivedAt: '2026-03-02T09:00' })
    .transferAndOpen('2026-03-02T09:00')
    .decide('2026-03-03T08:30');
  // Due Tue 10 Mar 09:00; the apology comes an hour after it.
  const lateApology = new DossierScenario({ receivedAt: '2026-03-09T09:00' })
    .transferAndOpen('2026-03-09T09:00')
    .extend('2026-03-10T10:00', '2026-03-11T17:00', '2026-03-10T09:00', true)
    .decide('2026-03-11T10:00');
  const lateDissatisfied = new DossierScenario({ receivedAt: '2026-03-09T09:00' })
    .transferAndOpen('2026-03-09T09:00')
    .decide('2026-03-11T10:00')
    .returnResult('2026-03-11T11:00', 4);
  const extendedInTime = new DossierScenario({ receivedAt: '2026-03-02T09:00' })
    .transferAndOpen('2026-03-02T09:00')
    .extend('2026-03-02T14:00', '2026-03-04T17:00', '2026-03-03T09:00')
    .decide('2026-03-03T14:00');
  // Open at the end of March (due Wed 1 Apr 09:00), decided in April: in time at the period's end.
  const openInTime = new DossierScenario({ receivedAt: '2026-03-31T09:00' })
    .transferAndOpen('2026-03-31T09:00')
    .decide('2026-04-01T08:00');
  const openOverdue = new DossierScenario({ receivedAt: '2026-03-23T09:00' }).transferAndOpen(
    '2026-03-23T09:00',
  );
  const landOpen = new DossierScenario({
    receivedAt: '2026-03-16T09:00',
    procedureCode: LAND,
  }).transferAndOpen('2026-03-16T09:00');
  const landEarly = new DossierScenario({ receivedAt: '2026-03-03T09:00', procedureCode: LAND })
    .transferAndOpen('2026-03-03T09:00')
    .decide('2026-03-20T09:00');
  const carriedResolved = new DossierScenario({ receivedAt: '2025-12-29T09:00' })
    .transferAndOpen('2025-12-29T09:00')
    .decide('2026-01-05T09:00');
  const endedBefore = new DossierScenario({ receivedAt: '2025-12-15T09:00' })
    .transferAndOpen('2025-12-15T09:00')
    .decide('2025-12-15T15:00');
  const carriedOpen = new DossierScenario({ receivedAt: '2025-12-30T09:00' }).transferAndOpen(
    '2025-12-30T09:00',
  );
  const april = new DossierScenario({ receivedAt: '2026-04-02T09:00' }).transferAndOpen('2026-04-02T09:00');
  const justiceEarly = new DossierScenario({
    receivedAt: '2026-03-02T09:00',
    procedureCode: CRIMINAL_RECORD,
    channel: 'online',
  })
    .transferAndOpen('2026-03-02T09:00')
    .decide('2026-03-06T09:00');
  const justiceOpen = new DossierScenario({
    receivedAt: '2026-03-25T09:00',
    procedureCode: CRIMINAL_RECORD,
  }).transferAndOpen('2026-03-25T09:00');
  const justiceCarried = new DossierScenario({
    receivedAt: '2025-12-22T09:00',
    procedureCode: CRIMINAL_RECORD,
  }).transferAndOpen('2025-12-22T09:00');
  const ward = new DossierScenario({
    receivedAt: '2026-03-10T09:00',
    procedureCode: DEATH,
    receivingUnitId: demoUnitIds.nhaTrangCentre,
  })
    .transferAndOpen('2026-03-10T09:00')
    .decide('2026-03-10T15:00');
  return [
    digitizedEarly,
    onTime,
    lateApology,
    lateDissatisfied,
    extendedInTime,
    openInTime,
    openOverdue,
    landOpen,
    landEarly,
    carriedResolved,
    endedBefore,
    carriedOpen,
    april,
    justiceEarly,
    justiceOpen,
    justiceCarried,
    ward,
  ];
}

/**
 * Feedback of the quarter: Ag-Env has one item handled on time and liked, one accepted a day after its due
 * (Wed 11 Mar 09:00), one handled on time and disliked, and one filed on 31 March and not yet due at the period's
 * end; one filed in December and one in April are outside it. Justice has one handled on time.
 */
function feedback() {
  return [
    new FeedbackScenario(AG_ENV, '2026-03-02T09:00').handledOnTime('2026-03-02', 'satisfied'),
    new FeedbackScenario(AG_ENV, '2026-03-09T09:00')
      .accept('2026-03-12T09:00')
      .answer('2026-03-13T09:00')
      .publish('2026-03-13T10:00'),
    new FeedbackScenario(AG_ENV, '2026-03-16T09:00').handledOnTime('2026-03-16', 'dissatisfied'),
    new FeedbackScenario(AG_ENV, '2026-03-31T09:00'),
    new FeedbackScenario(AG_ENV, '2025-12-29T09:00').handledOnTime('2025-12-29'),
    new FeedbackScenario(AG_ENV, '2026-04-02T09:00'),
    new FeedbackScenario(JUSTICE, '2026-03-04T09:00').handledOnTime('2026-03-04'),
  ];
}

/** The report's feedback columns and the KPI API's `feedback` fields they show. */
const FEEDBACK_FIELDS: Partial<Record<keyof ReportFigures, 'filed' | 'onTimeRate' | 'satisfactionRate'>> = {
  feedbackFiled: 'filed',
  feedbackOnTimeRate: 'onTimeRate',
  feedbackSatisfactionRate: 'satisfactionRate',
};

type Cells = Record<string, unknown>;

const depsOf = (p: Projection) => ({ db: p.db, catalog: demoCatalog, calendar: vnCivilServiceCalendar });

/** The rows under the header row of `sheet`, as header → value (empty cells as null). */
async function sheetRows(bytes: Buffer, sheetName: string): Promise<Cells[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(new Uint8Array(bytes).buffer);
  const sheet = workbook.getWorksheet(sheetName);
  if (sheet === undefined) throw new Error(`no sheet ${sheetName}`);
  const headers: string[] = [];
  sheet.getRow(HEADER_ROW).eachCell((cell, col) => {
    headers[col] = String(cell.value);
  });
  const rows: Cells[] = [];
  for (let r = HEADER_ROW + 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    if (typeof row.getCell(1).value !== 'number') break; // the notes under the table
    const cells: Cells = {};
    headers.forEach((header, col) => {
      const cell = row.getCell(col);
      cells[header] = cell.value ?? null;
      if (FIGURE_COLUMNS.some((c) => c.header === header && c.kind === 'rate')) {
        expect(cell.numFmt, `${header} is a percentage`).toBe('0.00%');
      }
    });
    rows.push(cells);
  }
  return rows;
}

/** The notes under the table of `sheet` (the first column's text after the last numbered row). */
async function sheetNotes(bytes: Buffer, sheetName: string): Promise<string[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(new Uint8Array(bytes).buffer);
  const sheet = workbook.getWorksheet(sheetName);
  if (sheet === undefined) throw new Error(`no sheet ${sheetName}`);
  const notes: string[] = [];
  for (let r = HEADER_ROW + 1; r <= sheet.rowCount; r++) {
    const value = sheet.getRow(r).getCell(1).value;
    if (typeof value === 'string') notes.push(value);
  }
  return notes;
}

/** What the KPI API says for a unit (or one of its procedures) under the report's column names. */
async function expectedFigures(p: Projection, bearer: string, unitId: string, procedure?: string) {
  const inPeriod =
    procedure === undefined ? `/v1/kpi/units/${unitId}?${Q1}` : `/v1/kpi/units/${unitId}/procedures?${Q1}`;
  const before =
    procedure === undefined
      ? `/v1/kpi/units/${unitId}?${BEFORE_Q1}`
      : `/v1/kpi/units/${unitId}/procedures?${BEFORE_Q1}`;
  const apologies = `/v1/kpi/units/${unitId}/dossiers?${Q1}&reason=apology_after_due${procedure === undefined ? '' : `&procedure=${procedure}`}`;
  const [a, b, c] = await Promise.all([
    get(p, inPeriod, bearer),
    get(p, before, bearer),
    get(p, apologies, bearer),
  ]);
  expect([a.status, b.status, c.status]).toEqual([200, 200, 200]);
  const pick = (body: { procedures?: Array<Record<string, unknown>> } & Record<string, unknown>) =>
    procedure === undefined ? body : (body.procedures?.find((row) => row.procedureCode === procedure) ?? {});
  const figures = pick(a.body);
  const expected: Record<string, unknown> = {};
  for (const column of FIGURE_COLUMNS) {
    const feedbackField = FEEDBACK_FIELDS[column.key];
    const value =
      feedbackField !== undefined
        ? // Feedback has no split by procedure: the procedure rows leave it empty.
          procedure === undefined
          ? a.body.feedback[feedbackField]
          : null
        : column.key === 'carriedOver'
          ? (pick(b.body).open ?? 0)
          : column.key === 'lateApology'
            ? c.body.total
            : (figures[column.key] ?? (column.kind === 'rate' ? null : 0));
    expected[column.header] = value;
  }
  return expected;
}

const figuresOf = (cells: Cells) =>
  Object.fromEntries(FIGURE_COLUMNS.map((c) => [c.header, cells[c.header]]));

async function download(p: Projection, url: string, bearer: string) {
  return p.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${bearer}` } });
}

describe.each(BACKENDS)('the reform report on %s', (backend) => {
  const p = useProjection(backend, new Date(NOW));
  let analyst: string;
  let xlsx: Buffer;

  beforeAll(async () => {
    analyst = await token(['analyst']);
    await p.current.apply([...quarter(), ...feedback()].flatMap((s) => s.events));
    const report = await reformReport(depsOf(p.current), { period: '2026-Q1' }, new Date(NOW));
    xlsx = await reformReportXlsx(report);
  });

  it('given 2026-Q1, when the XLSX summary is read back, then every unit row is the KPI API figures of that unit', async () => {
    const rows = await sheetRows(xlsx, SUMMARY_SHEET);
    expect(rows.map((r) => r['Mã đơn vị'])).toEqual(expect.arrayContaining([AG_ENV, JUSTICE, NHA_TRANG]));
    for (const row of rows) {
      expect(figuresOf(row), String(row['Mã đơn vị'])).toEqual(
        await expectedFigures(p.current, analyst, String(row['Mã đơn vị'])),
      );
    }
    const agEnv = rows.find((r) => r['Mã đơn vị'] === AG_ENV);
    expect(agEnv).toMatchObject({
      'Đơn vị': 'Sở Nông nghiệp và Môi trường tỉnh Khánh Hòa',
      'Tiếp nhận trong kỳ': 9,
      'Tồn kỳ trước chuyển sang': 2,
      'Đang giải quyết': 3, // open in time (decided in April), overdue, land
      'Đang giải quyết quá hạn': 1,
      'Phản ánh, kiến nghị tiếp nhận': 4,
    });
    const justice = rows.find((r) => r['Mã đơn vị'] === JUSTICE);
    expect(justice).toMatchObject({
      'Phản ánh, kiến nghị tiếp nhận': 1,
      'Tỷ lệ xử lý phản ánh, kiến nghị đúng hạn (5.2)': 1,
      'Tỷ lệ hài lòng về phản ánh, kiến nghị (5.3)': 1,
    });
    // 5.2: two of the three judged items on time (the March 31 one is not yet due); 5.3: the liked one and the
    // not-yet-due one have no dislike, follow-up or delay.
    expect(agEnv).toMatchObject({
      'Tỷ lệ xử lý phản ánh, kiến nghị đúng hạn (5.2)': 0.6667,
      'Tỷ lệ hài lòng về phản ánh, kiến nghị (5.3)': 0.5,
    });
    // Every column is exercised by the mix: a comparison of zeros alone would prove little.
    for (const column of FIGURE_COLUMNS) {
      expect(
        rows.some((row) => typeof row[column.header] === 'number' && row[column.header] !== 0),
        column.header,
      ).toBe(true);
    }
  });

  it('given 2026-Q1, when the XLSX detail is read back, then every unit × procedure row is the per-procedure API figures', async () => {
    const rows = await sheetRows(xlsx, DETAIL_SHEET);
    const keys = rows.map((r) => `${r['Mã đơn vị']} ${r['Mã thủ tục']}`);
    expect(keys).toEqual(
      expect.arrayContaining([
        `${AG_ENV} 1.012839`,
        `${AG_ENV} ${LAND}`,
        `${JUSTICE} ${CRIMINAL_RECORD}`,
        `${NHA_TRANG} ${DEATH}`,
      ]),
    );
    expect(new Set(keys).size).toBe(keys.length);
    for (const row of rows) {
      for (const column of FIGURE_COLUMNS.filter((c) => c.unitOnly)) expect(row[column.header]).toBeNull();
    }
    // The notes say why those cells are empty, and no longer that feedback is missing.
    for (const sheet of [SUMMARY_SHEET, DETAIL_SHEET]) {
      const notes = await sheetNotes(xlsx, sheet);
      expect(notes).toEqual([...REPORT_NOTES]);
      expect(
        notes.some((n) => n.startsWith('Phản ánh, kiến nghị (5.2, 5.3)') && n.includes('để trống')),
      ).toBe(true);
      expect(notes.join(' ')).not.toContain('chưa có dữ liệu');
    }
    for (const row of rows) {
      const unitId = String(row['Mã đơn vị']);
      const code = String(row['Mã thủ tục']);
      expect(figuresOf(row), `${unitId} ${code}`).toEqual(
        await expectedFigures(p.current, analyst, unitId, code),
      );
    }
    // The procedures' counts add up to their unit's.
    const summary = await sheetRows(xlsx, SUMMARY_SHEET);
    for (const unit of summary) {
      for (const column of FIGURE_COLUMNS.filter((c) => c.kind === 'count' && !c.unitOnly)) {
        const sum = rows
          .filter((r) => r['Mã đơn vị'] === unit['Mã đơn vị'])
          .reduce((total, r) => total + Number(r[column.header]), 0);
        expect(sum, `${unit['Mã đơn vị']} ${column.header}`).toBe(unit[column.header]);
      }
    }
  });

  it('given a running period (April, judged now), then the report reads the API as of now', async () => {
    const report = await reformReport(
      depsOf(p.current),
      { period: '2026-04', unitId: AG_ENV },
      new Date(NOW),
    );
    expect(report.kpiQuery).toEqual({ from: '2026-04-01', to: '2026-05-01' });
    const [row] = await sheetRows(await reformReportXlsx(report), SUMMARY_SHEET);
    const now = await get(p.current, `/v1/kpi/units/${AG_ENV}?from=2026-04-01&to=2026-05-01`, analyst);
    const open = await get(
      p.current,
      `/v1/kpi/units/${AG_ENV}?${Q1.replace('from=2026-01-01&to', 'to')}`,
      analyst,
    );
    expect(now.body.source).toBe('aggregates');
    expect(row).toMatchObject({
      'Mã đơn vị': AG_ENV,
      'Tiếp nhận trong kỳ': now.body.received,
      'Đang giải quyết': now.body.open,
      'Tồn kỳ trước chuyển sang': open.body.open,
    });
    expect(now.body.received).toBe(1);
    expect(open.body.open).toBe(4); // carried over from December, overdue, land, in time on 31 March
  });

  it('given the report, when made a PDF, then it is a PDF with DejaVu Sans embedded and the Vietnamese unit names', async () => {
    const report = await reformReport(depsOf(p.current), { period: '2026-Q1' }, new Date(NOW));
    const pdf = await reformReportPdf(report);
    expect(pdf.length).toBeGreaterThan(5_000);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSans/);
    const pdftotext = spawnSync('pdftotext', ['-layout', '-', '-'], { input: pdf });
    // poppler-utils is installed where the report was built; without it the embedded font is the evidence.
    if (pdftotext.error === undefined) {
      const text = pdftotext.stdout.toString('utf8').replace(/\s+/g, ' ');
      expect(text).toContain('BÁO CÁO KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH');
      expect(text).toContain('Tỉnh Khánh Hòa');
      expect(text).toContain('Sở Tư pháp tỉnh Khánh Hòa');
      expect(text).toContain('Quý I năm 2026');
      expect(text).toContain('không chia theo thủ tục nên để trống');
    }
  });

  it('given an analyst, a leader and a clerk, then the download is served to the first two, the leader for their unit only', async () => {
    const leader = await token(['leader'], JUSTICE);
    const xlsxResponse = await download(p.current, '/v1/reports/reform?period=2026-Q1', analyst);
    expect(xlsxResponse.statusCode).toBe(200);
    expect(xlsxResponse.headers['content-type']).toBe(XLSX_CONTENT_TYPE);
    expect(xlsxResponse.headers['content-disposition']).toBe(
      'attachment; filename="bao-cao-cchc-2026-Q1.xlsx"',
    );
    expect(await sheetRows(xlsxResponse.rawPayload, SUMMARY_SHEET)).toEqual(
      await sheetRows(xlsx, SUMMARY_SHEET),
    );

    const pdfResponse = await download(p.current, '/v1/reports/reform?period=2026-Q1&format=pdf', leader);
    expect(pdfResponse.statusCode).toBe(200);
    expect(pdfResponse.headers['content-type']).toBe('application/pdf');
    expect(pdfResponse.headers['content-disposition']).toBe(
      `attachment; filename="bao-cao-cchc-2026-Q1-${JUSTICE}.pdf"`,
    );
    expect(pdfResponse.rawPayload.subarray(0, 4).toString('latin1')).toBe('%PDF');

    const leaderXlsx = await download(p.current, '/v1/reports/reform?period=2026-Q1', leader);
    expect((await sheetRows(leaderXlsx.rawPayload, SUMMARY_SHEET)).map((r) => r['Mã đơn vị'])).toEqual([
      JUSTICE,
    ]);

    const otherUnit = await download(p.current, `/v1/reports/reform?period=2026-Q1&unitId=${AG_ENV}`, leader);
    expect(otherUnit.statusCode).toBe(403);
    const clerk = await download(
      p.current,
      '/v1/reports/reform?period=2026-Q1',
      await token(['clerk'], JUSTICE),
    );
    expect(clerk.statusCode).toBe(403);
  });

  it('given a malformed or missing period, then 400 naming the field', async () => {
    for (const [query, field] of [
      ['period=Q1-2026', 'querystring.period'],
      ['', 'querystring.period'],
      ['period=2026-13', 'querystring.period'],
      ['from=2026-03-01', 'querystring.to'],
      ['from=2026-03-01&to=2026-02-01', 'querystring.to'],
      ['period=2026-Q1&format=docx', 'querystring.format'],
    ] as const) {
      const response = await download(p.current, `/v1/reports/reform?${query}`, analyst);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().message, query).toContain(field);
    }
    const unknown = await download(
      p.current,
      '/v1/reports/reform?period=2026-Q1&unitId=kh.so-khong-co',
      analyst,
    );
    expect(unknown.statusCode).toBe(404);
  });
});
