/**
 * The live-postcode rule, once: within each area, the postcodes that count are its live ones, or
 * all of its postcodes when none of them is live (an area of only terminated postcodes still has
 * households, as the ONS best-fit lookups give it). Profiles share a base area's households out by
 * it, targeting gives each postcode its share by it, location places an area's centroid by it, and
 * maps colour areas by it: one SQL builder, so they cannot drift apart.
 */

/**
 * A subquery (to use after FROM, with an alias) giving the rows of `source` that count under the
 * rule: `source` is a table or CTE name, `group` the column naming each row's area (rows with no
 * area are left out) and `live` an expression true for a live postcode. Standard SQL (a window
 * aggregate), so any engine runs it; the rows keep every column of `source`, with one more,
 * `_area_has_live` (1 or 0).
 */
export function countedPostcodesSql(source: string, group: string, live: string): string {
  return (
    `(SELECT * FROM (SELECT s.*, ` +
    `max(CASE WHEN ${live} THEN 1 ELSE 0 END) OVER (PARTITION BY s.${group}) AS _area_has_live ` +
    `FROM ${source} s WHERE s.${group} IS NOT NULL) WHERE (${live}) OR _area_has_live = 0)`
  );
}
