/**
 * The report as an XLSX workbook: a summary sheet (one row per unit) and a detail sheet (unit × procedure),
 * each under a title block. Counts are numbers, rates are fractions formatted as percentages (empty when the
 * KPI API has no figure for want of a denominator).
 */
import ExcelJS from 'exceljs';
import {
  DETAIL_SHEET,
  FIGURE_COLUMNS,
  headerLines,
  REPORT_NOTES,
  REPORT_TITLE,
  SUMMARY_SHEET,
} from './columns.js';
import type { ReformReport, ReportFigures } from './model.js';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Row of the column headers on both sheets (after the title block and a blank row). */
export const HEADER_ROW = 6;

const figureValues = (f: ReportFigures) => FIGURE_COLUMNS.map((column) => f[column.key]);

function addSheet(
  workbook: ExcelJS.Workbook,
  name: string,
  report: ReformReport,
  leading: readonly { header: string; width: number }[],
  rows: readonly (readonly (string | number | null)[])[],
): void {
  const sheet = workbook.addWorksheet(name, {
    views: [{ state: 'frozen', xSplit: leading.length, ySplit: HEADER_ROW }],
    pageSetup: { orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  const width = leading.length + FIGURE_COLUMNS.length;
  const lines = [REPORT_TITLE, ...headerLines(report)];
  lines.forEach((text, index) => {
    const row = index + 1;
    sheet.mergeCells(row, 1, row, width);
    const cell = sheet.getCell(row, 1);
    cell.value = text;
    cell.font = index === 0 ? { bold: true, size: 14 } : { italic: index > 1 };
    cell.alignment = { horizontal: 'center' };
  });
  const header = sheet.getRow(HEADER_ROW);
  header.values = [...leading.map((c) => c.header), ...FIGURE_COLUMNS.map((c) => c.header)];
  header.font = { bold: true };
  header.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
  header.height = 45;
  leading.forEach((c, i) => {
    sheet.getColumn(i + 1).width = c.width;
  });
  FIGURE_COLUMNS.forEach((c, i) => {
    const column = sheet.getColumn(leading.length + i + 1);
    column.width = 13;
    if (c.kind === 'rate') column.numFmt = '0.00%';
  });
  for (const values of rows) sheet.addRow([...values]);
  const notesAt = HEADER_ROW + rows.length + 2;
  REPORT_NOTES.forEach((note, i) => {
    const cell = sheet.getCell(notesAt + i, 1);
    cell.value = note;
    cell.font = { italic: true, size: 9 };
  });
}

/** The workbook's bytes. */
export async function reformReportXlsx(report: ReformReport): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'onestop';
  workbook.created = new Date(report.generatedAt);
  workbook.modified = new Date(report.generatedAt);
  addSheet(
    workbook,
    SUMMARY_SHEET,
    report,
    [
      { header: 'STT', width: 5 },
      { header: 'Mã đơn vị', width: 16 },
      { header: 'Đơn vị', width: 40 },
    ],
    report.units.map((unit, i) => [i + 1, unit.unitId, unit.name, ...figureValues(unit.figures)]),
  );
  let n = 0;
  addSheet(
    workbook,
    DETAIL_SHEET,
    report,
    [
      { header: 'STT', width: 5 },
      { header: 'Mã đơn vị', width: 16 },
      { header: 'Đơn vị', width: 30 },
      { header: 'Mã thủ tục', width: 11 },
      { header: 'Thủ tục', width: 50 },
    ],
    report.units.flatMap((unit) =>
      unit.procedures.map((p) => [
        ++n,
        unit.unitId,
        unit.name,
        p.procedureCode,
        p.name,
        ...figureValues(p.figures),
      ]),
    ),
  );
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
