/** The match-rate report (linkage's matchRates) as a text table and as CSV. */
import type { MatchRateResult } from '../linkage/index.ts';
import { csvText, fmtInt, textTable } from './format.ts';

const cell = (r: { count: number; pct: number | null } | null) =>
  r ? `${fmtInt(r.count)}${r.pct === null ? '' : ` (${r.pct.toFixed(1)}%)`}` : '–';

export function matchRatesToTable(r: MatchRateResult): string {
  const others = [...new Set(r.datasets.flatMap((d) => d.linked.map((l) => l.dataset)))];
  const head = [
    'Dataset',
    'Records',
    'Not placed',
    'Own UPRN',
    'Matched UPRN',
    'Derived key',
    'No reference',
    'Households',
    'Sharing a household',
  ];
  const rows = r.datasets.map((d) => [
    d.dataset,
    fmtInt(d.records),
    cell(d.notPlaced),
    cell(d.uprn),
    cell(d.matchedUprn),
    cell(d.derived),
    cell(d.none),
    d.households === null ? '–' : fmtInt(d.households),
    cell(d.sharedHousehold),
  ]);
  const parts = [textTable(head, rows, (i) => i > 0)];
  if (others.length) {
    const linked = r.datasets
      .filter((d) => d.addressed)
      .map((d) => [d.dataset, ...others.map((o) => cell(d.linked.find((l) => l.dataset === o) ?? null))]);
    parts.push(
      '',
      'Records whose household is also in another dataset:',
      textTable(['Dataset', ...others], linked, (i) => i > 0),
    );
  }
  parts.push('', ...r.notes);
  return parts.join('\n') + '\n';
}

export function matchRatesToCsv(r: MatchRateResult): string {
  const others = [...new Set(r.datasets.flatMap((d) => d.linked.map((l) => l.dataset)))];
  const n = (x: { count: number } | null) => (x ? x.count : null);
  return csvText(
    [
      'dataset',
      'records',
      'not_placed',
      'own_uprn',
      'matched_uprn',
      'derived_key',
      'no_reference',
      'households',
      'sharing_a_household',
      ...others.map((o) => `linked_to_${o}`),
    ],
    r.datasets.map((d) => [
      d.dataset,
      d.records,
      d.notPlaced.count,
      n(d.uprn),
      n(d.matchedUprn),
      n(d.derived),
      n(d.none),
      d.households,
      n(d.sharedHousehold),
      ...others.map((o) => (d.addressed ? (d.linked.find((l) => l.dataset === o)?.count ?? null) : null)),
    ]),
  );
}
