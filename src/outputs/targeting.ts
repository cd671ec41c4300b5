/**
 * Targeting and campaign evaluation leaving for a viewer: disclosure control, and renderers for the
 * terminal, CSV (the area ranking or the postcode list), JSON and a workbook (areas, rounds,
 * postcodes, segments, notes). None computes anything but what suppression takes away.
 */
import { MAX_NOISE, suppressOneWay } from '../core/index.ts';
import { summariseRounds, type TargetResult, type TargetArea, type EvaluationResult } from '../targeting/index.ts';
import { fmtInt, fmtPct, SUPPRESSED_MARK, safeCellText, textTable, csvRow } from './format.ts';
import { travelWords } from '../location/index.ts';
import { addNoteRows, addTableSheet, newWorkbook } from './xlsx.ts';
import { disclosureOf, shownCount, type DisclosureRule } from './disclosure.ts';

/** Rounds x to the nearest multiple of step: a suppressed area's expected new customers must not give its users back. */
const roundTo = (x: number, step: number) => Math.round(x / step) * step;

/**
 * Users per area under the threshold are hidden (with secondary suppression, so no area can be
 * worked out from the total), with what would reveal them: take-up and non-users, and expected
 * new customers rounded to the nearest multiple of the threshold (segment rate × households −
 * users would otherwise give the users back). Segments' small counts go the same way. The
 * postcode list keeps its households (census-based) but not users: a postcode's users are always
 * a handful. Rounds and totals are summed again from what is left.
 *
 * For a viewer who does not own the dataset (decision 0013) every users count shown — each area's,
 * each segment's, the total — carries its cell key's noise; take-up, index and non-users are worked
 * out again from the perturbed counts; and expected new customers, which are made from the small
 * counts of each area's part of each segment, are rounded to the threshold in every area. The
 * ranking, the targeted areas and the rounds are the analysis's own (from the truth): rounding keeps
 * their order.
 */
export function discloseTarget(result: TargetResult, ruleIn: DisclosureRule): TargetResult {
  const rule = disclosureOf(ruleIn);
  const minCell = rule.minCell;
  const strip = <T extends { cellKey: number | null }>(x: T): T => ({ ...x, cellKey: null });
  const stripped: TargetResult = {
    ...result,
    segments: result.segments.map(strip),
    areas: result.areas.map((a) => ({ ...a, cellKey: null, targetCellKey: null })),
    totals: { ...result.totals, cellKey: null },
  };
  if (!(minCell > 0)) return stripped;
  const s = suppressOneWay(
    result.areas.map((a) => a.users ?? 0),
    minCell,
  );
  const areas: TargetArea[] = result.areas.map((a, i) => {
    const users = s.suppressed[i] || a.users === null ? null : shownCount(a.users, a.cellKey, rule);
    const targetUsers =
      users === null || a.targetUsers === null ? null : shownCount(a.targetUsers, a.targetCellKey, rule);
    const hidden = users === null;
    return {
      ...a,
      cellKey: null,
      targetCellKey: null,
      users,
      penetration: users === null ? null : a.base > 0 ? users / a.base : null,
      targetUsers,
      nonUsers: hidden
        ? null
        : rule.perturb
          ? targetUsers === null
            ? null
            : Math.max(0, a.targetBase - targetUsers)
          : a.nonUsers,
      expectedNew: hidden || rule.perturb ? roundTo(a.expectedNew, minCell) : a.expectedNew,
      suppressed: hidden,
    };
  });
  const seg = suppressOneWay(
    result.segments.map((x) => x.users ?? 0),
    minCell,
  );
  const segUsers = result.segments.map((x, i) =>
    seg.suppressed[i] || x.users === null ? null : shownCount(x.users, x.cellKey, rule),
  );
  // Index against the whole area, worked out again from what is shown (perturbed for non-owners).
  const allUsers = rule.perturb
    ? shownCount(
        result.segments.reduce((t, x) => t + (x.users ?? 0), 0),
        segmentsKey(result.segments),
        rule,
      )
    : null;
  const allBase = result.segments.reduce((t, x) => t + x.base, 0);
  const segments = result.segments.map((x, i) => {
    const users = segUsers[i];
    if (users === null) return { ...x, cellKey: null, users: null, penetration: null, index: null, significant: null };
    if (!rule.perturb) return { ...x, cellKey: null };
    const penetration = x.base > 0 ? users / x.base : null;
    const overall = allUsers !== null && allBase > 0 ? allUsers / allBase : null;
    return {
      ...x,
      cellKey: null,
      users,
      penetration,
      index: penetration !== null && overall ? (penetration / overall) * 100 : null,
      // the test of significance is of the true counts: a non-owner is not shown it
      significant: null,
    };
  });
  const postcodes = result.postcodes.map((p) => ({ ...p, users: null, suppressed: true }));
  const totalUsers =
    s.totalSuppressed || result.totals.users === null
      ? null
      : shownCount(result.totals.users, result.totals.cellKey, rule);
  const nonUsersShown = areas.every((a) => a.nonUsers !== null);
  return {
    ...result,
    segments,
    areas,
    postcodes,
    rounds: summariseRounds(areas, postcodes),
    totals: {
      ...result.totals,
      cellKey: null,
      users: totalUsers,
      nonUsers: rule.perturb
        ? nonUsersShown
          ? areas.reduce((t, a) => t + a.nonUsers!, 0)
          : null
        : result.totals.nonUsers,
      expectedNew: areas.reduce((t, a) => t + a.expectedNew, 0),
      targetedExpectedNew: areas.filter((a) => a.targeted).reduce((t, a) => t + a.expectedNew, 0),
    },
    disclosure: { minCell, primary: s.primary, secondary: s.secondary, perturbed: rule.perturb },
  };
}

/** The cell key of every segment's users together (the classification covers the whole dataset's placed records). */
const segmentsKey = (segments: TargetResult['segments']): number | null =>
  segments.some((x) => x.cellKey === null) ? null : segments.reduce((t, x) => t + x.cellKey!, 0) % 256;

/** Group counts under the threshold hide their take-up and the comparison; area rows are suppressed as a one-way table. */
/** A workbook: the two groups, the uplift and ratio with their intervals, each area, and notes. */
export async function evaluationToXlsx(r: EvaluationResult, produced = new Date()): Promise<Buffer> {
  const wb = await newWorkbook();
  wb.creator = 'Civic Insight Observatory';
  const g = (label: string, x: EvaluationResult['targeted']) => [
    label,
    x.areas,
    x.base,
    x.users === null ? SUPPRESSED_MARK : x.users,
    x.takeUp.value,
    x.takeUp.low,
    x.takeUp.high,
  ];
  const ws = addTableSheet(
    wb,
    'Comparison',
    `Take-up of ${r.dataset}: targeted areas against the rest`,
    [
      'Areas',
      'Number of areas',
      r.baseMeasure === 'households' ? 'Households' : 'People',
      'Users',
      'Take-up',
      '95% low',
      '95% high',
    ],
    [g('Targeted', r.targeted), g('Everywhere else', r.control)],
    [18, 14, 12, 9, 9, 9, 9],
    { 3: '#,##0', 4: '#,##0', 5: '0.0%', 6: '0.0%', 7: '0.0%' },
  );
  ws.addRow([]);
  ws.addRow(['Uplift (difference)', null, null, null, r.difference.value, r.difference.low, r.difference.high]);
  const ratio = ws.addRow(['Ratio (times as high)', null, null, null, r.ratio.value, r.ratio.low, r.ratio.high]);
  for (const c of [5, 6, 7]) ratio.getCell(c).numFmt = '0.00';
  ws.addRow(['Significant at 95%', r.significant === null ? 'not shown' : r.significant ? 'Yes' : 'No']);
  addTableSheet(
    wb,
    'Areas',
    'Each area',
    ['Area', 'Name', 'Group', r.baseMeasure === 'households' ? 'Households' : 'People', 'Users', 'Take-up'],
    r.areas.map((a) => [a.code, a.name ?? '', a.group, a.base, a.users === null ? SUPPRESSED_MARK : a.users, a.takeUp]),
    [14, 28, 10, 12, 9, 9],
    { 4: '#,##0', 5: '#,##0', 6: '0.0%' },
  );
  const notes = wb.addWorksheet('Notes');
  notes.getColumn(1).width = 26;
  notes.getColumn(2).width = 110;
  addNoteRows(notes, [
    [
      'What this is',
      'Take-up in the areas a campaign targeted against every other area, with the difference and ratio and their 95% intervals.',
    ],
    ['Dataset', r.dataset],
    ...(r.period
      ? [
          ['Period', `${r.period.column}: ${r.period.since ?? 'any time'} to ${r.period.until ?? 'now'}`] as [
            string,
            string,
          ],
        ]
      : []),
    ...r.method.map((m, i) => [i === 0 ? 'Method' : '', m] as [string, string]),
    ...(r.unknownAreas.length ? [['Codes not found', r.unknownAreas.join(', ')] as [string, string]] : []),
    ['Produced', produced.toISOString().slice(0, 10) + ' by the Civic Insight Observatory'],
  ]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export function discloseEvaluation(result: EvaluationResult, minCell: number): EvaluationResult {
  if (!(minCell > 0)) return result;
  const s = suppressOneWay(
    result.areas.map((a) => a.users ?? 0),
    minCell,
  );
  const areas = result.areas.map((a, i) =>
    s.suppressed[i] ? { ...a, users: null, takeUp: null, suppressed: true } : a,
  );
  const hide = (g: EvaluationResult['targeted']) =>
    g.users !== null && g.users < minCell
      ? { ...g, users: null, takeUp: { value: null, low: null, high: null }, suppressed: true }
      : g;
  const targeted = hide(result.targeted),
    control = hide(result.control);
  const none = { value: null, low: null, high: null };
  const hidden = targeted.suppressed || control.suppressed;
  return {
    ...result,
    targeted,
    control,
    areas,
    difference: hidden ? none : result.difference,
    ratio: hidden ? none : result.ratio,
    significant: hidden ? null : result.significant,
    disclosure: { minCell, primary: s.primary, secondary: s.secondary },
  };
}

// ---------------------------------------------------------------------------------------------
// Targeting

const pct = (x: number | null) => (x === null ? null : x * 100);
const one = (x: number | null | undefined) =>
  x === null || x === undefined ? '' : (Math.round(x * 10) / 10).toFixed(1);

function title(r: TargetResult): string {
  return `Targeting ${r.dataset}${r.filter ? ` (records with ${r.filter})` : ''}: ${r.areaLevel === 'postcode' ? 'postcodes' : `areas by ${r.areaLevel}`}, ${r.classification} ${r.tier} segments, against ${r.baseMeasure}`;
}

function chosenLine(r: TargetResult): string {
  const chosen = r.segments.filter((s) => s.chosen);
  const how =
    r.selection.mode === 'auto'
      ? `index ${r.selection.minIndex}+ and significant`
      : r.selection.mode === 'all'
        ? 'every segment'
        : 'as asked';
  if (!chosen.length)
    return `Segments targeted (${how}): none — no segment stands out, so no area has expected new customers.`;
  return `Segments targeted (${how}): ${chosen.map((s) => `${s.code}${s.name ? ` ${s.name}` : ''} (${s.penetration === null ? `take-up ${SUPPRESSED_MARK}` : `take-up ${fmtPct(s.penetration * 100)}%`}${s.index === null ? '' : `, index ${fmtInt(s.index)}`})`).join('; ')}.`;
}

function distanceLine(r: TargetResult): string | null {
  const d = r.distance;
  if (!d) return null;
  const range =
    d.within !== null && d.beyond !== null
      ? `between ${d.beyond} and ${d.within} minutes`
      : d.within !== null
        ? `within ${d.within} minutes`
        : `more than ${d.beyond} minutes`;
  const what =
    d.facilities.length === 1 ? d.facilities[0].name : `the nearest ${d.asked} (${d.facilities.length} places)`;
  return `Only areas ${range} ${travelWords(d.mode)} from ${what}; ${fmtInt(d.areasExcluded)} ${d.areasExcluded === 1 ? 'area' : 'areas'} left out. Minutes: ${d.source}.`;
}

function disclosureLine(r: TargetResult): string {
  if (!r.disclosure) return 'Not suppressed: for the data owner only.';
  const hidden = r.disclosure.primary + r.disclosure.secondary;
  const line = hidden
    ? `Users under ${r.disclosure.minCell} in an area are suppressed (${SUPPRESSED_MARK})${r.disclosure.secondary ? `, with ${r.disclosure.secondary} more so none can be worked out from the total` : ''}; their expected new customers are rounded to the nearest ${r.disclosure.minCell}.`
    : `No area has fewer than ${r.disclosure.minCell} users, so nothing is suppressed.`;
  return r.disclosure.perturbed
    ? `${line} The data belongs to another organisation: each count of users carries a small fixed noise (at most ${MAX_NOISE} either way, the same every time for the same people), and every area's expected new customers are rounded to the nearest ${r.disclosure.minCell}.`
    : line;
}

const usersText = (a: TargetArea) => (a.suppressed ? SUPPRESSED_MARK : fmtInt(a.users));

/** The terminal view: chosen segments, the targeted areas (or the first 25), rounds, notes. */
export function targetToTable(r: TargetResult, maxRows = 25): string {
  const out = [title(r), '', chosenLine(r)];
  const dl = distanceLine(r);
  if (dl) out.push(dl);
  out.push('');
  const show = r.areas.slice(0, Math.max(maxRows, r.totals.targetedAreas));
  const head = [
    'Rank',
    'Area',
    'Name',
    r.baseMeasure === 'households' ? 'Households' : 'People',
    'Users',
    'Take-up %',
    'In segments',
    'Non-users',
    'Expected new',
    ...(r.distance ? ['Minutes'] : []),
    'Round',
  ];
  const rows = show.map((a) => [
    String(a.rank),
    a.code,
    a.name && a.name !== a.code ? a.name : '',
    fmtInt(a.base),
    usersText(a),
    a.suppressed ? SUPPRESSED_MARK : fmtPct(pct(a.penetration)),
    fmtInt(a.targetBase),
    a.nonUsers === null ? SUPPRESSED_MARK : fmtInt(a.nonUsers),
    one(a.expectedNew),
    ...(r.distance ? [one(a.minutes)] : []),
    a.round === null ? '' : String(a.round),
  ]);
  out.push(...textTable(head, rows, (i) => i !== 1 && i !== 2, 36).split('\n'));
  if (r.areas.length > show.length)
    out.push(`… and ${fmtInt(r.areas.length - show.length)} more areas (all of them in --format csv, xlsx or json).`);
  out.push(
    '',
    `Targeted: ${fmtInt(r.totals.targetedAreas)} of ${fmtInt(r.totals.areas)} areas, with ${one(r.totals.targetedExpectedNew)} of ${one(r.totals.expectedNew)} expected new customers.`,
  );
  if (r.rounds.length) {
    out.push('', 'Delivery rounds');
    out.push(
      ...textTable(
        ['Round', 'Areas', 'Postcodes', 'Households', 'Non-users', 'Expected new'],
        r.rounds.map((x) => [
          String(x.round),
          fmtInt(x.areas),
          fmtInt(x.postcodes),
          fmtInt(x.base),
          x.nonUsers === null ? SUPPRESSED_MARK : fmtInt(x.nonUsers),
          one(x.expectedNew),
        ]),
        () => true,
        36,
      ).split('\n'),
    );
  }
  out.push('', ...r.method, disclosureLine(r));
  return out.join('\n') + '\n';
}

/** CSV, unrounded: the area ranking, or (`postcodes`) the leaflet list of the targeted areas' live postcodes. */
export function targetToCsv(r: TargetResult, what: 'areas' | 'postcodes' = 'areas'): string {
  const lines: string[] = [];
  if (what === 'postcodes') {
    lines.push(csvRow(['postcode', 'area', 'round', 'households', 'users', 'suppressed']));
    for (const p of r.postcodes) lines.push(csvRow([p.postcode, p.area, p.round, p.base, p.users, p.suppressed]));
  } else {
    lines.push(
      csvRow([
        'rank',
        'code',
        'name',
        r.baseMeasure,
        'users',
        'penetration',
        'segment_' + r.baseMeasure,
        'non_users',
        'expected_new',
        'minutes',
        'targeted',
        'round',
        'live_postcodes',
        'lat',
        'lon',
        'suppressed',
      ]),
    );
    for (const a of r.areas) {
      lines.push(
        csvRow([
          a.rank,
          a.code,
          a.name,
          a.base,
          a.users,
          a.penetration,
          a.targetBase,
          a.nonUsers,
          a.expectedNew,
          a.minutes,
          a.targeted,
          a.round,
          a.livePostcodes,
          a.lat,
          a.lon,
          a.suppressed,
        ]),
      );
    }
  }
  return lines.join('\r\n') + '\r\n';
}

export function targetToJson(r: TargetResult): string {
  return JSON.stringify(r, null, 2) + '\n';
}

/** A workbook: Areas (the ranking), Rounds, Postcodes (the leaflet list), Segments and Notes. */
export async function targetToXlsx(r: TargetResult, produced = new Date()): Promise<Buffer> {
  const wb = await newWorkbook();
  wb.creator = 'Civic Insight Observatory';
  const x = (a: TargetArea, v: number | null) => (a.suppressed && v === null ? SUPPRESSED_MARK : v);
  addTableSheet(
    wb,
    'Areas',
    title(r),
    [
      'Rank',
      'Area',
      'Name',
      r.baseMeasure === 'households' ? 'Households' : 'People',
      'Users',
      'Take-up',
      'In chosen segments',
      'Non-users in chosen segments',
      'Expected new customers',
      'Minutes',
      'Targeted',
      'Round',
      'Live postcodes',
    ],
    r.areas.map((a) => [
      a.rank,
      a.code,
      a.name ?? '',
      a.base,
      x(a, a.users),
      x(a, a.penetration),
      a.targetBase,
      x(a, a.nonUsers),
      a.expectedNew,
      a.minutes,
      a.targeted ? 'Yes' : 'No',
      a.round,
      a.livePostcodes,
    ]),
    [6, 14, 28, 12, 9, 9, 12, 14, 12, 9, 9, 7, 9],
    { 4: '#,##0', 5: '#,##0', 6: '0.0%', 7: '#,##0', 8: '#,##0', 9: '0.0', 10: '0.0' },
  );
  addTableSheet(
    wb,
    'Rounds',
    'Delivery rounds: round 1 has the most expected new customers',
    ['Round', 'Areas', 'Postcodes', 'Households', 'Non-users', 'Expected new customers'],
    r.rounds.map((x2) => [
      x2.round,
      x2.areas,
      x2.postcodes,
      x2.base,
      x2.nonUsers === null ? SUPPRESSED_MARK : x2.nonUsers,
      x2.expectedNew,
    ]),
    [8, 8, 10, 12, 12, 14],
    { 4: '#,##0', 5: '#,##0', 6: '0.0' },
  );
  addTableSheet(
    wb,
    'Postcodes',
    'Live postcodes of the targeted areas, round by round (no addresses are held in the workspace)',
    ['Postcode', 'Area', 'Round', 'Households (estimated)', 'Users'],
    r.postcodes.map((p) => [p.postcode, p.area, p.round, p.base, p.users === null ? SUPPRESSED_MARK : p.users]),
    [11, 14, 7, 12, 8],
    { 4: '0.0' },
  );
  addTableSheet(
    wb,
    'Segments',
    `${r.classification} ${r.tier}: penetration and index of ${r.dataset}`,
    ['Segment', 'Name', 'Households', 'Users', 'Take-up', 'Index', 'Significant', 'Targeted'],
    r.segments.map((s) => [
      s.code,
      s.name ?? '',
      s.base,
      s.users === null ? SUPPRESSED_MARK : s.users,
      s.penetration,
      s.index === null ? null : Math.round(s.index),
      s.significant === null ? '' : s.significant ? 'Yes' : 'No',
      s.chosen ? 'Yes' : 'No',
    ]),
    [9, 32, 12, 9, 9, 8, 11, 9],
    { 3: '#,##0', 4: '#,##0', 5: '0.0%' },
  );
  const notes = wb.addWorksheet('Notes');
  notes.getColumn(1).width = 26;
  notes.getColumn(2).width = 110;
  const dl = distanceLine(r);
  addNoteRows(notes, [
    [
      'What this is',
      'Areas ranked by the customers a campaign could expect to gain there, with the targeted areas cut into delivery rounds and their postcodes listed.',
    ],
    ['Dataset', r.dataset],
    ...(r.filter ? [['Users', `the records with ${r.filter}`] as [string, string]] : []),
    ['Segments', chosenLine(r)],
    ...(dl ? [['Distance', dl] as [string, string]] : []),
    ...r.method.map((m, i) => [i === 0 ? 'Method' : '', m] as [string, string]),
    [
      'Addresses',
      'The workspace holds no address list, so the lists are of postcodes with their estimated households. Add addresses from your own gazetteer (LLPG) to print labels.',
    ],
    ['Disclosure control', disclosureLine(r)],
    ['Produced', produced.toISOString().slice(0, 10) + ' by the Civic Insight Observatory'],
  ]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// ---------------------------------------------------------------------------------------------
// Campaign evaluation

const pctOrMark = (v: number | null) => (v === null ? SUPPRESSED_MARK : `${fmtPct(v * 100)}%`);

export function evaluationToTable(r: EvaluationResult): string {
  const g = (name: string, x: EvaluationResult['targeted']) => [
    name,
    fmtInt(x.areas),
    fmtInt(x.base),
    x.users === null ? SUPPRESSED_MARK : fmtInt(x.users),
    pctOrMark(x.takeUp.value),
    x.takeUp.low === null ? '' : `${fmtPct(x.takeUp.low * 100)}–${fmtPct(x.takeUp.high! * 100)}%`,
  ];
  const out = [`Campaign evaluation: ${r.dataset}, take-up by ${r.areaLevel} against ${r.baseMeasure}`, ''];
  out.push(
    ...textTable(
      ['Group', 'Areas', r.baseMeasure === 'households' ? 'Households' : 'People', 'Users', 'Take-up', '95% interval'],
      [g('Targeted', r.targeted), g('Control', r.control)],
      (i) => i > 0,
      36,
    ).split('\n'),
  );
  out.push('');
  const d = r.difference,
    q = r.ratio;
  if (d.value === null) out.push('Difference: cannot be shown (a group is suppressed or has no households).');
  else {
    out.push(
      `Uplift (targeted − control): ${d.value >= 0 ? '+' : ''}${fmtPct(d.value * 100)} percentage points, 95% interval ${fmtPct(d.low! * 100)} to ${fmtPct(d.high! * 100)}` +
        (r.significant
          ? ' — a real difference at the 95% level.'
          : ' — not distinguishable from no difference at the 95% level.'),
    );
  }
  if (q.value !== null)
    out.push(
      `Ratio (targeted ÷ control): ${q.value.toFixed(2)} times, 95% interval ${q.low!.toFixed(2)} to ${q.high!.toFixed(2)}.`,
    );
  if (r.period)
    out.push(
      `Period: ${r.period.column}${r.period.since ? ` from ${r.period.since}` : ''}${r.period.until ? ` to ${r.period.until}` : ''}; ${fmtInt(r.period.undated)} records with no readable date left out.`,
    );
  if (r.unknownAreas.length)
    out.push(
      `Not found in the workspace, left out: ${r.unknownAreas.slice(0, 10).join(', ')}${r.unknownAreas.length > 10 ? ` and ${r.unknownAreas.length - 10} more` : ''}.`,
    );
  out.push(
    '',
    ...r.method,
    r.disclosure
      ? `Counts under ${r.disclosure.minCell} are suppressed (${SUPPRESSED_MARK}).`
      : 'Not suppressed: for the data owner only.',
  );
  return out.join('\n') + '\n';
}

export function evaluationToJson(r: EvaluationResult): string {
  return JSON.stringify(r, null, 2) + '\n';
}

/** CSV of the areas with their group, then the two groups' totals and the comparison as rows. */
export function evaluationToCsv(r: EvaluationResult): string {
  const lines = [csvRow(['code', 'name', 'group', r.baseMeasure, 'users', 'take_up', 'low', 'high', 'suppressed'])];
  for (const a of r.areas)
    lines.push(csvRow([a.code, a.name, a.group, a.base, a.users, a.takeUp, null, null, a.suppressed]));
  for (const [name, g] of [
    ['All targeted', r.targeted],
    ['All control', r.control],
  ] as const) {
    lines.push(
      csvRow([
        name,
        null,
        name === 'All targeted' ? 'targeted' : 'control',
        g.base,
        g.users,
        g.takeUp.value,
        g.takeUp.low,
        g.takeUp.high,
        g.suppressed,
      ]),
    );
  }
  lines.push(
    csvRow([
      'Difference (targeted − control)',
      null,
      null,
      null,
      null,
      r.difference.value,
      r.difference.low,
      r.difference.high,
      r.difference.value === null,
    ]),
  );
  lines.push(
    csvRow([
      'Ratio (targeted ÷ control)',
      null,
      null,
      null,
      null,
      r.ratio.value,
      r.ratio.low,
      r.ratio.high,
      r.ratio.value === null,
    ]),
  );
  return lines.join('\r\n') + '\r\n';
}
