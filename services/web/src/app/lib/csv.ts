export type Cell = string | number | boolean | null | undefined;

function quote(cell: Cell): string {
  const text = cell === null || cell === undefined ? '' : String(cell);
  // A leading =, +, - or @ would run as a formula in a spreadsheet: prefix it so it stays text.
  const safe = /^[=+\-@]/.test(text) && Number.isNaN(Number(text)) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** RFC 4180 CSV with CRLF line ends. */
export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((row) => row.map(quote).join(',')).join('\r\n');
}

/** What the browser downloads: a UTF-8 byte-order mark first, so spreadsheet programs read Vietnamese right. */
export function csvFileContent(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return `\uFEFF${toCsv(header, rows)}\r\n`;
}
