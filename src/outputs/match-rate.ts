/** The match-rate report (linkage's matchRates) as a text table and as CSV, and one household's records. */
import type { HouseholdView, MatchRateResult } from '../linkage/index.ts';
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
  if (r.union && r.union.datasets.length > 1)
    parts.push(
      '',
      `Households: ${fmtInt(r.union.sumOfDatasets)} in the ${r.union.datasets.length} datasets added up, ${fmtInt(r.union.distinct)} distinct (a household in several datasets counted once).`,
    );
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

/** One household's records, a table per dataset; pseudonymised columns are named, never shown. */
export function householdToTable(h: HouseholdView): string {
  const parts = [
    `Household at ${h.propertyKind === 'uprn' ? `UPRN ${h.property}` : `property key ${h.property} (from the address)`}${h.gazetteerAddress ? `: ${h.gazetteerAddress}` : ''}`,
    `${fmtInt(h.records)} record${h.records === 1 ? '' : 's'} in ${h.datasets.length} of the ${h.searched.length} datasets with addresses.`,
  ];
  for (const d of h.datasets) {
    const cols = d.columns.filter((c) => !d.pseudonymised.includes(c));
    parts.push(
      '',
      `${d.title ?? d.dataset} (${d.dataset})`,
      textTable(
        ['Row', 'Id', 'Postcode', 'Reference', ...cols],
        d.records.map((r) => [
          String(r.row),
          r.id ?? '',
          r.postcode ?? '',
          r.propertyKind === 'uprn' ? 'own UPRN' : r.propertyKind === 'matched_uprn' ? 'matched UPRN' : 'from address',
          ...cols.map((c) => r.values[c] ?? ''),
        ]),
        (i) => i === 0,
      ),
    );
    if (d.pseudonymised.length) parts.push(`Pseudonymised, not shown: ${d.pseudonymised.join(', ')}.`);
  }
  return parts.join('\n') + '\n';
}
