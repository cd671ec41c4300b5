/**
 * Representativeness leaving for a viewer: disclosure control, and renderers for the terminal,
 * JSON and a formatted workbook.
 */
import { suppressOneWay, Z_95 } from '../core/index.ts';
import {
  chiSquareGoodnessOfFit,
  describeRepresentation,
  type RepresentResult,
  type ChiSquare,
} from '../profiling/index.ts';
import { fmtInt, fmtPct, SUPPRESSED_MARK, safeCellText } from './format.ts';
import { disclosureNote, disclosureOf, shownCount, type DisclosureRule } from './disclosure.ts';
import { addNoteRows, newWorkbook } from './xlsx.ts';

/**
 * Small observed counts are hidden as a profile hides them (with secondary suppression), with
 * every figure that would reveal them: share, index, residual. The chi-square statistic would
 * reveal the hidden counts too (with the visible ones and the total it leaves one unknown), so the
 * test is recomputed with the hidden segments merged into one cell, and the result says so. The
 * plain-English summary is rewritten from what is left.
 */
export function discloseRepresent(result: RepresentResult, ruleIn: DisclosureRule): RepresentResult {
  const rule = disclosureOf(ruleIn);
  const minCell = rule.minCell;
  const stripped: RepresentResult = {
    ...result,
    rows: result.rows.map((r) => ({ ...r, cellKey: null })),
    total: { ...result.total, cellKey: null },
    notPlacedKey: null,
  };
  if (!(minCell > 0)) return stripped;
  const counts = result.rows.map((r) => r.observed ?? 0);
  const s = suppressOneWay(counts, minCell);
  // What the viewer sees of each count and of the sample's size: exact for the owner, perturbed for
  // everyone else (decision 0013); every figure below is worked out from these.
  const seen = result.rows.map((r, i) =>
    s.suppressed[i] || r.observed === null ? null : shownCount(r.observed, r.cellKey, rule),
  );
  const n =
    s.totalSuppressed || result.total.observed === null
      ? null
      : shownCount(result.total.observed, result.total.cellKey, rule);
  const hideSize = n === null;
  const hidden = seen.map((v) => v === null);
  const keep = result.rows.map((r, i) => !hidden[i] && r.expectedPct > 0);
  const merged = result.rows.filter((r, i) => hidden[i] && r.expectedPct > 0);
  // The hidden segments together: the owner's true sum; for others, what the shown size leaves.
  const mergedCount = rule.perturb
    ? Math.max(0, (n ?? 0) - seen.reduce<number>((t, v, i) => t + (keep[i] ? v! : 0), 0))
    : merged.reduce((t, r) => t + (r.observed ?? 0), 0);
  let test: ChiSquare | null = result.test;
  let residuals: (number | null)[] = result.rows.map((r) => r.residual);
  if (hideSize) test = null;
  else if (test && (hidden.some(Boolean) || rule.perturb)) {
    const observed = [...seen.filter((_, i) => keep[i]).map((v) => v!), ...(merged.length ? [mergedCount] : [])];
    const shares = [
      ...result.rows.filter((_, i) => keep[i]).map((r) => r.expectedPct),
      ...(merged.length ? [merged.reduce((t, r) => t + r.expectedPct, 0)] : []),
    ];
    const fit = chiSquareGoodnessOfFit(observed, shares);
    let j = 0;
    residuals = result.rows.map((_, i) => (keep[i] ? fit.residuals[j++] : null));
    test =
      fit.df >= 1
        ? {
            statistic: fit.statistic,
            df: fit.df,
            pValue: fit.pValue,
            significant: fit.pValue < 0.05,
            cells: fit.cells,
            merged: merged.length ? merged.map((r) => r.code) : null,
          }
        : null;
  }
  const rows = result.rows.map((r, i) => {
    const expected = hideSize ? null : rule.perturb ? (n! * r.expectedPct) / 100 : r.expected;
    if (hidden[i])
      return {
        ...r,
        cellKey: null,
        observed: null,
        observedPct: null,
        index: null,
        residual: null,
        significant: null,
        direction: null,
        suppressed: true,
        expected,
      };
    if (!rule.perturb) return { ...r, cellKey: null, expected };
    const o = seen[i]!;
    const residual = r.expectedPct > 0 ? residuals[i] : null;
    const significant = residual === null ? null : Math.abs(residual) > Z_95;
    return {
      ...r,
      cellKey: null,
      observed: o,
      observedPct: n ? (o / n) * 100 : null,
      index: n && r.expectedPct > 0 ? (o / n / (r.expectedPct / 100)) * 100 : null,
      expected,
      residual,
      significant,
      direction:
        significant === null
          ? null
          : !significant
            ? ('as expected' as const)
            : residual! < 0
              ? ('under' as const)
              : ('over' as const),
    };
  });
  const described = describeRepresentation({ rows, test, reference: result.reference });
  const smallExpected = hideSize
    ? []
    : rows
        .filter((r) => r.expectedPct > 0 && r.expected !== null && r.expected < 5)
        .map((r) => ({ code: r.code, expected: r.expected! }));
  const notPlaced =
    result.notPlaced === null || result.notPlaced === 0
      ? result.notPlaced
      : shownCount(result.notPlaced, result.notPlacedKey, rule);
  return {
    ...stripped,
    rows,
    total: { observed: n, expected: hideSize ? null : rule.perturb ? n : result.total.expected, cellKey: null },
    test,
    smallExpected,
    underRepresented: described.under,
    overRepresented: described.over,
    summary: described.summary,
    notPlaced,
    warnings: result.warnings,
    disclosure: { minCell, primary: s.primary, secondary: s.secondary, perturbed: rule.perturb },
  };
}

export function representTitle(r: RepresentResult): string {
  const against = r.reference.kind === 'base' ? r.reference.name : `${r.reference.name} (another dataset)`;
  return `Representativeness of ${r.sample} by ${r.classification} ${r.level}, against ${against}`;
}

const HEADINGS = [
  'Code',
  'Name',
  'Observed',
  'Observed %',
  'Expected %',
  'Expected',
  'Index',
  'Residual',
  'Significant',
  'Represented',
];

function testLine(r: RepresentResult): string {
  if (!r.test) return 'Chi-square test: not possible (no records in the segments, or fewer than two segments).';
  const t = r.test;
  return (
    `Chi-square goodness of fit: ${t.statistic.toFixed(2)} with ${t.df} degrees of freedom, p ${t.pValue < 0.001 ? '< 0.001' : `= ${t.pValue.toFixed(3)}`}: ` +
    (t.significant
      ? 'the sample differs from the expected spread (95% level).'
      : 'no significant difference from the expected spread (95% level).') +
    (t.merged ? ` The test merges the suppressed segments (${t.merged.join(', ')}) into one cell.` : '')
  );
}

export function representToTable(r: RepresentResult): string {
  const rows = r.rows.map((row) => {
    const h = (v: string) => (row.suppressed ? SUPPRESSED_MARK : v);
    return [
      row.code,
      row.name ?? '',
      h(fmtInt(row.observed)),
      h(fmtPct(row.observedPct)),
      fmtPct(row.expectedPct),
      fmtPct(row.expected),
      h(fmtInt(row.index)),
      h(row.residual === null ? '' : row.residual.toFixed(2)),
      h(row.significant === null ? '' : row.significant ? 'yes' : 'no'),
      h(row.direction === 'as expected' ? '' : (row.direction ?? '')),
    ];
  });
  const total = [
    'Total',
    '',
    r.total.observed === null ? SUPPRESSED_MARK : fmtInt(r.total.observed),
    '100.00',
    '100.00',
    fmtPct(r.total.expected),
    '100',
    '',
    '',
    '',
  ];
  const all = [HEADINGS, ...rows, total];
  const widths = HEADINGS.map((_, i) => Math.min(i === 1 ? 44 : 20, Math.max(...all.map((x) => x[i].length))));
  const numeric = (i: number) => i >= 2 && i <= 7;
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const v = c.length > widths[i] ? c.slice(0, widths[i] - 1) + '…' : c;
        return numeric(i) ? v.padStart(widths[i]) : v.padEnd(widths[i]);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const merged = r.test?.merged
    ? `The test merges the suppressed segments (${r.test.merged.join(', ')}) into one cell.`
    : '';
  const notes = [
    ...(r.test ? [] : ['Chi-square test: not possible (no records in the segments, or fewer than two segments).']),
    ...r.summary,
    ...(merged ? [merged] : []),
    '',
    ...[
      `Expected: ${r.reference.method}.`,
      r.notPlaced === null
        ? `Some ${r.sample} records are in no segment (${SUPPRESSED_MARK}).`
        : r.notPlaced
          ? `${fmtInt(r.notPlaced)} ${r.sample} ${r.notPlaced === 1 ? 'record is' : 'records are'} in no segment (unmatched or rejected postcodes, or no segment for their postcode).`
          : '',
      ...r.warnings.map((w) => `Warning: ${w}`),
      disclosureNote(r.disclosure),
      'Index: observed % ÷ expected % × 100. Residual: adjusted standardised residual, (observed − expected) ÷ √(expected × (1 − expected share)); significant beyond ±1.96 (95% level).',
    ].filter(Boolean),
  ];
  return (
    [representTitle(r), '', line(HEADINGS), rule, ...rows.map(line), rule, line(total), '', ...notes].join('\n') + '\n'
  );
}

export function representToJson(r: RepresentResult): string {
  return JSON.stringify(r, null, 2) + '\n';
}

export async function representToXlsx(r: RepresentResult): Promise<Buffer> {
  const wb = await newWorkbook();
  wb.creator = 'Civic Insight Observatory';
  const pageSetup = { paperSize: 9, orientation: 'landscape' as const, fitToPage: true, fitToWidth: 1, fitToHeight: 0 };
  const ws = wb.addWorksheet('Representativeness', {
    views: [{ state: 'frozen', ySplit: 3 }],
    pageSetup: { ...pageSetup, printTitlesRow: '3:3' },
  });
  ws.addRow([representTitle(r)]).font = { bold: true, size: 14 };
  ws.addRow([
    r.disclosure
      ? `Counts under ${r.disclosure.minCell} suppressed, shown as ${SUPPRESSED_MARK}`
      : 'Unsuppressed: for the data owner only',
  ]).font = { italic: true, size: 10 };
  const head = ws.addRow(HEADINGS);
  head.font = { bold: true, color: { argb: 'FFFFFFFF' } };
  head.height = 30;
  head.eachCell((c) => {
    c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1D70B8' } };
    c.alignment = { wrapText: true, vertical: 'middle' };
  });
  const fill: Record<string, string> = { under: 'FFF6D7D2', over: 'FFCCE2D8' };
  for (const row of r.rows) {
    const x = <T>(v: T) => (row.suppressed ? SUPPRESSED_MARK : v);
    const added = ws.addRow([
      safeCellText(row.code),
      safeCellText(row.name ?? ''),
      x(row.observed),
      x(row.observedPct === null ? null : row.observedPct / 100),
      row.expectedPct / 100,
      row.expected,
      x(row.index === null ? null : Math.round(row.index)),
      x(row.residual),
      x(row.significant === null ? '' : row.significant ? 'Yes' : 'No'),
      x(
        row.direction === 'under'
          ? 'Under'
          : row.direction === 'over'
            ? 'Over'
            : row.direction === 'as expected'
              ? 'As expected'
              : '',
      ),
    ]);
    if (row.significant && row.direction && fill[row.direction])
      added.getCell(10).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: fill[row.direction] } };
  }
  const total = ws.addRow([
    'Total',
    '',
    r.total.observed ?? SUPPRESSED_MARK,
    1,
    1,
    r.total.expected,
    100,
    null,
    '',
    '',
  ]);
  total.font = { bold: true };
  total.eachCell((c) => {
    c.border = { top: { style: 'thin' } };
  });
  const formats: Record<number, string> = { 3: '#,##0', 4: '0.00%', 5: '0.00%', 6: '#,##0.0', 7: '0', 8: '0.00' };
  for (const [c, f] of Object.entries(formats)) ws.getColumn(Number(c)).numFmt = f;
  [10, 40, 11, 11, 11, 11, 8, 10, 12, 14].forEach((w, i) => {
    ws.getColumn(i + 1).width = w;
  });
  ws.addRow([]);
  if (r.test) {
    for (const [k, v] of [
      ['Chi-square', r.test.statistic],
      ['Degrees of freedom', r.test.df],
      ['p-value', r.test.pValue],
      ['Significant (95%)', r.test.significant ? 'Yes' : 'No'],
    ] as [string, number | string][]) {
      const row = ws.addRow([k, v]);
      row.getCell(1).font = { bold: true };
    }
  }
  for (const line of r.summary) ws.addRow([safeCellText(line)]);

  const notes = wb.addWorksheet('Notes', { pageSetup });
  notes.getColumn(1).width = 28;
  notes.getColumn(2).width = 100;
  const rows: [string, string][] = [
    ['Sample', r.sample],
    ['Segments', `${r.classification} — ${r.level}`],
    ['Expected shares', r.reference.method],
    ['Test', testLine(r)],
    ['Summary', r.summary.join(' ')],
    ['Records in no segment', r.notPlaced === null ? SUPPRESSED_MARK : String(r.notPlaced)],
    ['Index', 'Observed % ÷ expected % × 100; 100 means as many as expected.'],
    [
      'Residual',
      'Adjusted standardised residual: (observed − expected) ÷ √(expected × (1 − expected share)). Beyond ±1.96 it is significant at the 95% level.',
    ],
    ...r.warnings.map((w): [string, string] => ['Warning', w]),
    ['Disclosure control', disclosureNote(r.disclosure)],
    ['Produced', new Date().toISOString().slice(0, 10) + ' by the Civic Insight Observatory'],
  ];
  addNoteRows(notes, rows);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
