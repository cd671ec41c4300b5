/** How kinds of facility are written for people: "childrens_centre" → "Children's centre". */

/** Kinds whose names need more than a capital letter (abbreviations, apostrophes). */
const KIND_NAMES: Record<string, string> = {
  gp_surgery: 'GP surgery',
  gp: 'GP surgery',
  general_practice: 'GP surgery',
  hwrc: 'Household waste recycling centre',
  childrens_centre: "Children's centre",
  children_centre: "Children's centre",
  customer_service_point: 'Customer service point',
};

/** "childrens_centre" → "Children's centre", "leisure_centre" → "Leisure centre". */
export function kindLabel(kind: string): string {
  const known = KIND_NAMES[kind.toLowerCase()];
  if (known) return known;
  const words = kind.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The kind inside a sentence: "the nearest children's centre", "the nearest GP surgery". */
export function kindNoun(kind: string): string {
  return kindLabel(kind).replace(/^[A-Z](?![A-Z])/, (c) => c.toLowerCase());
}
