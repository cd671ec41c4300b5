/**
 * Renderers for the RAG synopsis: a terminal table, JSON, a workbook, and one printable HTML page
 * (plain HTML and inline CSS). Every coloured cell also says its colour in words, and a suppressed
 * cell is grey "[c]". None computes anything.
 */
import type { RagResult, RagColumn, RagCell } from '../profiling/index.ts';
import { escapeHtml, fmtCount, fmtInt, SUPPRESSED_MARK, safeCellText } from './format.ts';
import { disclosureNote, sumDisclosure } from './disclosure.ts';
import { styleHeaderRows, newWorkbook } from './xlsx.ts';
import { NOT_SIGNIFICANT_MARK } from './sdf.ts';

/** GOV.UK colours; the text on each passes WCAG AA (white on green 5.9:1, black on amber 12:1, white on red 4.9:1). */
const RAG_STYLE = {
  Green: { bg: '#00703c', fg: '#ffffff' },
  Amber: { bg: '#ffbf47', fg: '#0b0c0c' },
  Red: { bg: '#d4351c', fg: '#ffffff' },
  suppressed: { bg: '#b1b4b6', fg: '#0b0c0c' },
} as const;

function areaName(r: RagResult): string {
  return r.area ? (r.area.name ?? r.area.code) : '';
}

function areaLabel(r: RagResult): string {
  return r.area
    ? `${r.area.name ? `${r.area.name} (${r.area.level} ${r.area.code})` : `${r.area.level} ${r.area.code}`}`
    : '';
}

function scopeLabel(r: RagResult, c: RagColumn): string {
  return c.scope === 'local' ? areaName(r) : 'Whole area';
}

function title(r: RagResult): string {
  const measures = [...new Map(r.columns.map((c) => [c.measure, c.label])).values()];
  const what = measures.length === 2 ? `${measures[0]} and ${measures[1]}` : measures.join(', ');
  return (
    `RAG synopsis: ${what} by ${r.classification} ${r.level}` + (r.area ? `, ${areaLabel(r)} and the whole area` : '')
  );
}

export function ragRule(r: RagResult): string {
  const { green, red } = r.thresholds;
  return `Green: index ${green} or more (well represented). Amber: ${red} to under ${green}. Red: under ${red} (under-represented).`;
}

function baseNote(r: RagResult): string {
  const whole = r.columns.find((c) => c.scope === 'whole')!;
  const local = r.columns.find((c) => c.scope === 'local');
  return (
    `Base: ${r.baseMeasure}. Whole area: ${whole.baseMethod}.` +
    (local
      ? ` ${areaName(r)}: ${local.baseMethod}. Records whose postcode could not be matched cannot be placed in ${areaName(r)}, so its columns leave them out.`
      : '')
  );
}

function cellText(c: RagCell): string {
  if (c.suppressed) return SUPPRESSED_MARK;
  if (c.index === null || c.rag === null) return '–';
  return `${fmtInt(c.index)} ${c.rag}${c.significant === false ? NOT_SIGNIFICANT_MARK : ''}`;
}

const indexNote = (r: RagResult) =>
  `Index: the segment's share of the records ÷ its share of the ${r.baseMeasure} × 100; 100 is as expected.`;
const SIG_NOTE = `${NOT_SIGNIFICANT_MARK} not significantly different from the overall rate (95% level); – no base in the segment.`;

export function ragToTable(r: RagResult): string {
  const base = r.baseMeasure === 'households' ? 'Households' : 'People';
  const head = [
    'Code',
    'Name',
    ...(r.area ? [`${base} (${areaName(r)})`] : []),
    base,
    ...r.columns.map((c) => `${c.label}: ${scopeLabel(r, c)}`),
  ];
  const rows = r.rows.map((row) => [
    row.code,
    row.name ?? '',
    ...(r.area ? [fmtInt(row.localBase)] : []),
    fmtInt(row.base),
    ...row.cells.map(cellText),
  ]);
  const total = [
    'Records',
    '',
    ...(r.area ? [''] : []),
    '',
    ...r.columns.map((c) => (c.total.count === null ? SUPPRESSED_MARK : fmtInt(c.total.count))),
  ];
  const all = [head, ...rows, total];
  const widths = head.map((_, i) => Math.min(i === 1 ? 32 : 40, Math.max(...all.map((x) => x[i].length))));
  const nBase = r.area ? 2 : 1;
  const right = (i: number) => i >= 2 && i < 2 + nBase;
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const v = c.length > widths[i] ? c.slice(0, widths[i] - 1) + '…' : c;
        return right(i) ? v.padStart(widths[i]) : v.padEnd(widths[i]);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const notes = [
    ragRule(r) + ' Applied to the index as shown, rounded to a whole number.',
    indexNote(r),
    SIG_NOTE,
    baseNote(r),
    ragNote(r),
  ];
  return [title(r), '', line(head), rule, ...rows.map(line), rule, line(total), '', ...notes].join('\n') + '\n';
}

export function ragToJson(r: RagResult): string {
  return JSON.stringify(r, null, 2) + '\n';
}

const esc = escapeHtml;

function htmlCell(c: RagCell): string {
  if (c.suppressed)
    return `<td class="rag rag-suppressed"><span class="idx">${SUPPRESSED_MARK}</span> <span class="lbl">hidden</span></td>`;
  if (c.index === null || c.rag === null) return `<td class="rag rag-none"><span class="idx">–</span></td>`;
  const ns =
    c.significant === false
      ? `<abbr title="not significantly different from the overall rate">${NOT_SIGNIFICANT_MARK}</abbr>`
      : '';
  return `<td class="rag rag-${c.rag.toLowerCase()}"><span class="idx">${esc(fmtInt(c.index))}</span> <span class="lbl">${c.rag}</span>${ns}</td>`;
}

/** One printable page: plain HTML with inline CSS, GOV.UK-like type, colour and words in every cell. */
export function ragToHtml(r: RagResult, produced = new Date()): string {
  const base = r.baseMeasure === 'households' ? 'Households' : 'People';
  const measures = [...new Map(r.columns.map((c) => [c.measure, c])).values()];
  const perMeasure = (m: RagColumn) => r.columns.filter((c) => c.measure === m.measure).length;
  const headTop =
    `<tr><th scope="col" rowspan="2">Code</th><th scope="col" rowspan="2">Segment</th>` +
    (r.area ? `<th scope="col" rowspan="2" class="num">${base} in ${esc(areaName(r))}</th>` : '') +
    `<th scope="col" rowspan="2" class="num">${base}</th>` +
    measures
      .map((m) => `<th scope="colgroup" colspan="${perMeasure(m)}" class="measure">${esc(m.label)}</th>`)
      .join('') +
    '</tr>';
  const headSub = `<tr>${r.columns.map((c) => `<th scope="col" class="scope">${esc(scopeLabel(r, c))}</th>`).join('')}</tr>`;
  const body = r.rows
    .map(
      (row) =>
        `<tr><td>${esc(row.code)}</td><th scope="row">${esc(row.name ?? '')}</th>` +
        (r.area ? `<td class="num">${esc(fmtInt(row.localBase))}</td>` : '') +
        `<td class="num">${esc(fmtInt(row.base))}</td>` +
        row.cells.map(htmlCell).join('') +
        '</tr>',
    )
    .join('\n');
  const totals =
    `<tr class="total"><td></td><th scope="row">Records</th>${r.area ? '<td></td>' : ''}<td></td>` +
    r.columns
      .map((c) => `<td class="num">${c.total.count === null ? SUPPRESSED_MARK : esc(fmtInt(c.total.count))}</td>`)
      .join('') +
    '</tr>';
  const { green, red } = r.thresholds;
  const legend = [
    ['green', 'Green', `index ${green} or more: well represented`],
    ['amber', 'Amber', `index ${red} to under ${green}: about as expected`],
    ['red', 'Red', `index under ${red}: under-represented`],
    ['suppressed', SUPPRESSED_MARK, `hidden: too few records to show`],
  ]
    .map(([cls, name, text]) => `<li><span class="swatch rag-${cls}">${esc(name)}</span> ${esc(text)}</li>`)
    .join('');
  const s = RAG_STYLE;
  return `<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title(r))}</title>
<style>
  @page { size: A4 landscape; margin: 12mm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { font-family: "GDS Transport", arial, sans-serif; color: #0b0c0c; background: #fff; font-size: 16px; line-height: 1.25; margin: 24px; }
  h1 { font-size: 32px; font-weight: 700; line-height: 1.1; margin: 0 0 8px; }
  .caption { color: #505a5f; font-size: 19px; margin: 0 0 16px; }
  table { border-collapse: collapse; width: 100%; margin: 0 0 16px; }
  th, td { border-bottom: 1px solid #b1b4b6; padding: 6px 8px; text-align: left; vertical-align: middle; }
  thead th { font-weight: 700; border-bottom: 2px solid #0b0c0c; }
  tbody th { font-weight: 400; }
  th.measure { text-align: center; border-bottom: 1px solid #0b0c0c; }
  th.scope { text-align: center; font-size: 14px; }
  .num { text-align: right; font-variant-numeric: tabular-nums; }
  td.rag { text-align: center; font-weight: 700; white-space: nowrap; border: 2px solid #fff; }
  .rag .lbl { font-size: 13px; font-weight: 400; }
  .rag-green { background: ${s.Green.bg}; color: ${s.Green.fg}; }
  .rag-amber { background: ${s.Amber.bg}; color: ${s.Amber.fg}; }
  .rag-red { background: ${s.Red.bg}; color: ${s.Red.fg}; }
  .rag-suppressed { background: ${s.suppressed.bg}; color: ${s.suppressed.fg}; }
  .rag-none { background: #f3f2f1; color: #0b0c0c; }
  tr.total th, tr.total td { font-weight: 700; border-top: 2px solid #0b0c0c; }
  .legend { list-style: none; padding: 0; margin: 0 0 12px; display: flex; flex-wrap: wrap; gap: 8px 24px; }
  .swatch { display: inline-block; min-width: 56px; padding: 2px 6px; font-weight: 700; text-align: center; }
  .notes { font-size: 14px; color: #0b0c0c; margin: 0; padding-left: 20px; }
  .notes li { margin: 0 0 4px; }
  abbr { text-decoration: none; }
  @media print { body { margin: 0; font-size: 12px; } h1 { font-size: 24px; } .caption { font-size: 15px; } th, td { padding: 3px 5px; } .notes { font-size: 11px; } }
</style>
</head>
<body>
<h1>${esc(title(r))}</h1>
<p class="caption">Index of each segment's take-up against its share of ${esc(r.baseMeasure)}: 100 is as expected. ${esc(ragRule(r))}</p>
<ul class="legend" aria-label="Key">${legend}</ul>
<table>
<thead>
${headTop}
${headSub}
</thead>
<tbody>
${body}
${totals}
</tbody>
</table>
<ol class="notes">
<li>${esc(indexNote(r))} The colour is applied to the index as shown, rounded to a whole number. ${esc(SIG_NOTE)}</li>
<li>${esc(baseNote(r))}</li>
<li>${esc(ragNote(r))}</li>
<li>Measures: ${measures.map((m) => esc(`${m.label} = ${m.dataset}${m.filter ? ` where ${m.filter}` : ''}`)).join('; ')}. Produced ${produced.toISOString().slice(0, 10)} by the Civic Insight Observatory.</li>
</ol>
</body>
</html>
`;
}

const XLSX_FILL: Record<string, string> = {
  Green: 'FF00703C',
  Amber: 'FFFFBF47',
  Red: 'FFD4351C',
  suppressed: 'FFB1B4B6',
};
const XLSX_FONT: Record<string, string> = {
  Green: 'FFFFFFFF',
  Amber: 'FF0B0C0C',
  Red: 'FFFFFFFF',
  suppressed: 'FF0B0C0C',
};

/** A workbook: the synopsis (index and RAG in two cells per column, both coloured) and a Notes sheet. */
export async function ragToXlsx(r: RagResult, produced = new Date()): Promise<Buffer> {
  const wb = await newWorkbook();
  wb.creator = 'Civic Insight Observatory';
  const ws = wb.addWorksheet('RAG synopsis', {
    views: [{ state: 'frozen', xSplit: 2, ySplit: 4 }],
    pageSetup: {
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 1,
      margins: { left: 0.5, right: 0.5, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: '&LCivic Insight Observatory&R&D' },
  });
  const base = r.baseMeasure === 'households' ? 'Households' : 'People';
  ws.addRow([safeCellText(title(r))]).font = { bold: true, size: 14 };
  ws.addRow([
    safeCellText(
      `${ragRule(r)} ${r.disclosure ? `Counts under ${r.disclosure.minCell} suppressed, shown as ${SUPPRESSED_MARK}.` : 'Unsuppressed: for the data owner only.'}`,
    ),
  ]).font = { italic: true, size: 10 };
  const lead = ['Code', 'Segment', ...(r.area ? [`${base} in ${areaName(r)}`] : []), base];
  const top = ws.addRow([
    ...lead.map(safeCellText),
    ...r.columns.flatMap((c) => [safeCellText(`${c.label}: ${scopeLabel(r, c)}`), '']),
  ]);
  const sub = ws.addRow([...lead.map(() => ''), ...r.columns.flatMap(() => ['Index', 'RAG'])]);
  for (let c = 1; c <= lead.length; c++) ws.mergeCells(3, c, 4, c);
  r.columns.forEach((_, i) => ws.mergeCells(3, lead.length + 1 + 2 * i, 3, lead.length + 2 + 2 * i));
  styleHeaderRows([top, sub]);
  top.height = 45;
  for (const row of r.rows) {
    const values: (string | number | null)[] = [
      safeCellText(row.code),
      safeCellText(row.name ?? ''),
      ...(r.area ? [row.localBase] : []),
      row.base,
    ];
    for (const c of row.cells) {
      values.push(c.suppressed ? SUPPRESSED_MARK : c.index === null ? '–' : Math.round(c.index));
      values.push(
        c.suppressed
          ? SUPPRESSED_MARK
          : c.rag === null
            ? '–'
            : c.rag + (c.significant === false ? ` ${NOT_SIGNIFICANT_MARK}` : ''),
      );
    }
    const added = ws.addRow(values);
    row.cells.forEach((c, k) => {
      const key = c.suppressed ? 'suppressed' : c.rag;
      for (const [col, isIndex] of [
        [lead.length + 1 + 2 * k, true],
        [lead.length + 2 + 2 * k, false],
      ] as const) {
        const cell = added.getCell(col);
        if (key) {
          cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: XLSX_FILL[key] } };
          cell.font = { bold: isIndex, color: { argb: XLSX_FONT[key] } };
        }
        cell.alignment = { horizontal: 'center' };
        cell.border = {
          top: { style: 'thin', color: { argb: 'FFFFFFFF' } },
          bottom: { style: 'thin', color: { argb: 'FFFFFFFF' } },
          left: { style: 'thin', color: { argb: 'FFFFFFFF' } },
          right: { style: 'thin', color: { argb: 'FFFFFFFF' } },
        };
      }
    });
  }
  const total = ws.addRow([
    'Records',
    '',
    ...(r.area ? [null] : []),
    null,
    ...r.columns.flatMap((c) => [c.total.count === null ? SUPPRESSED_MARK : c.total.count, '']),
  ]);
  total.font = { bold: true };
  total.eachCell({ includeEmpty: true }, (c) => {
    c.border = { top: { style: 'thin' } };
  });
  ws.getColumn(1).width = 8;
  ws.getColumn(2).width = 36;
  for (let c = 3; c <= lead.length; c++) {
    ws.getColumn(c).width = 13;
    ws.getColumn(c).numFmt = '#,##0';
  }
  r.columns.forEach((_, k) => {
    ws.getColumn(lead.length + 1 + 2 * k).width = 8;
    ws.getColumn(lead.length + 1 + 2 * k).numFmt = '#,##0';
    ws.getColumn(lead.length + 2 + 2 * k).width = 10;
  });

  const notes = wb.addWorksheet('Notes', {
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  notes.getColumn(1).width = 28;
  notes.getColumn(2).width = 100;
  const rows: [string, string][] = [
    [
      'What this is',
      'RAG synopsis: two measures side by side for each segment, each as an index coloured Red, Amber or Green' +
        (r.area ? `, for ${areaLabel(r)} and for the whole area.` : ', for the whole area.'),
    ],
    ['Classification', r.classification],
    ['Tier', r.level],
    ['RAG rule', `${ragRule(r)} Applied to the index as shown, rounded to a whole number.`],
    ['Index', indexNote(r)],
    [
      NOT_SIGNIFICANT_MARK,
      'Not significantly different from the overall rate (95% level): do not act on the colour alone.',
    ],
    ['Base', baseNote(r)],
    ['Disclosure control', ragNote(r)],
    ...r.columns.map((c): [string, string] => [
      `${c.label}: ${scopeLabel(r, c)}`,
      `dataset ${c.dataset}${c.filter ? ` where ${c.filter}` : ''}; ${c.total.count === null ? `records ${SUPPRESSED_MARK}` : fmtCount(c.total.count, 'record')}` +
        (c.unmatched
          ? `; ${fmtCount(c.unmatched, 'record')} not placed (unmatched or rejected postcodes, or no segment)`
          : ''),
    ]),
    ['Produced', produced.toISOString().slice(0, 10) + ' by the Civic Insight Observatory'],
  ];
  for (const [k, v] of rows) {
    const row = notes.addRow([safeCellText(k), safeCellText(v)]);
    row.getCell(1).font = { bold: true };
    row.getCell(2).alignment = { wrapText: true };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const ragNote = (r: RagResult) =>
  disclosureNote(
    r.disclosure
      ? sumDisclosure(
          r.disclosure.minCell,
          r.columns.map((c) => c.disclosure),
        )
      : null,
    { scope: 'in each column (grey), each column a table of its own', from: "the column's total" },
  );
