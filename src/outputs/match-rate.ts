/** The match-rate report (linkage's matchRates) as a text table and as CSV, and one household's records. */
import type { HouseholdView, MatchRateResult } from '../linkage/index.ts';
import { csvText, fmtInt, textTable } from './format.ts';

const cell = (r: { count: number | null; pct: number | null } | null) =>
  r ? (r.count === null ? '[c]' : `${fmtInt(r.count)}${r.pct === null ? '' : ` (${r.pct.toFixed(1)}%)`}`) : '–';

type Rate = { count: number | null; pct: number | null };
const small = (r: Rate | null, minCell: number) => r !== null && r.count !== null && r.count > 0 && r.count < minCell;
const hide = (r: Rate) => {
  r.count = null;
  r.pct = null;
};

/**
 * The report as anyone may see it through the API or the portal: every count from 1 to minCell - 1
 * hidden; where one kind of reference is hidden, the smallest other is hidden too, so that it cannot
 * be got back from the records' total.
 */
export function discloseMatchRates(r: MatchRateResult, minCell: number): MatchRateResult {
  const out = structuredClone(r);
  for (const d of out.datasets) {
    for (const x of [d.notPlaced, d.sharedHousehold, ...d.linked]) if (x && small(x, minCell)) hide(x);
    const kinds = [d.uprn, d.matchedUprn, d.derived, d.none].filter((x): x is Rate => x !== null);
    const hidden = kinds.filter((x) => small(x, minCell));
    for (const x of hidden) hide(x);
    if (hidden.length === 1) {
      const next = kinds.filter((x) => x.count !== null && x.count > 0).sort((a, b) => a.count! - b.count!)[0];
      if (next) hide(next);
    }
    if (d.households !== null && d.households > 0 && d.households < minCell) d.households = null;
  }
  if (out.union && out.union.distinct > 0 && out.union.distinct < minCell) out.union = null;
  return out;
}

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
  const n = (x: { count: number | null } | null) => (x ? x.count : null);
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
