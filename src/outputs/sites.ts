/**
 * Site choice and scenarios as people read them: a plain-text report, CSV and a workbook. With
 * demand from service records (--weight-dataset), small record counts are hidden before any of
 * these is written (hideSmallWeights).
 */
import { suppressOneWay } from '../core/index.ts';
import {
  describeChange,
  travelWords,
  type SiteInputs,
  type SiteProblemKind,
  type SiteSolution,
  type ScenarioResult,
  type SiteChange,
} from '../location/index.ts';
import { textTable, csvText } from './format.ts';
import { addNoteRows, addTableSheet as addSheet, newWorkbook } from './xlsx.ts';
import type ExcelJS_ from 'exceljs';

/** A sheet whose columns are as wide as their headings (at least 12 characters). */
const addTableSheet = (
  wb: ExcelJS_.Workbook,
  name: string,
  title: string,
  head: string[],
  rows: (string | number | boolean | null)[][],
) =>
  addSheet(
    wb,
    name,
    title,
    head,
    rows,
    head.map((h) => Math.min(45, Math.max(12, h.length + 2))),
  );

const KIND_NAMES: Record<SiteProblemKind, string> = {
  'set-cover': 'Set cover',
  mclp: 'Maximal coverage',
  'p-median': 'p-median',
  'p-center': 'p-center',
};
const n0 = (x: number | null) => (x === null ? '[c]' : Math.round(x).toLocaleString('en-GB'));
const m1 = (x: number | null) => (x === null ? '–' : x.toFixed(1));
const pc = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`);
const signed = (x: number | null, f: (v: number) => string) =>
  x === null ? '–' : (x > 0 ? '+' : x < 0 ? '−' : '') + f(Math.abs(x));

/** Record counts (every field named …weight) under minCell become null, with secondary suppression across segments. */
export function hideSmallWeights<T>(value: T, minCell: number): T {
  if (minCell <= 0) return value;
  const walk = (v: unknown, key: string): unknown => {
    if (typeof v === 'number') return /weight$/i.test(key) && v > 0 && v < minCell ? null : v;
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v && typeof v === 'object' && !ArrayBuffer.isView(v))
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  const out = walk(value, '') as T;
  // The per-segment weights add up to the total shown: hide enough others that a hidden one cannot be worked out.
  const groups = (value as { groups?: { weight: number }[] }).groups;
  if (Array.isArray(groups) && groups.length) {
    const hidden = suppressOneWay(
      groups.map((g) => Math.round(g.weight)),
      minCell,
    ).suppressed;
    (out as { groups: { weight: number | null }[] }).groups.forEach((g, i) => {
      if (hidden[i]) g.weight = null;
    });
  }
  return out;
}

function nameOf(inputs: SiteInputs, id: string): string {
  return inputs.candidates.find((c) => c.id === id)?.name ?? id;
}

export function choiceToTable(r: SiteSolution, inputs: SiteInputs, mode: string): string {
  const lines: string[] = [];
  const how = travelWords(mode);
  const what =
    r.kind === 'p-median'
      ? `, total travel ${n0(r.objective)} ${inputs.demand}·minutes`
      : r.kind === 'p-center'
        ? `, longest trip to the nearest site ${m1(r.objective)} minutes`
        : r.kind === 'mclp'
          ? `, ${n0(r.objective)} ${inputs.demand} covered`
          : '';
  lines.push(`${KIND_NAMES[r.kind]} ${how}: ${r.open.length} site${r.open.length === 1 ? '' : 's'}${what}.`);
  lines.push(
    `Method: ${r.method}${r.status === 'heuristic' ? '' : ` (${r.status})`}; gap ${r.gap === null ? 'not known' : pc(r.gap)}; ${r.seconds.toFixed(1)} s.`,
  );
  if (r.coverage)
    lines.push(
      `Within ${r.coverage.standard} minutes: ${n0(r.coverage.coveredWeight)} of ${n0(r.totalWeight)} ${inputs.demand} (${pc(r.coverage.share)}).`,
    );
  lines.push(`Minutes to the nearest site: mean ${m1(r.meanMinutes)}, longest ${m1(r.maxMinutes)}.`);
  if (r.unreachable.weight > 0)
    lines.push(
      `Cannot reach any candidate: ${n0(r.unreachable.weight)} ${inputs.demand} in ${r.unreachable.points.length} areas.`,
    );
  if (r.unserved.weight > 0)
    lines.push(
      `Cannot reach any chosen site: ${n0(r.unserved.weight)} ${inputs.demand} in ${r.unserved.points.length} areas.`,
    );
  if (r.uncoverable && r.uncoverable.weight > 0)
    lines.push(
      `No candidate within the standard: ${n0(r.uncoverable.weight)} ${inputs.demand} in ${r.uncoverable.points.length} areas (cannot be covered whatever opens).`,
    );
  lines.push('');
  const head = [
    'site',
    'name',
    'source',
    'today',
    `${inputs.demand} nearest`,
    ...(r.coverage ? ['of which covered'] : []),
  ];
  const rows = r.sites.map((s) => {
    const c = inputs.candidates[s.index];
    return [
      c.id,
      c.name,
      c.source,
      c.existing ? 'open' : 'new',
      n0(s.nearestWeight),
      ...(s.coveredWeight === null ? [] : [n0(s.coveredWeight)]),
    ];
  });
  lines.push(textTable(head, rows, (i) => i >= 4));
  if (r.groups.length) {
    lines.push('');
    lines.push(
      textTable(
        ['segment', inputs.demand, 'covered', 'mean minutes'],
        r.groups.map((g) => [g.group, n0(g.weight), pc(g.coveredShare), m1(g.meanMinutes)]),
        (i) => i >= 1,
      ),
    );
  }
  lines.push('', ...r.notes, ...inputs.notes);
  return lines.join('\n') + '\n';
}

export function choiceToCsv(r: SiteSolution, inputs: SiteInputs): string {
  return csvText(
    [
      'site',
      'name',
      'source',
      'open_today',
      'lon',
      'lat',
      'nearest_weight',
      'covered_weight',
      'problem',
      'method',
      'status',
      'gap',
    ],
    r.sites.map((s) => {
      const c = inputs.candidates[s.index];
      return [
        c.id,
        c.name,
        c.source,
        c.existing,
        c.lon,
        c.lat,
        s.nearestWeight,
        s.coveredWeight,
        r.kind,
        r.method,
        r.status,
        r.gap,
      ];
    }),
  );
}

export function scenarioToTable(
  r: ScenarioResult,
  change: SiteChange,
  inputs: SiteInputs,
  mode: string,
  maxLosers = 20,
): string {
  const lines: string[] = [];
  // The result's description names sites by id; people know them by name.
  const named = describeChange({
    close: change.close?.map((id) => nameOf(inputs, id)),
    open: change.open?.map((id) => nameOf(inputs, id)),
    move: change.move?.map((mv) => ({ from: nameOf(inputs, mv.from), to: nameOf(inputs, mv.to) })),
  });
  lines.push(`Scenario: ${named}. Standard: ${r.standard} minutes ${travelWords(mode)}.`);
  lines.push(`Open before: ${r.openBefore.map((id) => nameOf(inputs, id)).join(', ') || 'none'}.`);
  lines.push(`Open after: ${r.openAfter.map((id) => nameOf(inputs, id)).join(', ') || 'none'}.`);
  lines.push('');
  lines.push(
    textTable(
      ['', 'before', 'after', 'change'],
      [
        [
          `${inputs.demand} covered`,
          n0(r.before.coveredWeight),
          n0(r.after.coveredWeight),
          signed(r.change.coveredWeight, n0),
        ],
        [
          'share covered',
          pc(r.before.coveredShare),
          pc(r.after.coveredShare),
          signed(r.change.coveredShare, (v) => `${(v * 100).toFixed(1)} points`),
        ],
        [
          'mean minutes',
          m1(r.before.meanMinutes),
          m1(r.after.meanMinutes),
          signed(r.change.meanMinutes, (v) => v.toFixed(1)),
        ],
        ['longest minutes', m1(r.before.maxMinutes), m1(r.after.maxMinutes), ''],
        [
          `${inputs.demand} with no site in reach`,
          n0(r.before.unservedWeight),
          n0(r.after.unservedWeight),
          signed(r.change.unservedWeight, n0),
        ],
      ],
      (i) => i >= 1,
    ),
  );
  if (r.groups.length) {
    lines.push('');
    lines.push(
      textTable(
        ['segment', inputs.demand, 'covered before', 'after', 'change', 'mean min before', 'after', 'change'],
        r.groups.map((g) => [
          g.group,
          n0(g.weight),
          pc(g.before.coveredShare),
          pc(g.after.coveredShare),
          signed(g.change.coveredShare, (v) => `${(v * 100).toFixed(1)} pts`),
          m1(g.before.meanMinutes),
          m1(g.after.meanMinutes),
          signed(g.change.meanMinutes, (v) => v.toFixed(1)),
        ]),
        (i) => i >= 1,
      ),
    );
  }
  lines.push('');
  lines.push(
    `Losing coverage: ${n0(r.lostWeight)} ${inputs.demand} in ${r.losers.length} areas. Gaining: ${n0(r.gainedWeight)} in ${r.gainers.length} areas.`,
  );
  if (r.losers.length && maxLosers > 0) {
    const origin = (i: number) => inputs.costs.origins[i] as { id: string; name?: string | null };
    lines.push(
      textTable(
        ['area', 'name', 'segment', inputs.demand, 'minutes before', 'after'],
        r.losers
          .slice(0, maxLosers)
          .map((p) => [
            p.id,
            origin(p.index).name ?? '',
            p.group ?? '',
            n0(p.weight),
            m1(p.minutesBefore),
            p.minutesAfter === null ? 'no site' : m1(p.minutesAfter),
          ]),
        (i) => i >= 3,
      ),
    );
    if (r.losers.length > maxLosers)
      lines.push(`… and ${r.losers.length - maxLosers} more (all of them in --format json).`);
  }
  lines.push('', ...inputs.notes);
  return lines.join('\n') + '\n';
}

/** One row for everyone and one per segment: before, after and change. */
export function scenarioToCsv(r: ScenarioResult): string {
  const rows: (string | number | null)[][] = [
    [
      'all',
      r.totalWeight,
      r.before.coveredShare,
      r.after.coveredShare,
      r.change.coveredShare,
      r.before.meanMinutes,
      r.after.meanMinutes,
      r.change.meanMinutes,
      r.lostWeight,
      r.gainedWeight,
    ],
  ];
  for (const g of r.groups) {
    const lost = r.losers.filter((p) => p.group === g.group).reduce((s, p) => s + p.weight, 0);
    const gained = r.gainers.filter((p) => p.group === g.group).reduce((s, p) => s + p.weight, 0);
    rows.push([
      g.group,
      g.weight,
      g.before.coveredShare,
      g.after.coveredShare,
      g.change.coveredShare,
      g.before.meanMinutes,
      g.after.meanMinutes,
      g.change.meanMinutes,
      lost,
      gained,
    ]);
  }
  return csvText(
    [
      'group',
      'weight',
      'covered_share_before',
      'covered_share_after',
      'covered_share_change',
      'mean_minutes_before',
      'mean_minutes_after',
      'mean_minutes_change',
      'weight_losing_coverage',
      'weight_gaining_coverage',
    ],
    rows,
  );
}

/** A workbook: the chosen sites, each segment's coverage, and notes on how it was solved. */
export async function choiceToXlsx(r: SiteSolution, inputs: SiteInputs, mode: string): Promise<Buffer> {
  const wb = await newWorkbook();
  wb.creator = 'Civic Insight Observatory';
  addTableSheet(
    wb,
    'Sites',
    `${KIND_NAMES[r.kind]} ${travelWords(mode)}: ${r.open.length} sites`,
    ['Site', 'Name', 'Source', 'Open today', 'Longitude', 'Latitude', `${inputs.demand} nearest`, 'Of which covered'],
    r.sites.map((s) => {
      const c = inputs.candidates[s.index];
      // Sites from a cost matrix file have no coordinates: empty cells, never NaN.
      const at = (v: number) => (Number.isFinite(v) ? v : null);
      return [c.id, c.name, c.source, c.existing, at(c.lon), at(c.lat), s.nearestWeight, s.coveredWeight];
    }),
  );
  if (r.groups.length)
    addTableSheet(
      wb,
      'Segments',
      'Coverage and journey times for each segment',
      ['Segment', inputs.demand, 'Covered share', 'Mean minutes'],
      r.groups.map((g) => [g.group, g.weight, g.coveredShare, g.meanMinutes]),
    );
  const notes = wb.addWorksheet('Notes');
  addNoteRows(notes, [
    ['Problem', KIND_NAMES[r.kind]],
    ['Method', `${r.method}${r.status === 'heuristic' ? '' : ` (${r.status})`}`],
    ['Gap', r.gap === null ? 'not known' : `${(r.gap * 100).toFixed(3)}%`],
    ['Objective', String(r.objective)],
    ['Mean minutes', r.meanMinutes === null ? '' : r.meanMinutes.toFixed(1)],
    ...(r.coverage
      ? [
          ['Covered', `${(r.coverage.share * 100).toFixed(1)}% within ${r.coverage.standard} minutes`] as [
            string,
            string,
          ],
        ]
      : []),
    ...[...r.notes, ...inputs.notes].map((n, i) => [i ? '' : 'How', n] as [string, string]),
  ]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A workbook: before, after and change overall and for each segment, and the areas losing coverage. */
export async function scenarioToXlsx(
  r: ScenarioResult,
  change: SiteChange,
  inputs: SiteInputs,
  mode: string,
): Promise<Buffer> {
  const wb = await newWorkbook();
  wb.creator = 'Civic Insight Observatory';
  const named = describeChange({
    close: change.close?.map((id) => nameOf(inputs, id)),
    open: change.open?.map((id) => nameOf(inputs, id)),
    move: change.move?.map((mv) => ({ from: nameOf(inputs, mv.from), to: nameOf(inputs, mv.to) })),
  });
  addTableSheet(
    wb,
    'Change',
    `${named}: within ${r.standard} minutes ${travelWords(mode)}`,
    ['Measure', 'Before', 'After', 'Change'],
    [
      [`${inputs.demand} covered`, r.before.coveredWeight, r.after.coveredWeight, r.change.coveredWeight],
      ['Share covered', r.before.coveredShare, r.after.coveredShare, r.change.coveredShare],
      ['Mean minutes', r.before.meanMinutes, r.after.meanMinutes, r.change.meanMinutes],
      [
        `${inputs.demand} with no site in reach`,
        r.before.unservedWeight,
        r.after.unservedWeight,
        r.change.unservedWeight,
      ],
    ],
  );
  if (r.groups.length)
    addTableSheet(
      wb,
      'Segments',
      'For each segment',
      ['Segment', inputs.demand, 'Covered before', 'Covered after', 'Change', 'Mean minutes before', 'After', 'Change'],
      r.groups.map((g) => [
        g.group,
        g.weight,
        g.before.coveredShare,
        g.after.coveredShare,
        g.change.coveredShare,
        g.before.meanMinutes,
        g.after.meanMinutes,
        g.change.meanMinutes,
      ]),
    );
  addTableSheet(
    wb,
    'Losing coverage',
    'Areas no longer within the standard',
    ['Area', 'Segment', inputs.demand, 'Minutes before', 'Minutes after'],
    r.losers.map((p) => [p.id, p.group, p.weight, p.minutesBefore, p.minutesAfter]),
  );
  addNoteRows(
    wb.addWorksheet('Notes'),
    inputs.notes.map((n, i) => [i ? '' : 'How', n] as [string, string]),
  );
  return Buffer.from(await wb.xlsx.writeBuffer());
}
