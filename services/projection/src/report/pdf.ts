/**
 * The report as a PDF (A4 landscape): the title block, the summary table (one row per unit) and the detail
 * table (unit × procedure), with the figures of the XLSX. Vietnamese needs a Unicode font embedded: the PDF
 * standard fonts have no ờ, ặ, ư…; DejaVu Sans (Debian's `fonts-dejavu-core`, installed by scripts/setup.sh)
 * is used unless other font files are given.
 */
import { existsSync } from 'node:fs';
import { defineError } from '@onestop/domain';
import PDFDocument from 'pdfkit';
import { FIGURE_COLUMNS, headerLines, REPORT_NOTES, REPORT_TITLE } from './columns.js';
import type { ReformReport, ReportFigures } from './model.js';

export const PDF_CONTENT_TYPE = 'application/pdf';

export interface ReportFonts {
  readonly regular: string;
  readonly bold: string;
}

const DEJAVU = '/usr/share/fonts/truetype/dejavu';
export const DEFAULT_REPORT_FONTS: ReportFonts = {
  regular: `${DEJAVU}/DejaVuSans.ttf`,
  bold: `${DEJAVU}/DejaVuSans-Bold.ttf`,
};

/** The PDF cannot be made on this machine: its font is not installed. */
export const ReportFontMissing = defineError<{ path: string }>('REPORT_FONT_MISSING', 'unavailable');

interface Column {
  readonly header: string;
  readonly width: number;
  readonly align: 'left' | 'right';
}

const MARGIN = 28;
const PAD = 2;

function formatFigure(value: number | null, kind: 'count' | 'rate'): string {
  if (value === null) return '–';
  return kind === 'count' ? String(value) : `${(value * 100).toFixed(1).replace('.', ',')} %`;
}

const figureCells = (f: ReportFigures) => FIGURE_COLUMNS.map((c) => formatFigure(f[c.key], c.kind));

/** Columns `leading` then the figures, which share the width left on the page. */
function columnsOf(doc: PDFKit.PDFDocument, leading: readonly Column[]): Column[] {
  const usable = doc.page.width - 2 * MARGIN;
  const used = leading.reduce((sum, c) => sum + c.width, 0);
  const width = (usable - used) / FIGURE_COLUMNS.length;
  return [...leading, ...FIGURE_COLUMNS.map((c) => ({ header: c.header, width, align: 'right' as const }))];
}

function drawRow(
  doc: PDFKit.PDFDocument,
  columns: readonly Column[],
  cells: readonly string[],
  y: number,
  font: 'regular' | 'bold',
  size: number,
): number {
  doc.font(font).fontSize(size);
  const height =
    Math.max(
      ...columns.map((c, i) =>
        doc.heightOfString(cells[i] ?? '', { width: c.width - 2 * PAD, align: c.align }),
      ),
    ) +
    2 * PAD;
  let x = MARGIN;
  columns.forEach((c, i) => {
    doc.rect(x, y, c.width, height).lineWidth(0.4).stroke('#666666');
    doc
      .fillColor('#000000')
      .text(cells[i] ?? '', x + PAD, y + PAD, { width: c.width - 2 * PAD, align: c.align });
    x += c.width;
  });
  return y + height;
}

/** A table that continues on new pages, repeating its header row. */
function drawTable(
  doc: PDFKit.PDFDocument,
  title: string,
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  size: number,
): void {
  const bottom = doc.page.height - MARGIN;
  doc
    .font('bold')
    .fontSize(10)
    .text(title, MARGIN, doc.y + 8);
  const headers = columns.map((c) => c.header);
  let y = drawRow(doc, columns, headers, doc.y + 4, 'bold', size);
  for (const cells of rows) {
    doc.font('regular').fontSize(size);
    const next = Math.max(
      ...columns.map((c, i) => doc.heightOfString(cells[i] ?? '', { width: c.width - 2 * PAD })),
    );
    if (y + next + 2 * PAD > bottom) {
      doc.addPage();
      y = drawRow(doc, columns, headers, MARGIN, 'bold', size);
    }
    y = drawRow(doc, columns, cells, y, 'regular', size);
  }
  doc.x = MARGIN;
  doc.y = y;
}

/** The PDF's bytes; REPORT_FONT_MISSING (503) when a font file is not there. */
export function reformReportPdf(
  report: ReformReport,
  fonts: ReportFonts = DEFAULT_REPORT_FONTS,
): Promise<Buffer> {
  for (const path of [fonts.regular, fonts.bold]) {
    if (!existsSync(path)) {
      throw ReportFontMissing(`the report font ${path} is not installed (fonts-dejavu-core)`, {
        details: { path },
      });
    }
  }
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: MARGIN,
    info: {
      Title: `${REPORT_TITLE} – ${report.period.label}`,
      Creator: 'onestop',
      CreationDate: new Date(report.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('regular', fonts.regular);
  doc.registerFont('bold', fonts.bold);
  const width = doc.page.width - 2 * MARGIN;
  doc.font('bold').fontSize(14).text(REPORT_TITLE, MARGIN, MARGIN, { width, align: 'center' });
  doc.font('regular').fontSize(9);
  for (const line of headerLines(report)) doc.text(line, { width, align: 'center' });

  drawTable(
    doc,
    'I. Tổng hợp theo đơn vị',
    columnsOf(doc, [
      { header: 'STT', width: 20, align: 'right' },
      { header: 'Đơn vị', width: 150, align: 'left' },
    ]),
    report.units.map((unit, i) => [String(i + 1), unit.name, ...figureCells(unit.figures)]),
    6.5,
  );
  let n = 0;
  drawTable(
    doc,
    'II. Chi tiết theo đơn vị và thủ tục',
    columnsOf(doc, [
      { header: 'STT', width: 20, align: 'right' },
      { header: 'Đơn vị', width: 85, align: 'left' },
      { header: 'Thủ tục', width: 140, align: 'left' },
    ]),
    report.units.flatMap((unit) =>
      unit.procedures.map((p) => [
        String(++n),
        unit.name,
        `${p.procedureCode} ${p.name}`,
        ...figureCells(p.figures),
      ]),
    ),
    6,
  );
  doc.font('regular').fontSize(7.5).moveDown();
  for (const note of REPORT_NOTES) doc.text(note, MARGIN, doc.y, { width });
  doc.end();
  return done;
}
