/**
 * Names for built segments. k-means gives "Group 1" and "Type 7a"; a person needs words. From each
 * segment's most distinctive variables (its mean against the whole area's, as an index, as in the
 * pen portraits) this proposes a short name and a one-line description, for an analyst to accept
 * or change:
 *  - the name: the one or two variables most above average (index 120 or more), "Full-time
 *    students and private-rented households"; failing those, the one most below average (index 80
 *    or less), "Fewer households with no car"; failing both, "Close to the average";
 *  - the description: "More full-time students (index 310) and private-rented households (index
 *    205), and fewer owner-occupied households (index 40), than the whole area.";
 *  - within a tier no two names are the same: a repeated name takes the variable most below
 *    average as well, and then the segment's code.
 * Pure: facts in, words out.
 */
import type { PortraitFacts } from './portraits.ts';

export interface ProposedName {
  name: string;
  description: string;
}

type Facts = Pick<PortraitFacts, 'distinctive' | 'lowest'>;

/** An index at or above this is "more than average", at or below LOW "fewer". */
export const NAME_HIGH = 120;
export const NAME_LOW = 80;
const MAX_NAME = 60;

const lowerFirst = (s: string) => (/^[A-Z][a-z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s);
const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** "a and b", or "a, b" when a label already has an "and" in it ("People aged 65 and over"). */
const join2 = (xs: string[]) =>
  xs.length < 2 ? xs.join('') : xs.some((x) => / and /.test(x)) ? xs.join(', ') : xs.join(' and ');
const listText = (xs: string[]) =>
  xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;

function highs(f: Facts) {
  return f.distinctive.filter((v) => v.index >= NAME_HIGH);
}
function lows(f: Facts) {
  return f.lowest.filter((v) => v.index <= NAME_LOW);
}

/** A name and a one-line description for one segment, from its distinctive variables. */
export function proposeSegmentName(f: Facts): ProposedName {
  const hi = highs(f).slice(0, 2);
  const lo = lows(f).slice(0, 1);
  let name: string;
  if (hi.length) {
    name = upperFirst(join2(hi.map((v, i) => (i ? lowerFirst(v.label) : v.label))));
    if (name.length > MAX_NAME) name = upperFirst(hi[0].label);
  } else if (lo.length) name = `Fewer ${lowerFirst(lo[0].label)}`;
  else name = 'Close to the average';
  const idx = (v: { label: string; index: number }) => `${lowerFirst(v.label)} (index ${Math.round(v.index)})`;
  const parts: string[] = [];
  if (hi.length) parts.push(`more ${listText(hi.map(idx))}`);
  if (lo.length) parts.push(`fewer ${listText(lo.map(idx))}`);
  const description = parts.length
    ? `${upperFirst(parts.join(', and '))}${parts.length > 1 ? ',' : ''} than the whole area.`
    : 'Close to the whole area on every variable: no index is above 120 or below 80.';
  return { name, description };
}

/** A name and description for every segment of a tier, no two names alike (the first keeps a shared name). */
export function proposeSegmentNames(segments: readonly { code: string; facts: Facts }[]): Map<string, ProposedName> {
  const out = new Map<string, ProposedName>();
  const used = new Set<string>();
  for (const s of segments) {
    const p = proposeSegmentName(s.facts);
    let name = p.name;
    const lo = lows(s.facts)[0];
    if (used.has(name.toLowerCase()) && lo && highs(s.facts).length) name = `${p.name}, fewer ${lowerFirst(lo.label)}`;
    if (used.has(name.toLowerCase())) name = `${p.name} (${s.code})`;
    used.add(name.toLowerCase());
    out.set(s.code, { ...p, name });
  }
  return out;
}

/** Whether a segment still has the name a build gave it ("Group 1", "Type 7a", or its bare code). */
export function isPlaceholderName(name: string, tier: string, code: string): boolean {
  const n = name.trim().toLowerCase();
  return n === code.toLowerCase() || n === `${tier} ${code}`.toLowerCase();
}
