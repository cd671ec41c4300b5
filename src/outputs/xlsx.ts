/** Small pieces every XLSX report shares: the blue two-row header and the Notes sheet. */
import type ExcelJS from 'exceljs';
import { safeCellText } from './format.ts';

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
