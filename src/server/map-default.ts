/**
 * The map shown when nobody has chosen a measure. The first segment's share is a poor default: at
 * the level a classification is made (output areas) every area is 0% or 100% of it, which tells
 * nobody anything. So the default is, among the measures anyone may map, the one whose areas are
 * spread most evenly over the most classes of its key: the Shannon entropy of the areas' classes.
 * A measure with one value everywhere scores 0, one split into two classes at most 1 bit, five
 * equal classes log2(5).
 *
 * Journey times are not candidates: working out every kind's journey times only to choose a
 * default would be slow on a large workspace (they stay a choice on the page).
 */
import { parseMeasure, type MapResult, type MapOptions, type MeasureKind } from '../maps/index.ts';

/** Measures that are candidates for the default: public, and quick to work out. */
const CANDIDATE_KINDS: readonly MeasureKind[] = ['deprivation', 'households', 'segment'];

/** Entropy in bits of how the areas with a value shown fall into the key's classes (0 when none or one class). */
export function classSpread(areas: readonly Pick<MapResult['areas'][number], 'cls' | 'value'>[]): number {
  const counts = new Map<number, number>();
  let n = 0;
  for (const a of areas) {
    if (a.cls < 0 || a.value === null) continue;
    counts.set(a.cls, (counts.get(a.cls) ?? 0) + 1);
    n++;
  }
  let h = 0;
  for (const c of counts.values()) h -= (c / n) * Math.log2(c / n);
  return h === 0 ? 0 : h; // never -0
}

/** The candidates among a map page's options, in the page's order. */
export function defaultCandidates(options: MapOptions): string[] {
  return options.measures
    .flatMap((g) => g.items.map((i) => i.value))
    .filter((m) => {
      try {
        return CANDIDATE_KINDS.includes(parseMeasure(m).kind);
      } catch {
        return false;
      }
    });
}

/**
 * The candidate with the widest spread (the first of equals, in the page's order); null when there
 * is none or none varies. `figuresOf` works out (or fetches from the cache) a measure's figures.
 */
export async function chooseDefaultMeasure(
  options: MapOptions,
  figuresOf: (measure: string) => Promise<{ areas: readonly Pick<MapResult['areas'][number], 'cls' | 'value'>[] }>,
): Promise<string | null> {
  let best: { measure: string; spread: number } | null = null;
  for (const measure of defaultCandidates(options)) {
    let figures;
    try {
      figures = await figuresOf(measure);
    } catch {
      continue; // a measure that cannot be mapped at this level is no default
    }
    const spread = classSpread(figures.areas);
    if (spread > 0 && (!best || spread > best.spread + 1e-9)) best = { measure, spread };
  }
  return best?.measure ?? null;
}
