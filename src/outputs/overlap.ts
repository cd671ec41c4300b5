/**
 * Take-up overlap leaving for a viewer: disclosure control, and renderers for the terminal, JSON,
 * a formatted workbook and an UpSet-style chart as plain SVG. None computes anything new.
 */
import type ExcelJS from 'exceljs';
import { suppressOneWay } from '../core/index.ts';
import { disclosureNote, disclosureOf, shownCount, type Disclosure, type DisclosureRule } from './disclosure.ts';
import type { OverlapResult, OverlapCombination } from '../profiling/index.ts';
import { escapeHtml, fmtInt, fmtPct, SUPPRESSED_MARK, safeCellText } from './format.ts';
import { addNoteRows, newWorkbook } from './xlsx.ts';

/**
 * Hides small counts in an overlap. The exclusive combinations ("none" included) split the total
 * the way a profile's segments split a file, so they are suppressed with suppressOneWay: no hidden
 * combination can be worked out from the total. The result also publishes sums of combinations:
 * each service's users and the number using exactly one. Each such sum is shown only if, together
 * with the total and the sums already shown, it still leaves every hidden combination impossible
 * to work out exactly (counting whole numbers that cannot be negative), and its own hidden part is
 * two or more combinations holding at least the threshold; otherwise it is hidden too.
 */
export function discloseOverlap(result: OverlapResult, ruleIn: DisclosureRule): OverlapResult {
  const rule = disclosureOf(ruleIn);
  const minCell = rule.minCell;
  if (!(minCell > 0)) return stripKeys(result);
  const combos = result.combinations;
  const counts = combos.map((c) => c.count ?? 0);
  const s = suppressOneWay(counts, minCell);
  const hidden = s.suppressed;
  let secondary = s.secondary;
  const noneIndex = combos.findIndex((c) => c.degree === 0);

  const shown: Sum[] = [{ members: combos.map((_, i) => i), value: counts.reduce((a, b) => a + b, 0) }];
  const consider = (members: number[]): boolean => {
    const sum: Sum = { members, value: members.reduce((t, i) => t + counts[i], 0) };
    if (sum.value < minCell) return false; // small itself: its combinations are all hidden already
    if (!members.some((i) => hidden[i])) {
      shown.push(sum);
      return true;
    }
    if (safeToPublish([...shown, sum], counts, hidden, minCell)) {
      shown.push(sum);
      return true;
    }
    secondary++;
    return false;
  };
  const exactlyOneShown = consider(combos.flatMap((c, i) => (c.degree === 1 ? [i] : [])));
  const usersShown = result.datasets.map((d) =>
    consider(combos.flatMap((c, i) => (c.datasets.includes(d) ? [i] : []))),
  );

  const total = result.total;
  const pct = (n: number) => (total > 0 ? (n / total) * 100 : null);
  const mask = (c: OverlapCombination) =>
    result.datasets.reduce((m, d, i) => (c.datasets.includes(d) ? m | (1 << i) : m), 0);
  const cells: OverlapCombination[] = combos.map((c, i) =>
    hidden[i] ? { ...c, count: null, pct: null, suppressed: true } : c,
  );
  // Hidden combinations go last in a fixed order, so their place in the list says nothing about their size.
  const order = [...cells].sort(
    (a, b) =>
      Number(a.suppressed) - Number(b.suppressed) ||
      (a.suppressed
        ? a.degree - b.degree || mask(a) - mask(b)
        : (b.count ?? 0) - (a.count ?? 0) || a.degree - b.degree || mask(a) - mask(b)),
  );
  const noneHidden = noneIndex >= 0 && hidden[noneIndex];
  const services = result.services.map((sv, k) => {
    const onlyIndex = combos.findIndex((c) => c.degree === 1 && c.datasets[0] === sv.dataset);
    const onlyHidden = onlyIndex >= 0 && hidden[onlyIndex];
    const small = (n: number | null) => (n !== null && n < minCell ? null : n);
    const records = small(sv.records);
    // Records left unplaced (records − linked) are hidden when few, as a profile hides its unplaced
    // records; and where each household has one record, the linked records are its users.
    const unplaced = sv.records !== null && sv.linked !== null ? sv.records - sv.linked : 0;
    const linked = records === null || !usersShown[k] || (unplaced > 0 && unplaced < minCell) ? null : small(sv.linked);
    return {
      ...sv,
      records,
      linked,
      users: usersShown[k] ? sv.users : null,
      usersPct: usersShown[k] ? sv.usersPct : null,
      only: onlyHidden ? null : sv.only,
      onlyPct: onlyHidden ? null : sv.onlyPct,
      suppressed: !usersShown[k],
    };
  });
  const suppressed: OverlapResult = {
    ...result,
    combinations: order,
    none: noneHidden ? { count: null, pct: null, suppressed: true } : result.none,
    // total − none: hidden with "none".
    atLeastOne: noneHidden
      ? { count: null, pct: null }
      : { count: result.atLeastOne.count, pct: result.atLeastOne.count === null ? null : pct(result.atLeastOne.count) },
    exactlyOne: exactlyOneShown ? result.exactlyOne : { count: null, pct: null },
    services,
    unlinkable:
      result.unlinkable !== null && result.unlinkable > 0 && result.unlinkable < minCell ? null : result.unlinkable,
    disclosure: { minCell, primary: s.primary, secondary, perturbed: rule.perturb },
  };
  return rule.perturb ? perturbOverlap(suppressed, result, rule) : stripKeys(suppressed);
}

/** Removes the cell keys: they never leave the boundary. */
function stripKeys(r: OverlapResult): OverlapResult {
  return {
    ...r,
    combinations: r.combinations.map((c) => ({ ...c, cellKey: null })),
    services: r.services.map((sv) => ({ ...sv, keys: null })),
    keys: null,
  };
}

/**
 * For a viewer who does not own every dataset in it: each count the suppression left visible
 * carries its cell key's noise (decision 13), and every percentage is worked out again against the
 * perturbed total. A count the noise takes under the threshold is hidden too. At postcode level
 * the total (live postcodes) is reference data and stays as it is.
 */
function perturbOverlap(shown: OverlapResult, truth: OverlapResult, rule: Disclosure): OverlapResult {
  const keys = truth.keys;
  const noise = (n: number | null, key: number | null | undefined) => (n === null ? null : shownCount(n, key, rule));
  const total = truth.level === 'household' ? (noise(truth.total, keys?.total) ?? 0) : truth.total;
  const pct = (n: number | null) => (n === null || !(total > 0) ? null : (n / total) * 100);
  const keyOfCombo = new Map(truth.combinations.map((c) => [c.datasets.join('\u0000'), c.cellKey]));
  const combinations = shown.combinations.map((c) => {
    const n = noise(c.count, keyOfCombo.get(c.datasets.join('\u0000')));
    return n === null
      ? { ...c, count: null, pct: null, suppressed: true, cellKey: null }
      : { ...c, count: n, pct: pct(n), cellKey: null };
  });
  const services = shown.services.map((sv, i) => {
    const k = truth.services[i].keys;
    const users = noise(sv.users, k?.users),
      only = noise(sv.only, k?.only);
    return {
      ...sv,
      records: noise(sv.records, k?.records),
      linked: noise(sv.linked, k?.linked),
      users,
      usersPct: pct(users),
      only,
      onlyPct: pct(only),
      suppressed: users === null,
      keys: null,
    };
  });
  const none = noise(shown.none.count, keys?.none);
  const atLeastOne = noise(shown.atLeastOne.count, keys?.atLeastOne);
  const exactlyOne = noise(shown.exactlyOne.count, keys?.exactlyOne);
  return {
    ...shown,
    total,
    combinations,
    services,
    none:
      none === null ? { count: null, pct: null, suppressed: true } : { count: none, pct: pct(none), suppressed: false },
    atLeastOne: { count: atLeastOne, pct: pct(atLeastOne) },
    exactlyOne: { count: exactlyOne, pct: pct(exactlyOne) },
    unlinkable: noise(shown.unlinkable, keys?.unlinkable),
    keys: null,
  };
}

interface Sum {
  members: number[];
  value: number;
}

/**
 * Whether publishing these sums (the first is the total) keeps every hidden cell safe: each sum's
 * hidden part is two or more cells holding at least the threshold, and no hidden cell can be worked
 * out exactly. The second is checked by trying every way of filling the hidden cells with whole
 * numbers when that is quick, and otherwise by finding, for each hidden cell, another filling that
 * agrees with every sum and changes it. When neither proves it, the answer is no.
 */
export function safeToPublish(
  sums: Sum[],
  counts: readonly number[],
  hidden: readonly boolean[],
  minCell: number,
): boolean {
  for (const g of sums) {
    const h = g.members.filter((i) => hidden[i]);
    if (h.length > 0 && (h.length < 2 || h.reduce((t, i) => t + counts[i], 0) < minCell)) return false;
  }
  const cells = hidden.flatMap((h, i) => (h ? [i] : []));
  if (cells.length === 0) return true;
  const pos = new Map(cells.map((c, k) => [c, k]));
  const rows = sums
    .map((g) => {
      const r = new Array<number>(cells.length).fill(0);
      for (const m of g.members) {
        const k = pos.get(m);
        if (k !== undefined) r[k] = 1;
      }
      return { r, rhs: g.value - g.members.filter((m) => !hidden[m]).reduce((t, m) => t + counts[m], 0) };
    })
    .filter((x) => x.r.some((v) => v !== 0));
  const x = cells.map((c) => counts[c]);
  const full = enumerateFillings(
    rows,
    x.reduce((a, b) => a + b, 0),
    cells.length,
  );
  if (full !== null) return full.every((values) => values.size >= 2);
  return nullSpaceCertificate(
    rows.map((row) => row.r),
    x,
  );
}

/** Every whole-number filling of the hidden cells that meets the sums: the values each cell takes; null when there are too many to try. */
function enumerateFillings(
  rows: { r: number[]; rhs: number }[],
  H: number,
  k: number,
  limit = 100_000,
): Set<number>[] | null {
  // Ways to share H among k cells: C(H + k − 1, k − 1).
  let ways = 1;
  for (let i = 1; i < k; i++) {
    ways = (ways * (H + i)) / i;
    if (ways > limit) return null;
  }
  const cons = rows.map(({ r, rhs }) => ({
    has: r.map((v) => v !== 0),
    last: r.reduce((l, v, i) => (v !== 0 ? i : l), -1),
    rhs,
    acc: 0,
  }));
  const values = Array.from({ length: k }, () => new Set<number>());
  const xs = new Array<number>(k).fill(0);
  const rec = (i: number, left: number) => {
    const from = i === k - 1 ? left : 0;
    for (let v = from; v <= left; v++) {
      xs[i] = v;
      let fine = true;
      for (const c of cons)
        if (c.has[i]) {
          c.acc += v;
          if (c.acc > c.rhs || (c.last === i && c.acc !== c.rhs)) fine = false;
        }
      if (fine) {
        if (i === k - 1) xs.forEach((val, j) => values[j].add(val));
        else rec(i + 1, left - v);
      }
      for (const c of cons) if (c.has[i]) c.acc -= v;
    }
  };
  rec(0, H);
  return values;
}

/**
 * A sufficient check for large counts: for each hidden cell, a whole-number direction d with
 * A·d = 0 (it changes no published sum), d ≠ 0 at that cell, and x + d or x − d still not negative.
 */
function nullSpaceCertificate(A: number[][], x: number[]): boolean {
  const n = x.length;
  const rows = A.map((r) => [...r]);
  const pivots: number[] = [];
  let lead = 0;
  for (let c = 0; c < n && lead < rows.length; c++) {
    let p = -1;
    for (let r = lead; r < rows.length; r++)
      if (Math.abs(rows[r][c]) > 1e-9) {
        p = r;
        break;
      }
    if (p < 0) continue;
    [rows[lead], rows[p]] = [rows[p], rows[lead]];
    const pv = rows[lead][c];
    rows[lead] = rows[lead].map((v) => v / pv);
    for (let r = 0; r < rows.length; r++) {
      if (r === lead || Math.abs(rows[r][c]) < 1e-9) continue;
      const f = rows[r][c];
      rows[r] = rows[r].map((v, k) => v - f * rows[lead][k]);
    }
    pivots.push(c);
    lead++;
  }
  const free = Array.from({ length: n }, (_, c) => c).filter((c) => !pivots.includes(c));
  const basis: number[][] = [];
  for (const f of free) {
    const d = new Array<number>(n).fill(0);
    d[f] = 1;
    pivots.forEach((p, k) => {
      d[p] = -rows[k][f];
    });
    // Scale to whole numbers (the matrix is of 0s and 1s, so denominators are small).
    let m = 1;
    while (m <= 1000 && d.some((v) => Math.abs(v * m - Math.round(v * m)) > 1e-6)) m++;
    if (m > 1000) continue;
    basis.push(d.map((v) => Math.round(v * m)));
  }
  const moves = (d: number[]) => x.every((v, j) => v + d[j] >= 0) || x.every((v, j) => v - d[j] >= 0);
  return x.every((_, j) => basis.some((d) => d[j] !== 0 && moves(d)));
}

const UNIT_ONE: Record<OverlapResult['unit'], string> = { households: 'household', postcodes: 'postcode' };
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function overlapTitle(r: OverlapResult): string {
  return (
    `Take-up overlap of ${r.datasets.length} ${r.datasets.length === 1 ? 'service' : 'services'} among ${r.unit} in ${r.classification} segment ${r.segment.code}` +
    `${r.segment.name ? ` (${r.segment.name})` : ''}, ${r.level} level`
  );
}

/** "none of these", "a only", "a + b". */
export function combinationLabel(c: OverlapCombination): string {
  return c.degree === 0 ? 'None of these' : c.degree === 1 ? `${c.datasets[0]} only` : c.datasets.join(' + ');
}

function headline(r: OverlapResult): string[] {
  const u = r.unit;
  const part = (x: { count: number | null; pct: number | null }) =>
    x.count === null ? SUPPRESSED_MARK : `${fmtInt(x.count)} ${x.count === 1 ? UNIT_ONE[u] : u} (${fmtPct(x.pct)}%)`;
  return [
    `Units: ${fmtInt(r.total)} ${u} in ${fmtInt(r.segment.areas)} ${r.segment.areaLevel} areas of segment ${r.segment.code} (${r.segment.tiers.join(', ')}).`,
    `Using none of the services: ${part(r.none)}.`,
    `Using at least one: ${part(r.atLeastOne)}.`,
    `Using exactly one: ${part(r.exactlyOne)}.`,
  ];
}

/** A plain-text table: headings, a rule, the rows, and (when given) a rule and a total line. */
function layout(
  headings: string[],
  rows: string[][],
  total: string[] | null,
  numeric: (i: number) => boolean,
  maxFirst = 90,
): string[] {
  const all = [headings, ...rows, ...(total ? [total] : [])];
  const widths = headings.map((_, i) => Math.min(i === 0 ? maxFirst : 24, Math.max(...all.map((x) => x[i].length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const v = c.length > widths[i] ? c.slice(0, widths[i] - 1) + '…' : c;
        return numeric(i) ? v.padStart(widths[i]) : v.padEnd(widths[i]);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(headings), rule, ...rows.map(line), ...(total ? [rule, line(total)] : [])];
}

export function overlapToTable(r: OverlapResult): string {
  const U = capital(r.unit);
  const x = (v: number | null, asPct = false) => (v === null ? SUPPRESSED_MARK : asPct ? fmtPct(v) : fmtInt(v));
  const combos = layout(
    ['Services used', 'Services', U, '%'],
    r.combinations.map((c) => [combinationLabel(c), String(c.degree), x(c.count), x(c.pct, true)]),
    ['Total', '', fmtInt(r.total), r.total > 0 ? '100.00' : ''],
    (i) => i > 0,
  );
  const services = layout(
    [
      'Service',
      'Records in areas',
      r.level === 'household' ? 'Linked' : 'At live postcodes',
      `${U} using`,
      '%',
      'Only this service',
      '% only',
    ],
    r.services.map((s) => [
      s.dataset,
      x(s.records),
      x(s.linked),
      x(s.users),
      x(s.usersPct, true),
      x(s.only),
      x(s.onlyPct, true),
    ]),
    null,
    (i) => i > 0,
  );
  const notes = [
    r.method,
    r.level !== 'household'
      ? ''
      : r.unlinkable === null
        ? `Some ${r.population} records have no value to link by (${SUPPRESSED_MARK}); each counts as a household using none.`
        : r.unlinkable > 0
          ? `${fmtInt(r.unlinkable)} ${r.population} ${r.unlinkable === 1 ? 'record has' : 'records have'} no value to link by; each counts as a household using none.`
          : '',
    ...r.warnings.map((w) => `Warning: ${w}`),
    disclosureNote(r.disclosure, { from: 'the totals' }),
    'Combinations are exclusive: each unit is counted once, in the row of exactly the services it uses, so the rows add up to the total.',
  ].filter(Boolean);
  return [overlapTitle(r), '', ...headline(r), '', ...combos, '', ...services, '', ...notes].join('\n') + '\n';
}

export function overlapToJson(r: OverlapResult): string {
  return JSON.stringify(r, null, 2) + '\n';
}

/** A formatted workbook: the combinations, the services, and the notes. */
export async function overlapToXlsx(r: OverlapResult): Promise<Buffer> {
  const wb = await newWorkbook();
  wb.creator = 'Civic Insight Observatory';
  const U = capital(r.unit);
  const pageSetup = { paperSize: 9, orientation: 'landscape' as const, fitToPage: true, fitToWidth: 1, fitToHeight: 0 };
  const heading = (row: ExcelJS.Row) => {
    row.font = { bold: true, color: { argb: 'FFFFFFFF' } };
    row.eachCell((c) => {
      c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1D70B8' } };
      c.alignment = { wrapText: true, vertical: 'middle' };
    });
  };
  const note = r.disclosure
    ? `Counts under ${r.disclosure.minCell} suppressed, shown as ${SUPPRESSED_MARK}`
    : 'Unsuppressed: for the data owner only';

  const ws = wb.addWorksheet('Combinations', {
    views: [{ state: 'frozen', ySplit: 3 }],
    pageSetup: { ...pageSetup, printTitlesRow: '3:3' },
  });
  ws.addRow([overlapTitle(r)]).font = { bold: true, size: 14 };
  ws.addRow([note]).font = { italic: true, size: 10 };
  heading(
    ws.addRow(['Services used', 'Number of services', ...r.datasets.map((d) => safeCellText(d)), U, `% of ${r.unit}`]),
  );
  for (const c of r.combinations) {
    ws.addRow([
      safeCellText(combinationLabel(c)),
      c.degree,
      ...r.datasets.map((d) => (c.datasets.includes(d) ? '●' : '')),
      c.suppressed ? SUPPRESSED_MARK : c.count,
      c.suppressed ? SUPPRESSED_MARK : c.pct === null ? null : c.pct / 100,
    ]);
  }
  const t = ws.addRow(['Total', '', ...r.datasets.map(() => ''), r.total, 1]);
  t.font = { bold: true };
  t.eachCell((c) => {
    c.border = { top: { style: 'thin' } };
  });
  const nc = r.datasets.length;
  ws.getColumn(1).width = 48;
  ws.getColumn(2).width = 11;
  for (let i = 0; i < nc; i++) {
    ws.getColumn(3 + i).width = 14;
    ws.getColumn(3 + i).alignment = { horizontal: 'center' };
  }
  ws.getColumn(3 + nc).numFmt = '#,##0';
  ws.getColumn(3 + nc).width = 12;
  ws.getColumn(4 + nc).numFmt = '0.00%';
  ws.getColumn(4 + nc).width = 12;
  ws.getRow(3).height = 30;

  const sv = wb.addWorksheet('Services', { pageSetup });
  sv.addRow([`Services among ${r.unit} in segment ${r.segment.code}`]).font = { bold: true, size: 14 };
  sv.addRow([note]).font = { italic: true, size: 10 };
  heading(
    sv.addRow([
      'Service',
      'Link column',
      'Records in these areas',
      r.level === 'household' ? 'Records linked' : 'Records at live postcodes',
      `${U} using`,
      `% of ${r.unit}`,
      'Only this service',
      `% of ${r.unit} `,
    ]),
  );
  for (const s of r.services) {
    const x = (v: number | null) => (v === null ? SUPPRESSED_MARK : v);
    const p = (v: number | null) => (v === null ? SUPPRESSED_MARK : v / 100);
    sv.addRow([
      safeCellText(s.dataset),
      s.linkColumn === null
        ? ''
        : safeCellText(
            s.populationColumn && s.populationColumn !== s.linkColumn
              ? `${s.linkColumn} → ${s.populationColumn}`
              : s.linkColumn,
          ),
      x(s.records),
      x(s.linked),
      x(s.users),
      p(s.usersPct),
      x(s.only),
      p(s.onlyPct),
    ]);
  }
  [24, 22, 14, 16, 14, 12, 14, 12].forEach((w, i) => {
    sv.getColumn(i + 1).width = w;
  });
  for (const c of [3, 4, 5, 7]) sv.getColumn(c).numFmt = '#,##0';
  for (const c of [6, 8]) sv.getColumn(c).numFmt = '0.00%';
  sv.getRow(3).height = 30;

  const notes = wb.addWorksheet('Notes', { pageSetup });
  notes.getColumn(1).width = 28;
  notes.getColumn(2).width = 100;
  const part = (x: { count: number | null; pct: number | null }) =>
    x.count === null ? SUPPRESSED_MARK : `${x.count} (${fmtPct(x.pct)}%)`;
  const rows: [string, string][] = [
    ['Level', `${capital(r.level)} level: one unit is one ${UNIT_ONE[r.unit]}`],
    ['Method', r.method],
    [
      'Target group',
      `${r.classification} segment ${r.segment.code}${r.segment.name ? ` ${r.segment.name}` : ''} (${r.segment.tiers.join(', ')}): ${r.segment.areas} ${r.segment.areaLevel} areas`,
    ],
    ['Population', r.population ?? 'none: live postcodes'],
    [U, String(r.total)],
    ['Using none', part(r.none)],
    ['Using at least one', part(r.atLeastOne)],
    ['Using exactly one', part(r.exactlyOne)],
    [
      'Combinations',
      'Exclusive: each unit is in exactly one row, so the rows add up to the total (as in an UpSet chart).',
    ],
    ...r.warnings.map((w): [string, string] => ['Warning', w]),
    ['Disclosure control', disclosureNote(r.disclosure, { from: 'the totals' })],
    ['Produced', new Date().toISOString().slice(0, 10) + ' by the Civic Insight Observatory'],
  ];
  addNoteRows(notes, rows);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const esc = escapeHtml;

/**
 * An UpSet-style chart as a plain SVG string: a bar for each exclusive combination (largest
 * first, "none" included), a dot matrix beneath showing which services each bar combines, and
 * bars for each service's users beside the matrix. Suppressed combinations are drawn as empty,
 * dashed bars of no particular height, labelled [c]. Every bar has a title, and every number is
 * written as text, so the chart reads without seeing it.
 */
export function overlapToSvg(r: OverlapResult): string {
  const BLUE = '#1d70b8',
    INK = '#0b0c0c',
    GREY = '#b1b4b6',
    LIGHT = '#f3f2f1';
  const col = 40,
    rowH = 26,
    barTop = 80,
    barH = 200,
    setW = 160,
    nameW = Math.min(220, 16 + 7.2 * Math.max(...r.datasets.map((d) => d.length), 8));
  const combos = r.combinations;
  const left = setW + nameW + 20;
  const width = Math.max(left + combos.length * col + 30, 640);
  const matrixTop = barTop + barH + 30;
  const height = matrixTop + r.datasets.length * rowH + 70;
  const maxCount = Math.max(1, ...combos.map((c) => c.count ?? 0));
  const maxUsers = Math.max(1, ...r.services.map((s) => s.users ?? 0));
  const unit = r.unit;
  const units = (n: number | null) => (n === 1 ? UNIT_ONE[unit] : unit);
  const title = overlapTitle(r);
  const desc = [
    `${fmtInt(r.total)} ${units(r.total)}.`,
    r.none.count === null
      ? 'Using none: suppressed.'
      : `Using none of the services: ${fmtInt(r.none.count)} (${fmtPct(r.none.pct)}%).`,
    ...combos
      .filter((c) => c.degree > 0)
      .slice(0, 8)
      .map((c) => `${combinationLabel(c)}: ${c.suppressed ? 'suppressed' : `${fmtInt(c.count)} (${fmtPct(c.pct)}%)`}.`),
    r.level === 'postcode' ? 'Postcode level: each unit is a postcode, not a household.' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="upset-title upset-desc" font-family="Arial, Helvetica, sans-serif" font-size="12">`,
  );
  out.push(`<title id="upset-title">${esc(title)}</title>`);
  out.push(`<desc id="upset-desc">${esc(desc)}</desc>`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="16" y="26" font-size="16" font-weight="bold" fill="${INK}">${esc(title)}</text>`);
  out.push(
    `<text x="16" y="46" fill="${INK}">${esc(`${fmtInt(r.total)} ${unit}. Bars: ${unit} using exactly that combination of services. ${r.level === 'postcode' ? 'Postcode level: a unit is a postcode, not a household.' : 'Household level.'}`)}</text>`,
  );
  if (r.disclosure && r.disclosure.primary + r.disclosure.secondary > 0)
    out.push(
      `<text x="16" y="64" fill="${INK}">${esc(`Counts under ${r.disclosure.minCell} are suppressed (${SUPPRESSED_MARK}).`)}</text>`,
    );
  // Axis of the combination bars.
  out.push(
    `<g aria-hidden="true"><line x1="${left - 6}" y1="${barTop}" x2="${left - 6}" y2="${barTop + barH}" stroke="${INK}"/>` +
      `<text x="${left - 10}" y="${barTop + barH}" text-anchor="end" fill="${INK}">0</text>` +
      `<text x="${left - 10}" y="${barTop + 10}" text-anchor="end" fill="${INK}">${esc(fmtInt(maxCount))}</text>` +
      `<text x="${left - 10}" y="${barTop + barH / 2}" text-anchor="end" fill="${INK}">${esc(capital(unit))}</text></g>`,
  );
  combos.forEach((c, k) => {
    const x = left + k * col + 8,
      w = col - 16;
    const label = `${combinationLabel(c)}: ${c.suppressed ? `suppressed (under ${r.disclosure?.minCell ?? ''})` : `${fmtInt(c.count)} ${units(c.count)} (${fmtPct(c.pct)}%)`}`;
    if (c.suppressed) {
      out.push(
        `<g><title>${esc(label)}</title><rect x="${x}" y="${barTop + barH - 24}" width="${w}" height="24" fill="none" stroke="${GREY}" stroke-dasharray="3 2"/>` +
          `<text x="${x + w / 2}" y="${barTop + barH - 28}" text-anchor="middle" fill="${INK}">${SUPPRESSED_MARK}</text></g>`,
      );
    } else {
      const h = Math.max(1, ((c.count ?? 0) / maxCount) * barH);
      out.push(
        `<g><title>${esc(label)}</title><rect x="${x}" y="${(barTop + barH - h).toFixed(1)}" width="${w}" height="${h.toFixed(1)}" fill="${c.degree === 0 ? GREY : BLUE}"/>` +
          `<text x="${x + w / 2}" y="${(barTop + barH - h - 4).toFixed(1)}" text-anchor="middle" font-size="10" fill="${INK}">${esc(fmtInt(c.count))}</text></g>`,
      );
    }
  });
  // The dot matrix and the set-size bars.
  r.datasets.forEach((d, i) => {
    const y = matrixTop + i * rowH;
    const sv = r.services[i];
    if (i % 2 === 0)
      out.push(
        `<rect x="${setW + 8}" y="${y - rowH / 2}" width="${width - setW - 16}" height="${rowH}" fill="${LIGHT}" aria-hidden="true"/>`,
      );
    out.push(`<text x="${left - 10}" y="${y + 4}" text-anchor="end" fill="${INK}">${esc(d)}</text>`);
    const label = `${d}: ${sv.users === null ? 'suppressed' : `${fmtInt(sv.users)} ${units(sv.users)} ${sv.users === 1 ? 'uses' : 'use'} it (${fmtPct(sv.usersPct)}%)`}`;
    if (sv.users === null) {
      out.push(
        `<g><title>${esc(label)}</title><text x="${setW}" y="${y + 4}" text-anchor="end" fill="${INK}">${SUPPRESSED_MARK}</text></g>`,
      );
    } else {
      const w = Math.max(1, (sv.users / maxUsers) * (setW - 60));
      out.push(
        `<g><title>${esc(label)}</title><rect x="${(setW - w).toFixed(1)}" y="${y - 8}" width="${w.toFixed(1)}" height="16" fill="${BLUE}"/>` +
          `<text x="${(setW - w - 4).toFixed(1)}" y="${y + 4}" text-anchor="end" font-size="10" fill="${INK}">${esc(fmtInt(sv.users))}</text></g>`,
      );
    }
  });
  out.push(
    `<text x="16" y="${matrixTop + r.datasets.length * rowH + 6}" fill="${INK}">${esc(`${capital(unit)} using each service`)}</text>`,
  );
  combos.forEach((c, k) => {
    const cx = left + k * col + col / 2;
    const ys = r.datasets.map((_, i) => matrixTop + i * rowH);
    const on = r.datasets.map((d) => c.datasets.includes(d));
    const parts: string[] = [];
    const onY = ys.filter((_, i) => on[i]);
    if (onY.length > 1)
      parts.push(
        `<line x1="${cx}" y1="${onY[0]}" x2="${cx}" y2="${onY[onY.length - 1]}" stroke="${INK}" stroke-width="3"/>`,
      );
    ys.forEach((y, i) => parts.push(`<circle cx="${cx}" cy="${y}" r="6" fill="${on[i] ? INK : GREY}"/>`));
    if (c.degree === 0)
      parts.push(
        `<text x="${cx}" y="${ys[ys.length - 1] + rowH}" text-anchor="middle" font-size="10" fill="${INK}">none</text>`,
      );
    out.push(`<g><title>${esc(combinationLabel(c))}</title>${parts.join('')}</g>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
