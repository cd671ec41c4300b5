/**
 * Renderers for a profile: a council-report table for the terminal, CSV, formatted XLSX and JSON.
 * All of them render the same result object; none computes anything.
 */
import { newWorkbook } from './xlsx.ts';
import type { ProfileResult } from '../profiling/index.ts';
import { LEVEL_TITLES } from '../geo/index.ts';
import { fmtCount, fmtInt, fmtPct, SUPPRESSED_MARK, safeCellText, csvField } from './format.ts';

function title(r: ProfileResult): string {
  const what = r.kind === 'segment' ? `${r.classification} ${r.level}` : r.level;
  return `Profile of ${r.dataset}${r.filter ? ` (${r.filter})` : ''}${r.countOf === 'household' ? ', counting households' : r.countOf ? `, counting distinct ${r.countOf}` : ''} by ${what}, against ${r.baseMeasure}`;
}

const HEADINGS = [
  'Code',
  'Name',
  'File count',
  'File %',
  'Base',
  'Base %',
  'Penetration %',
  '95% CI low',
  '95% CI high',
  'Index',
  'Band',
  'Significant',
];

function rowCells(r: ProfileResult['rows'][number]): string[] {
  const s = (v: string) => (r.suppressed ? SUPPRESSED_MARK : v);
  return [
    r.code,
    r.name ?? '',
    s(fmtInt(r.count)),
    s(fmtPct(r.filePct)),
    fmtInt(r.base),
    fmtPct(r.basePct),
    s(fmtPct(r.penetration)),
    s(fmtPct(r.ciLow)),
    s(fmtPct(r.ciHigh)),
    s(fmtInt(r.index)),
    s(r.band ?? ''),
    s(r.significant === null ? '' : r.significant ? 'yes' : 'no'),
  ];
}

export function profileToTable(r: ProfileResult): string {
  const rows = r.rows.map(rowCells);
  const hidden = r.disclosure !== null && r.total.count === null;
  const total = [
    'Total',
    '',
    hidden ? SUPPRESSED_MARK : fmtInt(r.total.count),
    '100.00',
    fmtInt(r.total.base),
    '100.00',
    hidden ? SUPPRESSED_MARK : fmtPct(r.total.penetration),
    '',
    '',
    '100',
    '',
    '',
  ];
  const all = [HEADINGS, ...rows, total];
  const widths = HEADINGS.map((_, i) => Math.min(i === 1 ? 48 : 20, Math.max(...all.map((x) => x[i].length))));
  const numeric = (i: number) => i >= 2 && i <= 9;
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const v = c.length > widths[i] ? c.slice(0, widths[i] - 1) + '…' : c;
        return numeric(i) ? v.padStart(widths[i]) : v.padEnd(widths[i]);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const notes = [
    `Base: ${r.baseMethod}.`,
    coverageNote(r),
    r.baseExcluded && !r.coverage
      ? `The base file also has ${fmtInt(r.baseExcluded.base)} ${r.baseMeasure} in ${fmtCount(r.baseExcluded.areas, 'area')} that no postcode in your directory reaches (areas outside the borough, in a national file): only the areas your postcodes reach are counted.`
      : '',
    r.unmatched
      ? `${fmtCount(r.unmatched, 'record')} ${r.unmatched === 1 ? 'is' : 'are'} not in the table (unmatched or rejected postcodes, areas with no base figure, or no ${r.kind === 'segment' ? 'segment' : 'area'} for their postcode).`
      : '',
    r.notPlaced?.noBase
      ? `${fmtCount(r.notPlaced.noBase, 'record')} (${pctOf(r.notPlaced.noBase, r)}) ${r.notPlaced.noBase === 1 ? 'is' : 'are'} at postcodes in areas that the base has no ${r.baseMeasure} for: left out of every rate. Import a base file that covers those areas to count them.`
      : '',
    r.disclosure
      ? r.disclosure.primary + r.disclosure.secondary > 0
        ? `Counts under ${r.disclosure.minCell} are suppressed (${SUPPRESSED_MARK})` +
          (r.disclosure.secondary
            ? `; ${r.disclosure.secondary} more ${r.disclosure.secondary === 1 ? 'cell is' : 'cells are'} hidden so that none can be worked out from the total.`
            : '.')
        : `No count is under ${r.disclosure.minCell}, so nothing is suppressed.`
      : '',
    'Index: file % ÷ base % × 100. Significant: penetration differs from the overall rate at the 95% level.',
  ].filter(Boolean);
  return [title(r), '', line(HEADINGS), rule, ...rows.map(line), rule, line(total), '', ...notes].join('\n') + '\n';
}

/** A level's areas in a sentence: "output areas (2021)", "LSOAs (2011)", "wards". */
function areasOf(level: string): string {
  const title = (LEVEL_TITLES as Record<string, string>)[level] ?? level;
  const m = /^(.*?)( \(.*\))?$/.exec(title)!;
  const words = m[1] === m[1].toUpperCase() ? m[1] : m[1].charAt(0).toLowerCase() + m[1].slice(1);
  return `${words.replace(/y$/, 'ie')}s${m[2] ?? ''}`;
}

/**
 * The base's coverage of the borough in a council's words: "The postcode directory reaches 526 of
 * the borough's 668 output areas (2021) (79%): the base covers 77% of the borough's households."
 */
export function coverageNote(r: ProfileResult): string {
  const c = r.coverage;
  if (!c) return '';
  const pct = (a: number, b: number) => (b > 0 ? `${Math.round((100 * a) / b)}%` : '0%');
  return (
    `The postcode directory reaches ${fmtInt(c.reached)} of the borough's ${fmtInt(c.areas)} ${areasOf(c.level)} (${pct(c.reached, c.areas)}), ` +
    `so your base covers ${pct(c.reachedBase, c.base)} of the borough's ${r.baseMeasure} (${fmtInt(c.reachedBase)} of ${fmtInt(c.base)}). ` +
    `The rest are in no row and no rate. To cover the whole borough, import a postcode directory for all of it (the ONSPD or NSPL file for your local authority).`
  );
}

/** A number of records as a share of the file's records that a profile could place (owner's view). */
function pctOf(n: number, r: ProfileResult): string {
  const all = (r.total.count ?? 0) + (r.unmatched ?? 0);
  return all > 0 ? `${((100 * n) / all).toFixed(1)}% of the file` : 'of the file';
}

/** CSV with unrounded numbers and empty cells where a value is suppressed (with a `suppressed` column saying so). */
export function profileToCsv(r: ProfileResult): string {
  const cols = [
    'code',
    'name',
    'count',
    'filePct',
    'base',
    'basePct',
    'penetration',
    'ciLow',
    'ciHigh',
    'index',
    'z',
    'significant',
    'band',
    'suppressed',
  ] as const;
  const lines = [cols.join(',')];
  for (const row of r.rows)
    lines.push(cols.map((c) => csvField(row[c] === null || row[c] === undefined ? '' : String(row[c]))).join(','));
  lines.push(
    [
      'Total',
      '',
      r.total.count ?? '',
      100,
      r.total.base,
      100,
      r.total.penetration ?? '',
      '',
      '',
      100,
      '',
      '',
      '',
      r.total.count === null,
    ]
      .map((v) => csvField(String(v)))
      .join(','),
  );
  return lines.join('\r\n') + '\r\n';
}

export function profileToJson(r: ProfileResult): string {
  return JSON.stringify(r, null, 2) + '\n';
}

/** A formatted workbook: the table as a council report (seed 003's layout), and a sheet of notes. */
export async function profileToXlsx(r: ProfileResult): Promise<Buffer> {
  const wb = await newWorkbook();
  wb.creator = 'Civic Insight Observatory';
  // A4 landscape, one page wide, headings repeated: it prints as a report.
  const ws = wb.addWorksheet('Profile', {
    views: [{ state: 'frozen', ySplit: 3 }],
    pageSetup: {
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: '3:3',
      margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: '&LCivic Insight Observatory&RPage &P of &N' },
  });
  ws.addRow([title(r)]).font = { bold: true, size: 14 };
  ws.addRow([
    r.disclosure
      ? `Counts under ${r.disclosure.minCell} suppressed, shown as ${SUPPRESSED_MARK}`
      : 'Unsuppressed: for the data owner only',
  ]).font = { italic: true, size: 10 };
  const head = ws.addRow(HEADINGS);
  head.font = { bold: true, color: { argb: 'FFFFFFFF' } };
  head.eachCell((c) => {
    c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1D70B8' } };
    c.alignment = { wrapText: true, vertical: 'middle' };
  });
  const bandFill: Record<string, string> = {
    High: 'FFCCE2D8',
    'Above average': 'FFE5F1EC',
    Average: 'FFF3F2F1',
    'Below average': 'FFFCE8DC',
    Low: 'FFF6D7D2',
  };
  for (const row of r.rows) {
    const x = (v: number | null) => (row.suppressed ? SUPPRESSED_MARK : v);
    const added = ws.addRow([
      safeCellText(row.code),
      safeCellText(row.name ?? ''),
      x(row.count),
      x(row.filePct === null ? null : row.filePct / 100),
      row.base,
      row.basePct === null ? null : row.basePct / 100,
      x(row.penetration === null ? null : row.penetration / 100),
      x(row.ciLow === null ? null : row.ciLow / 100),
      x(row.ciHigh === null ? null : row.ciHigh / 100),
      x(row.index === null ? null : Math.round(row.index)),
      row.suppressed ? SUPPRESSED_MARK : row.band,
      row.suppressed ? SUPPRESSED_MARK : row.significant === null ? '' : row.significant ? 'Yes' : 'No',
    ]);
    if (row.band && bandFill[row.band])
      added.getCell(11).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: bandFill[row.band] } };
  }
  const total = ws.addRow([
    'Total',
    '',
    r.total.count ?? SUPPRESSED_MARK,
    1,
    r.total.base,
    1,
    r.total.penetration === null ? SUPPRESSED_MARK : r.total.penetration / 100,
    null,
    null,
    100,
    '',
    '',
  ]);
  total.font = { bold: true };
  total.eachCell((c) => {
    c.border = { top: { style: 'thin' } };
  });
  const formats: Record<number, string> = {
    3: '#,##0',
    4: '0.00%',
    5: '#,##0',
    6: '0.00%',
    7: '0.00%',
    8: '0.00%',
    9: '0.00%',
    10: '0',
  };
  for (const [col, fmt] of Object.entries(formats)) ws.getColumn(Number(col)).numFmt = fmt;
  const widths = [12, 44, 11, 9, 11, 9, 13, 10, 10, 8, 15, 12];
  widths.forEach((w, i) => {
    ws.getColumn(i + 1).width = w;
  });
  for (let c = 3; c <= 10; c++) ws.getColumn(c).alignment = { horizontal: 'right' };
  // Column alignment would otherwise take the headings' wrapping away.
  head.height = 30;
  head.eachCell((cell, c) => {
    cell.alignment = { wrapText: true, vertical: 'middle', horizontal: c >= 3 && c <= 10 ? 'right' : 'left' };
  });

  const notes = wb.addWorksheet('Notes', {
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  notes.getColumn(1).width = 28;
  notes.getColumn(2).width = 90;
  const rowsOfNotes: [string, string][] = [
    ['Dataset', r.dataset],
    ['Profiled by', r.kind === 'segment' ? `${r.classification} — ${r.level}` : r.level],
    ['Filter', r.filter ?? 'none'],
    [
      'Base',
      r.baseMethod +
        (r.baseExcluded && !r.coverage
          ? `; the base file's ${r.baseExcluded.areas} areas that no postcode reaches are not counted`
          : ''),
    ],
    ...(r.coverage ? [['Coverage of the borough', coverageNote(r)] as [string, string]] : []),
    ['Records not in the table', r.unmatched === null ? SUPPRESSED_MARK : String(r.unmatched)],
    ['Index', 'File % ÷ base % × 100; 100 means as many as expected from the base.'],
    ['Penetration', 'File count ÷ base × 100, with a 95% Wilson confidence interval.'],
    ['Significant', 'Penetration differs from the overall penetration at the 95% level (z-test).'],
    ['Bands', r.bands.map((b) => (b.min === null ? b.name : `${b.name} ≥ ${b.min}`)).join('; ')],
    [
      'Disclosure control',
      !r.disclosure
        ? 'None: for the data owner only.'
        : r.disclosure.primary + r.disclosure.secondary === 0
          ? `No count is under ${r.disclosure.minCell}, so nothing is suppressed.`
          : `Counts under ${r.disclosure.minCell} suppressed (${r.disclosure.primary} ${r.disclosure.primary === 1 ? 'cell' : 'cells'})` +
            (r.disclosure.secondary
              ? `, plus ${r.disclosure.secondary} more so that none can be worked out from the total.`
              : '.'),
    ],
    ['Produced', new Date().toISOString().slice(0, 10) + ' by the Civic Insight Observatory'],
  ];
  for (const [k, v] of rowsOfNotes) {
    const row = notes.addRow([k, safeCellText(v)]);
    row.getCell(1).font = { bold: true };
    row.getCell(2).alignment = { wrapText: true };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
