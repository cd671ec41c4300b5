/**
 * Census years that do not line up (issue 12, point 3). Output area, LSOA and MSOA codes look the
 * same in 2011 and 2021 (E00…, E01…, E02…): most areas kept their codes, and only the areas that
 * were split or merged got new ones. So a file's year is told from the codes the workspace already
 * knows for each year (its postcode directory, areas, base, boundaries and classifications), and
 * said with the reason. A directory of 2011 areas (NSPL before 2022) meets a Census 2021 base
 * through the codes that did not change; the postcodes in areas that changed are counted and named.
 */
import { type Engine, ident } from '../store/index.ts';
import { firstUsedIn2021, highest2011Code, levelFor, yearFromHeader } from '../geo/index.ts';

export type CensusYear = '11' | '21';
type Family = 'oa' | 'lsoa' | 'msoa';

export interface YearChoice {
  year: CensusYear;
  /** Plain English: why this year, e.g. "712 of its 738 codes are 2021 output areas in the postcode directory, 0 only 2011 ones". */
  reason: string;
}

const FAMILY_NAMES: Record<Family, string> = { oa: 'output areas', lsoa: 'LSOAs', msoa: 'MSOAs' };
const fullYear = (y: CensusYear) => (y === '11' ? '2011' : '2021');

/** The codes the workspace knows at a level, from every table that holds area codes. */
function knownCodesSql(level: string): string {
  const l = `'${level}'`;
  return `(SELECT ${ident(level)} AS code FROM postcode WHERE ${ident(level)} IS NOT NULL
    UNION SELECT code FROM area WHERE level = ${l}
    UNION SELECT area_code FROM area_base WHERE level = ${l}
    UNION SELECT area_code FROM boundary WHERE level = ${l}
    UNION SELECT s.area_code FROM area_segment s JOIN classification c ON c.name = s.classification WHERE c.area_level = ${l})`;
}

/**
 * Which census year a file's area codes belong to: as asked, else as its column's name says, else
 * by how many of its codes the workspace knows for each year. `codesSql` selects the codes (one
 * column, `code`).
 */
export async function chooseAreaYear(
  engine: Engine,
  o: { family: Family; column: string; codesSql: string; params?: unknown[]; asked?: CensusYear },
): Promise<YearChoice> {
  const counts = async () => {
    const r = (await engine.one<{ total: number; in11: number; in21: number; only11: number; only21: number }>(
      `WITH f AS (SELECT DISTINCT trim(code) AS code FROM (${o.codesSql}) x WHERE code IS NOT NULL),
        k11 AS ${knownCodesSql(levelFor(o.family, '11'))}, k21 AS ${knownCodesSql(levelFor(o.family, '21'))}
      SELECT count(*)::BIGINT AS total,
        count(*) FILTER (WHERE code IN (SELECT code FROM k11))::BIGINT AS in11,
        count(*) FILTER (WHERE code IN (SELECT code FROM k21))::BIGINT AS in21,
        count(*) FILTER (WHERE code IN (SELECT code FROM k11) AND code NOT IN (SELECT code FROM k21))::BIGINT AS only11,
        count(*) FILTER (WHERE code IN (SELECT code FROM k21) AND code NOT IN (SELECT code FROM k11))::BIGINT AS only21
      FROM f`,
      (o.params ?? []) as never[],
    ))!;
    return r;
  };
  const name = FAMILY_NAMES[o.family];
  if (o.asked) return { year: o.asked, reason: `as --area-year ${fullYear(o.asked)} says` };
  const fromHeader = yearFromHeader(o.column);
  if (fromHeader) return { year: fromHeader, reason: `the column is named ${o.column}` };
  // Codes numbered above the last 2011 code were first used in 2021.
  const codes = (
    await engine.all<{ code: string }>(
      `SELECT DISTINCT trim(code) AS code FROM (${o.codesSql}) x WHERE code IS NOT NULL`,
      (o.params ?? []) as never[],
    )
  ).map((r) => r.code);
  const newer = codes.filter(firstUsedIn2021);
  if (newer.length)
    return {
      year: '21',
      reason: `${newer.length} of its ${codes.length} codes (such as ${newer[0]}) were first used in 2021: 2011 codes stop at ${highest2011Code(newer[0])}`,
    };
  const c = await counts();
  if (c.in11 > 0 && c.in21 === 0)
    return {
      year: '11',
      reason: `${c.in11} of its ${c.total} codes are 2011 ${name} the workspace knows, none a 2021 one`,
    };
  // Codes only one year has decide it; codes both years share (unchanged areas) say nothing.
  if (c.only11 > c.only21)
    return {
      year: '11',
      reason: `${c.only11} of its ${c.total} codes are ${name} of 2011 that the workspace knows and 2021 does not have (${c.only21} the other way round)`,
    };
  if (c.only21 > 0)
    return {
      year: '21',
      reason: `${c.only21} of its ${c.total} codes are 2021 ${name} that the workspace knows and 2011 does not have (${c.only11} the other way round)`,
    };
  if (c.in11 > 0 && c.in21 === 0)
    return {
      year: '11',
      reason: `${c.in11} of its ${c.total} codes are 2011 ${name} the workspace knows, none a 2021 one`,
    };
  if (c.in21 > 0)
    return {
      year: '21',
      reason: `${c.in21} of its ${c.total} codes are 2021 ${name} the workspace knows${c.in11 ? ` (the same codes were used in 2011)` : ''}`,
    };
  return {
    year: '21',
    reason: `the workspace knows none of its codes yet, so they are taken as 2021 ${name}; if they are 2011 ones, remove this and import it again with --area-year 2011`,
  };
}

export interface YearBridge {
  from: string;
  to: string;
  /** Postcodes given the same code at the other year because their area's code did not change. */
  postcodes: number;
  /** Postcodes whose area changed (split or merged): no code at `to`. */
  left: number;
  /** How many areas changed, and some of their codes. */
  changedAreas: number;
  changedExamples: string[];
}

/**
 * A directory of 2011 areas meets 2021 reference data (or the other way round) through the codes
 * that did not change: a postcode with no code at `to` gets its `from` code when `to` has that code.
 * Only where the workspace has reference data at `to` and the directory gave few or no codes there.
 */
export async function bridgeUnchangedCodes(engine: Engine): Promise<YearBridge[]> {
  const out: YearBridge[] = [];
  for (const family of ['oa', 'lsoa', 'msoa'] as const) {
    for (const [fy, ty] of [
      ['11', '21'],
      ['21', '11'],
    ] as const) {
      const from = levelFor(family, fy),
        to = levelFor(family, ty);
      const need = (await engine.one<{ missing: number }>(
        `SELECT count(*)::BIGINT AS missing FROM postcode WHERE ${ident(from)} IS NOT NULL AND ${ident(to)} IS NULL`,
      ))!.missing;
      if (!need) continue;
      // Reference data at `to` that is not the directory's own: a base, a classification, boundaries or areas.
      const toCodes = `(SELECT area_code AS code FROM area_base WHERE level = '${to}'
        UNION SELECT code FROM area WHERE level = '${to}'
        UNION SELECT area_code FROM boundary WHERE level = '${to}'
        UNION SELECT s.area_code FROM area_segment s JOIN classification c ON c.name = s.classification WHERE c.area_level = '${to}')`;
      const any = await engine.one(`SELECT 1 AS x FROM ${toCodes} t LIMIT 1`);
      if (!any) continue;
      await engine.run(`CREATE OR REPLACE TEMP TABLE bridge_codes AS SELECT DISTINCT code FROM ${toCodes} t`);
      const bridged = (await engine.one<{ n: number }>(
        `SELECT count(*)::BIGINT AS n FROM postcode WHERE ${ident(from)} IS NOT NULL AND ${ident(to)} IS NULL AND ${ident(from)} IN (SELECT code FROM bridge_codes)`,
      ))!.n;
      await engine.run(
        `INSERT INTO postcode_placement SELECT pc_key, '${to}', 'the same code as its ${fullYear(fy)} area, which did not change'
         FROM postcode WHERE ${ident(from)} IS NOT NULL AND ${ident(to)} IS NULL AND ${ident(from)} IN (SELECT code FROM bridge_codes)`,
      );
      await engine.run(
        `UPDATE postcode SET ${ident(to)} = ${ident(from)} WHERE ${ident(from)} IS NOT NULL AND ${ident(to)} IS NULL AND ${ident(from)} IN (SELECT code FROM bridge_codes)`,
      );
      const changed = await engine.all<{ code: string; n: number }>(
        `SELECT ${ident(from)} AS code, count(*)::BIGINT AS n FROM postcode WHERE ${ident(from)} IS NOT NULL AND ${ident(to)} IS NULL GROUP BY 1 ORDER BY 1`,
      );
      await engine.run(`DROP TABLE bridge_codes`);
      out.push({
        from,
        to,
        postcodes: bridged,
        left: changed.reduce((s, c) => s + c.n, 0),
        changedAreas: changed.length,
        changedExamples: changed.slice(0, 8).map((c) => c.code),
      });
    }
  }
  return out.filter((b) => b.postcodes > 0 || b.left > 0);
}

/** A bridge in words, with the fix for what it could not do. */
export function describeBridge(b: YearBridge): string {
  const fy = b.from.endsWith('11') ? '2011' : '2021';
  const ty = b.to.endsWith('11') ? '2011' : '2021';
  const family = b.from.replace(/\d+$/, '');
  const name = FAMILY_NAMES[family as Family];
  return (
    `The postcode directory gives ${fy} ${name} and the other reference data is by ${ty} ${name}: ${b.postcodes} postcodes were given the same ${ty} code, since their area did not change.` +
    (b.left
      ? ` ${b.left} postcodes are in ${b.changedAreas} ${fy} areas that were split or merged (${b.changedExamples.join(', ')}${b.changedAreas > b.changedExamples.length ? ', …' : ''}) and have no ${ty} area: import the ${ty} boundaries (--boundaries FILE --level ${b.to}) to place them, or a postcode directory with ${ty} areas (ONSPD or NSPL of ${ty === '2021' ? 'August 2022 or later' : 'before 2022'}).`
      : '')
  );
}
