/** Small pieces every XLSX report shares: the workbook, the blue two-row header and the Notes sheet. */
import type ExcelJS from 'exceljs';
import { safeCellText } from './format.ts';

/** A new workbook; exceljs is loaded the first time one is made, so that nothing else pays for it. */
export async function newWorkbook(): Promise<ExcelJS.Workbook> {
  const { default: excel } = await import('exceljs');
  return new excel.Workbook();
}

/** White bold text on GOV.UK blue, centred and wrapped, for a report's header rows. */
export function styleHeaderRows(rows: ExcelJS.Row[]): void {
  for (const row of rows) {
    row.font = { bold: true, color: { argb: 'FFFFFFFF' } };
    row.eachCell({ includeEmpty: true }, (c) => {
      c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1D70B8' } };
      c.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
    });
  }
}

/** Label/value rows on a Notes sheet; values are made safe from formula injection. */
export function addNoteRows(sheet: ExcelJS.Worksheet, rows: readonly (readonly [string, string])[]): void {
  for (const [k, v] of rows) {
    const row = sheet.addRow([k, safeCellText(v)]);
    row.getCell(1).font = { bold: true };
    row.getCell(2).alignment = { wrapText: true };
  }
}

/**
 * A report sheet: a title row, the blue header row (frozen, repeated on every printed page), then the
 * rows, with text made safe from formula injection; optional column widths and number formats.
 */
export function addTableSheet(
  wb: ExcelJS.Workbook,
  name: string,
  heading: string,
  head: string[],
  rows: (string | number | boolean | null)[][],
  widths: readonly number[] = [],
  formats: Record<number, string> = {},
): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(name, {
    views: [{ state: 'frozen', ySplit: 2 }],
    pageSetup: {
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: '2:2',
    },
    headerFooter: { oddFooter: '&LCivic Insight Observatory&RPage &P of &N' },
  });
  ws.addRow([safeCellText(heading)]).font = { bold: true, size: 13 };
  styleHeaderRows([ws.addRow(head)]);
  for (const row of rows) ws.addRow(row.map((v) => (typeof v === 'string' ? safeCellText(v) : v)));
  widths.forEach((w, i) => {
    ws.getColumn(i + 1).width = w;
  });
  for (const [col, fmt] of Object.entries(formats)) ws.getColumn(Number(col)).numFmt = fmt;
  return ws;
}
