/**
 * Renderers for the Service Delivery Framework: a terminal table per sheet, JSON, and a workbook
 * with one worksheet per partner plus "All partners" and a Notes sheet. Every band is written as
 * words as well as coloured, so the matrix reads without colour too. None computes anything.
 */
import { ALL_PARTNERS, type SdfResult, type SdfCell, type SdfService } from '../profiling/index.ts';
import { fmtCount, fmtInt, fmtPct, SUPPRESSED_MARK, safeCellText } from './format.ts';
import { disclosureNote, sumDisclosure } from './disclosure.ts';
import { styleHeaderRows, newWorkbook } from './xlsx.ts';

/** Marks a band that is not significantly different from the whole area. */
export const NOT_SIGNIFICANT_MARK = '†';

/**
 * Band fills, highest band first: light tints of a diverging blue–orange scheme (ColorBrewer RdBu),
 * safe for the common forms of colour blindness and dark text on each well above 4.5:1 contrast.
 */
const BAND_FILLS = ['FF92C5DE', 'FFD1E5F0', 'FFF7F7F7', 'FFFDDBC7', 'FFF4A582'];
const SUPPRESSED_FILL = 'FFDDDDDD';

/** The fill for a band, by its place among the result's bands (highest first). */
export function bandFill(band: string | null, bands: SdfResult['bands']): string | null {
  if (band === null) return null;
  const sorted = [...bands].sort((a, b) => (b.min ?? -Infinity) - (a.min ?? -Infinity));
  const i = sorted.findIndex((b) => b.name === band);
  if (i < 0) return null;
  const n = sorted.length;
  return BAND_FILLS[n === 1 ? 2 : Math.round((i * (BAND_FILLS.length - 1)) / (n - 1))];
}

function heading(r: SdfResult): string {
  return `by ${r.classification} ${r.level}, against ${r.baseMeasure}`;
}

/** A column's heading: its label, else the dataset's title (or name), with the filter when it has one. */
export const serviceLabel = (s: SdfService) =>
  s.label ?? (s.filter ? `${s.title ?? s.dataset} (${s.filter})` : (s.title ?? s.dataset));

function cellText(c: SdfCell, width = 0): string {
  if (c.suppressed) return SUPPRESSED_MARK.padStart(width);
  if (c.index === null) return '–'.padStart(width);
  return `${fmtInt(c.index).padStart(width)} ${c.band ?? ''}${c.significant === false ? NOT_SIGNIFICANT_MARK : ''}`.trimEnd();
}

function bandsNote(r: SdfResult): string {
  return r.bands.map((b) => (b.min === null ? `${b.name} below` : `${b.name} ${b.min}+`)).join(', ');
}

/** One block per sheet: segments down, services across, each cell "index band". */
export function sdfToTable(r: SdfResult): string {
  const out: string[] = [];
  const byKey = new Map(r.services.map((s) => [s.key, s]));
  // With one partner, "All partners" repeats its sheet: on screen it is said once.
  const partnerSheets = r.sheets.filter((s) => s.name !== ALL_PARTNERS);
  const repeats = (s: SdfResult['sheets'][number]) =>
    s.name === ALL_PARTNERS &&
    partnerSheets.length === 1 &&
    partnerSheets[0].columns.join('\n') === s.columns.join('\n');
  for (const sheet of r.sheets.filter((s) => !repeats(s))) {
    const services = sheet.columns.map((k) => byKey.get(k)!);
    const sheetName = r.sheets.some(repeats) ? `${sheet.name}, the only partner` : sheet.name;
    const head = [
      'Code',
      'Name',
      r.baseMeasure === 'households' ? 'Households' : 'People',
      '%',
      ...services.map((s) => s.key),
    ];
    // Index figures lined up within each service's column.
    const pad = services.map((s) =>
      Math.max(0, ...s.cells.map((c) => (c.suppressed || c.index === null ? 0 : fmtInt(c.index).length))),
    );
    const rows = r.segments.map((seg, i) => [
      seg.code,
      seg.name ?? '',
      fmtInt(seg.base),
      fmtPct(seg.basePct),
      ...services.map((s, k) => cellText(s.cells[i], pad[k])),
    ]);
    const total = [
      'Records',
      '',
      fmtInt(r.segments.reduce((a, s) => a + s.base, 0)),
      '100.00',
      ...services.map((s) => (s.total.count === null ? SUPPRESSED_MARK : fmtInt(s.total.count))),
    ];
    const all = [head, ...rows, total];
    const widths = head.map((_, i) => Math.min(i === 1 ? 32 : 40, Math.max(...all.map((x) => x[i].length))));
    const right = (i: number) => i === 2 || i === 3;
    const line = (cells: string[]) =>
      cells
        .map((c, i) => {
          const v = c.length > widths[i] ? c.slice(0, widths[i] - 1) + '…' : c;
          return right(i) ? v.padStart(widths[i]) : v.padEnd(widths[i]);
        })
        .join('  ')
        .trimEnd();
    const rule = widths.map((w) => '-'.repeat(w)).join('  ');
    out.push(
      `Service Delivery Framework: ${sheetName}; ${fmtCount(services.length, 'service')} ${heading(r)}`,
      '',
      line(head),
      rule,
      ...rows.map(line),
      rule,
      line(total),
      '',
    );
  }
  out.push(
    `Each cell: index (file % ÷ base % × 100) and band: ${bandsNote(r)}. ${NOT_SIGNIFICANT_MARK} not significantly different from the whole area (95% level); – no ${r.baseMeasure} in the segment.`,
    `Base: ${r.baseMethod}.`,
    sdfNote(r),
  );
  const unplaced = r.services.filter((s) => s.unmatched);
  if (unplaced.length)
    out.push(
      `Records not in the table (unmatched or rejected postcodes, or no segment): ${unplaced.map((s) => `${s.key} ${fmtInt(s.unmatched)}`).join(', ')}.`,
    );
  const partners = r.services.map(
    (s) =>
      `${s.key}${s.title ? ` (${s.title})` : ''}${s.filter && s.label ? `, ${s.dataset} where ${s.filter}` : ''}: ${s.partner}`,
  );
  out.push(`Services: ${partners.join('; ')}.`);
  return out.join('\n') + '\n';
}

export function sdfToJson(r: SdfResult): string {
  return JSON.stringify(r, null, 2) + '\n';
}

/** Worksheet names: at most 31 characters, none of []:*?/\, unique, and never "Notes". */
export function sheetNames(names: readonly string[]): string[] {
  const used = new Set<string>(['notes']);
  return names.map((n) => {
    const clean =
      n
        .replace(/[[\]:*?/\\]/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .replace(/^'+|'+$/g, '') || 'Partner';
    let name = clean.slice(0, 31);
    for (let k = 2; used.has(name.toLowerCase()); k++) name = `${clean.slice(0, 31 - ` (${k})`.length)} (${k})`;
    used.add(name.toLowerCase());
    return name;
  });
}

const thin = { style: 'thin' as const, color: { argb: 'FFB1B4B6' } };

/** A workbook: one sheet per partner and "All partners", each band coloured and named; a Notes sheet. */
export async function sdfToXlsx(r: SdfResult, produced = new Date()): Promise<Buffer> {
  const wb = await newWorkbook();
  wb.creator = 'Civic Insight Observatory';
  const byKey = new Map(r.services.map((s) => [s.key, s]));
  const names = sheetNames(r.sheets.map((s) => s.name));
  r.sheets.forEach((sheet, si) => {
    const services = sheet.columns.map((k) => byKey.get(k)!);
    const ws = wb.addWorksheet(names[si], {
      views: [{ state: 'frozen', xSplit: 2, ySplit: 4 }],
      pageSetup: {
        paperSize: 9,
        orientation: 'landscape',
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
        printTitlesRow: '3:4',
        margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
      },
      headerFooter: { oddFooter: '&LCivic Insight Observatory&RPage &P of &N' },
    });
    ws.addRow([safeCellText(`Service Delivery Framework: ${sheet.name} — ${heading(r)}`)]).font = {
      bold: true,
      size: 14,
    };
    ws.addRow([
      safeCellText(
        `${r.disclosure ? `Counts under ${r.disclosure.minCell} suppressed, shown as ${SUPPRESSED_MARK}` : 'Unsuppressed: for the data owner only'}. ${NOT_SIGNIFICANT_MARK} not significantly different from the whole area. See the Notes sheet.`,
      ),
    ]).font = { italic: true, size: 10 };
    const top = ws.addRow([
      'Code',
      'Name',
      r.baseMeasure === 'households' ? 'Households' : 'People',
      `% of ${r.baseMeasure}`,
      ...services.flatMap((s) => [safeCellText(serviceLabel(s)), '']),
    ]);
    const sub = ws.addRow(['', '', '', '', ...services.flatMap(() => ['Index', 'Band'])]);
    for (let c = 1; c <= 4; c++) ws.mergeCells(3, c, 4, c);
    services.forEach((_, i) => ws.mergeCells(3, 5 + 2 * i, 3, 6 + 2 * i));
    styleHeaderRows([top, sub]);
    top.height = 45;
    r.segments.forEach((seg, i) => {
      const values: (string | number | null)[] = [
        safeCellText(seg.code),
        safeCellText(seg.name ?? ''),
        seg.base,
        seg.basePct === null ? null : seg.basePct / 100,
      ];
      for (const s of services) {
        const c = s.cells[i];
        values.push(c.suppressed ? SUPPRESSED_MARK : c.index === null ? '–' : Math.round(c.index));
        values.push(
          c.suppressed
            ? SUPPRESSED_MARK
            : c.band === null
              ? '–'
              : c.band + (c.significant === false ? ` ${NOT_SIGNIFICANT_MARK}` : ''),
        );
      }
      const row = ws.addRow(values);
      services.forEach((s, k) => {
        const c = s.cells[i];
        const fill = c.suppressed ? SUPPRESSED_FILL : bandFill(c.band, r.bands);
        for (const col of [5 + 2 * k, 6 + 2 * k]) {
          const cell = row.getCell(col);
          if (fill) cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: fill } };
          cell.font = { color: { argb: 'FF0B0C0C' } };
          cell.border = { top: thin, bottom: thin, left: thin, right: thin };
          cell.alignment = { horizontal: col % 2 === 1 ? 'right' : 'left' };
        }
      });
    });
    const total = ws.addRow([
      'Records',
      '',
      r.segments.reduce((a, s) => a + s.base, 0),
      1,
      ...services.flatMap((s) => [s.total.count === null ? SUPPRESSED_MARK : s.total.count, '']),
    ]);
    total.font = { bold: true };
    total.eachCell({ includeEmpty: true }, (c) => {
      c.border = { top: { style: 'thin' } };
    });
    ws.getColumn(1).width = 8;
    ws.getColumn(2).width = 36;
    ws.getColumn(3).width = 12;
    ws.getColumn(4).width = 11;
    ws.getColumn(3).numFmt = '#,##0';
    ws.getColumn(4).numFmt = '0.00%';
    services.forEach((_, k) => {
      ws.getColumn(5 + 2 * k).width = 7;
      ws.getColumn(5 + 2 * k).numFmt = '0';
      ws.getColumn(6 + 2 * k).width = 16;
    });
    // The totals row shows counts in the index columns.
    services.forEach((_, k) => {
      total.getCell(5 + 2 * k).numFmt = '#,##0';
    });
  });

  const notes = wb.addWorksheet('Notes', {
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  notes.getColumn(1).width = 28;
  notes.getColumn(2).width = 100;
  const rows: [string, string][] = [
    [
      'What this is',
      'Service Delivery Framework: for each segment and each service, whether take-up is high or low relative to the whole area.',
    ],
    ['Classification', r.classification],
    ['Tier', r.level],
    ['Base', `${r.baseMeasure}: ${r.baseMethod}`],
    ['Index', "File % ÷ base % × 100 for the segment; 100 means as many users as the segment's size would suggest."],
    ['Bands', bandsNote(r)],
    [
      'Colours',
      'Each band has its own fill, and its name is written in the cell, so the sheet reads without colour. Grey cells are suppressed.',
    ],
    [
      NOT_SIGNIFICANT_MARK,
      "The segment's penetration is not significantly different from the whole area's (95% level): do not act on the band alone.",
    ],
    ['Disclosure control', sdfNote(r)],
    ['Sheets', r.sheets.map((s) => `${s.name}: ${s.columns.join(', ')}`).join('; ')],
  ];
  for (const s of r.services) {
    rows.push([
      `Service ${s.key}`,
      `${s.title ? s.title + '; ' : ''}${s.filter ? `dataset ${s.dataset}, records with ${s.filter}; ` : ''}partner ${s.partner}; ${s.total.count === null ? `records ${SUPPRESSED_MARK}` : fmtCount(s.total.count, 'record')} in the table` +
        (s.unmatched
          ? `; ${fmtCount(s.unmatched, 'record')} not placed (unmatched or rejected postcodes, or no segment)`
          : ''),
    ]);
  }
  rows.push(['Produced', produced.toISOString().slice(0, 10) + ' by the Civic Insight Observatory']);
  for (const [k, v] of rows) {
    const row = notes.addRow([safeCellText(k), safeCellText(v)]);
    row.getCell(1).font = { bold: true };
    row.getCell(2).alignment = { wrapText: true };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const sdfNote = (r: SdfResult) =>
  disclosureNote(
    r.disclosure
      ? sumDisclosure(
          r.disclosure.minCell,
          r.services.map((x) => x.disclosure),
        )
      : null,
    { scope: "in each service's column", from: 'its total' },
  );
