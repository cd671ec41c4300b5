/**
 * Finding a column by the name someone gave: the exact name first, then the same name in any case
 * ("Postcode" for "postcode"); with no name given, the first column whose name matches one of the
 * patterns of a kind of column (for a postcode: /post.?code/i …). One rule for every reader.
 */

/** The index of the column named `wanted` (exactly, else ignoring case), or -1. */
export function columnIndex(header: readonly string[], wanted: string): number {
  const exact = header.indexOf(wanted);
  if (exact >= 0) return exact;
  const lower = wanted.toLowerCase();
  return header.findIndex((h) => h.toLowerCase() === lower);
}

/** The column named `wanted` (exactly, else ignoring case), or undefined. */
export function columnNamed(header: readonly string[], wanted: string): string | undefined {
  const i = columnIndex(header, wanted);
  return i < 0 ? undefined : header[i];
}

/** The column named `wanted` if given, else the first whose name matches a pattern (in the patterns' order); -1 if none. */
export function findColumn(header: readonly string[], wanted: string | undefined, patterns: readonly RegExp[]): number {
  if (wanted) return columnIndex(header, wanted);
  for (const p of patterns) {
    const i = header.findIndex((h) => p.test(h));
    if (i >= 0) return i;
  }
  return -1;
}
