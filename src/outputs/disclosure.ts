/**
 * The boundary where a result leaves for a viewer (decision 0012). Two rules, applied here and only
 * here:
 * - the small-cell rule, for everyone: a count under the threshold is hidden (with secondary
 *   suppression), and every figure that would reveal it goes with it;
 * - the cell key method, for everyone who is not the data's owner: every count shown (cells,
 *   totals, left-out records) carries the noise its cell key gives it, and every figure made from
 *   counts (shares, rates, intervals, index, bands) is worked out again from the perturbed counts.
 * The cells' keys never leave: they are removed from every result that passes here.
 */
import { MAX_NOISE, perturbCount, suppressOneWay } from '../core/index.ts';
import { SUPPRESSED_MARK } from './format.ts';
import { profileMeasures, type ProfileResult } from '../profiling/index.ts';

/** What a viewer may see of a result: the threshold, and whether counts are perturbed (everyone but the data's owner). */
export interface Disclosure {
  minCell: number;
  perturb: boolean;
}

/** A threshold alone (the owner's view, or the CLI's --min-cell) or a whole rule. */
export type DisclosureRule = number | Disclosure;

export const disclosureOf = (rule: DisclosureRule): Disclosure =>
  typeof rule === 'number' ? { minCell: rule, perturb: false } : rule;

/**
 * A count as the viewer may see it: null when hidden, perturbed for non-owners. A count with no
 * key cannot be perturbed, so a non-owner does not see it at all (the rule fails closed).
 */
export function shownCount(n: number, key: number | null | undefined, rule: Disclosure): number | null {
  if (rule.minCell > 0 && n < rule.minCell) return null;
  if (!rule.perturb) return n;
  if (key === null || key === undefined) return null;
  return perturbCount({ n, key }, rule.minCell);
}

export function discloseProfile(result: ProfileResult, ruleIn: DisclosureRule): ProfileResult {
  const rule = disclosureOf(ruleIn);
  const stripped = {
    ...result,
    rows: result.rows.map((r) => ({ ...r, cellKey: null })),
    total: { ...result.total, cellKey: null },
    unmatchedKey: null,
  };
  if (!(rule.minCell > 0)) return stripped;
  const counts = result.rows.map((r) => r.count ?? 0);
  const s = suppressOneWay(counts, rule.minCell);
  const total =
    result.total.count === null || s.totalSuppressed
      ? null
      : shownCount(result.total.count, result.total.cellKey, rule);
  const rows = result.rows.map((r, i) => {
    const shown = s.suppressed[i] || r.count === null ? null : shownCount(r.count, r.cellKey, rule);
    if (shown === null) {
      return {
        ...r,
        count: null,
        filePct: null,
        penetration: null,
        index: null,
        ciLow: null,
        ciHigh: null,
        z: null,
        significant: null,
        band: null,
        suppressed: true,
        cellKey: null,
      };
    }
    if (!rule.perturb) return { ...r, cellKey: null };
    // Shares are of the perturbed total; with no total shown there is nothing to share it by.
    const m = profileMeasures(shown, r.base, total ?? 0, result.total.base, bandsOf(result));
    return {
      ...r,
      count: shown,
      ...m,
      filePct: total === null ? null : m.filePct,
      index: total === null ? null : m.index,
      band: total === null ? null : m.band,
      cellKey: null,
    };
  });
  const unmatched =
    result.unmatched === null
      ? null
      : rule.perturb
        ? shownCount(result.unmatched, result.unmatchedKey, rule)
        : result.unmatched > 0 && result.unmatched < rule.minCell
          ? null
          : result.unmatched;
  return {
    ...stripped,
    rows,
    total: {
      count: total,
      base: result.total.base,
      penetration: total === null || !(result.total.base > 0) ? null : (total / result.total.base) * 100,
      cellKey: null,
    },
    unmatched,
    // The breakdown of unplaced records is for the data's owner only.
    notPlaced: null,
    disclosure: { minCell: rule.minCell, primary: s.primary, secondary: s.secondary, perturbed: rule.perturb },
  };
}

const bandsOf = (r: ProfileResult) => r.bands.map((b) => ({ name: b.name, min: b.min ?? -Infinity }));

/** What a result says of its disclosure control (the counts of what was hidden, and whether counts were perturbed). */
export interface DisclosureSummary {
  minCell: number;
  primary: number;
  secondary: number;
  perturbed?: boolean;
}

/** Adds up the summaries of several tables shown together (an SDF's services, a RAG's columns). */
export function sumDisclosure(
  minCell: number,
  parts: readonly (DisclosureSummary | null | undefined)[],
): DisclosureSummary {
  return {
    minCell,
    primary: parts.reduce((t, d) => t + (d?.primary ?? 0), 0),
    secondary: parts.reduce((t, d) => t + (d?.secondary ?? 0), 0),
    perturbed: parts.some((d) => d?.perturbed === true),
  };
}

/**
 * The one note on disclosure control that every export carries: what was hidden and why, and, for a
 * viewer who does not own the data, that the counts carry the cell key method's noise.
 * `scope` says where the rule was applied ("in each service's column"); `from` what a hidden count
 * could otherwise be worked out from ("the total", "the totals").
 */
export function disclosureNote(d: DisclosureSummary | null, opts: { scope?: string; from?: string } = {}): string {
  if (!d) return 'Not suppressed: for the data owner only.';
  const scope = opts.scope ? ` ${opts.scope}` : '';
  const hidden = d.primary + d.secondary;
  const suppression = hidden
    ? `Counts under ${d.minCell} are suppressed (${SUPPRESSED_MARK})${scope}` +
      (d.secondary
        ? `; ${d.secondary} more ${d.secondary === 1 ? 'count is' : 'counts are'} hidden so that none can be worked out from ${opts.from ?? 'the total'}.`
        : '.')
    : `No count is under ${d.minCell}, so nothing is suppressed.`;
  return d.perturbed
    ? `${suppression} The data belongs to another organisation: each count shown carries a small fixed noise (at most ${MAX_NOISE} either way, the same every time for the same records), so totals may not add up exactly.`
    : suppression;
}
