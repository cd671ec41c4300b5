/**
 * The base of a profile: households (or people) per segment or area. Three ways to get there,
 * best first:
 *  1. the base is already on the areas asked for;
 *  2. the areas asked for contain the base areas (OA → LSOA → MSOA ...): summed through the area hierarchy;
 *  3. otherwise (different census years, wards that OAs straddle): each base area's households are
 *     shared among the areas of its live postcodes (all its postcodes if none is live).
 * Only base areas that the postcode directory reaches count, so a national base with one
 * council's postcodes profiles that council. Sums run in a fixed order so results repeat exactly.
 */
import { NotFoundError, WorkspaceStateError } from '../core/index.ts';
import { type Engine, ident, sqlAnyValue } from '../store/index.ts';
import { countedPostcodesSql, withArticle, type AreaLevel } from '../geo/index.ts';

export interface BaseByGroup {
  base: Map<string, number>;
  method: string;
  /** when the base was summed through the area hierarchy: base area → area at the level asked for (records follow the same path) */
  hierarchy: Map<string, string> | null;
  /** base areas left out: no postcode reaches them, or none of their postcodes has a code at the level asked for */
  excluded: { areas: number; base: number };
}

export type Grouping =
  | { kind: 'area'; level: AreaLevel }
  | { kind: 'segment'; classification: string; tier: string; level: AreaLevel };

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * The part of each base area that lies in one area (a ward, a district): base area → share, from 0
 * to 1, of its households in the area. Exact when the area hierarchy leads from the base areas up
 * to the area's level (or the area is a base area): whole base areas, in or out. Otherwise each base
 * area is shared by its live postcodes (all its postcodes if none is live), as the base is shared
 * out between areas. Records are then restricted the same way: `recordsBy` is the postcode column
 * a record's postcode must have, and `recordsIn` the codes it may take there.
 */
export interface AreaWithin {
  level: AreaLevel;
  code: string;
  name: string | null;
  share: Map<string, number>;
  exact: boolean;
  recordsBy: AreaLevel;
  recordsIn: string[];
  /** how the area was cut out of the base, for the notes under a table */
  method: string;
}

export async function areaWithin(
  engine: Engine,
  baseLevel: AreaLevel,
  level: AreaLevel,
  code: string,
): Promise<AreaWithin> {
  const known = (await engine.one<{ n: number }>(
    `SELECT count(*)::BIGINT AS n FROM postcode WHERE ${ident(level)} = $1`,
    [code],
  ))!.n;
  if (known === 0) {
    const examples = (
      await engine.all<{ c: string }>(
        `SELECT DISTINCT ${ident(level)} AS c FROM postcode WHERE ${ident(level)} IS NOT NULL ORDER BY 1 LIMIT 5`,
      )
    ).map((r) => r.c);
    throw new NotFoundError(
      `No postcode in the workspace is in ${level} ${code}.`,
      examples.length
        ? `Give a ${level} code that the postcode directory uses, e.g. ${examples.join(', ')}.`
        : `The postcode directory has no ${level} codes: import the ${level} boundaries or a directory with that column.`,
    );
  }
  const name =
    (
      await engine.one<{ name: string | null }>(
        `SELECT ${sqlAnyValue('name')} AS name FROM area WHERE level = $1 AND code = $2`,
        [level, code],
      )
    )?.name ?? null;
  const label = `${level} ${code}${name ? ` (${name})` : ''}`;
  if (level === baseLevel) {
    return {
      level,
      code,
      name,
      share: new Map([[code, 1]]),
      exact: true,
      recordsBy: baseLevel,
      recordsIn: [code],
      method: `only ${label}`,
    };
  }
  const covered = (
    await engine.all<{ b: string }>(
      `SELECT DISTINCT ${ident(baseLevel)} AS b FROM postcode WHERE ${ident(baseLevel)} IS NOT NULL ORDER BY 1`,
    )
  ).map((r) => r.b);
  const up = await ancestorsOf(engine, covered, baseLevel, level);
  if (up) {
    const inside = covered.filter((b) => up.get(b) === code);
    if (!inside.length) throw noBaseIn(label, baseLevel);
    return {
      level,
      code,
      name,
      share: new Map(inside.map((b) => [b, 1])),
      exact: true,
      recordsBy: baseLevel,
      recordsIn: inside,
      method: `only ${label}: its whole ${baseLevel} areas, through the area hierarchy`,
    };
  }
  const BL = ident(baseLevel),
    AL = ident(level);
  const rows = await engine.all<{ b: string; w: number }>(
    `
    WITH pc AS (SELECT ${BL} AS b, ${AL} AS a, status FROM postcode WHERE ${BL} IS NOT NULL AND ${AL} IS NOT NULL),
      n AS (SELECT pc.b, count(*) AS n, count(*) FILTER (WHERE pc.a = $1) AS k FROM ${countedPostcodesSql('pc', 'b', "status = 'live'")} pc GROUP BY 1)
    SELECT b, k / n AS w FROM n WHERE k > 0 ORDER BY b`,
    [code],
  );
  if (!rows.length) throw noBaseIn(label, baseLevel);
  return {
    level,
    code,
    name,
    share: new Map(rows.map((r) => [r.b, r.w])),
    exact: false,
    recordsBy: level,
    recordsIn: [code],
    method: `only ${label}: each ${baseLevel} area counted by its share of live postcodes in it`,
  };
}

function noBaseIn(label: string, baseLevel: AreaLevel): WorkspaceStateError {
  return new WorkspaceStateError(
    `No ${baseLevel} area of the base is in ${label}, so it has no households to profile against.`,
    `Check the code, or import an area lookup that puts ${baseLevel} areas in it (civic reference import WORKSPACE --areas FILE).`,
  );
}

let workCount = 0;
/** A name no other call of this process is using for its working tables. */
const workTables = () => `${process.pid}_${++workCount}_${Math.random().toString(36).slice(2, 8)}`;

export async function baseByGroup(
  engine: Engine,
  baseLevel: AreaLevel,
  measure: 'households' | 'population',
  g: Grouping,
  within?: ReadonlyMap<string, number>,
): Promise<BaseByGroup> {
  const target = g.level;
  const placed = (await engine.one<{ n: number }>(`SELECT count(${ident(target)})::BIGINT AS n FROM postcode`))!.n;
  if (placed === 0) {
    const other = otherYearLevel(target);
    const hasOther =
      other && (await engine.one(`SELECT 1 AS x FROM postcode WHERE ${ident(other)} IS NOT NULL LIMIT 1`));
    throw new WorkspaceStateError(
      `None of the postcodes has ${withArticle(target)} code, so records cannot be placed ${g.kind === 'segment' ? `in ${g.classification}` : `by ${target}`}.`,
      (hasOther
        ? `The postcode directory gives ${other!.endsWith('11') ? '2011' : '2021'} areas (${other})${g.kind === 'area' ? `: profile by ${other} instead, or` : ':'} import `
        : 'Import ') +
        `the ${target} boundaries (civic reference import WORKSPACE --boundaries FILE --level ${target}) or a postcode directory with that column.`,
    );
  }
  const BL = ident(baseLevel),
    TL = ident(target),
    M = ident(measure);
  // Working tables of this call's own: two calls at once (on one connection, or from callers that
  // forgot a transaction) can never read or drop each other's.
  const run = workTables();
  const COV = ident(`base_cov_${run}`),
    PAIR = ident(`base_pair_${run}`),
    WITHIN = ident(`base_within_${run}`);
  try {
    if (within) {
      // Only the base inside one area: each base area's measure times its share in the area.
      await engine.run(`CREATE TEMP TABLE ${WITHIN} (b VARCHAR, w DOUBLE)`);
      await engine.append(
        `base_within_${run}`,
        [...within].map(([b, w]) => [b, w]),
      );
    }
    await engine.run(
      within
        ? `CREATE TEMP TABLE ${COV} AS SELECT area_code AS b, ${M} * bw.w AS m,
        area_code IN (SELECT ${BL} FROM postcode WHERE ${BL} IS NOT NULL) AS reached
      FROM area_base JOIN ${WITHIN} bw ON bw.b = area_base.area_code WHERE level = $1 AND ${M} IS NOT NULL`
        : `CREATE TEMP TABLE ${COV} AS SELECT area_code AS b, ${M} AS m,
        area_code IN (SELECT ${BL} FROM postcode WHERE ${BL} IS NOT NULL) AS reached
      FROM area_base WHERE level = $1 AND ${M} IS NOT NULL`,
      [baseLevel],
    );
    const cov = (await engine.one<{ reached: number; areas: number; base: number | null }>(
      `SELECT count(*) FILTER (WHERE reached)::BIGINT AS reached, count(*) FILTER (WHERE NOT reached)::BIGINT AS areas, sum(m) FILTER (WHERE NOT reached) AS base FROM ${COV}`,
    ))!;
    if (cov.reached === 0) throw await unreachedBaseError(engine, baseLevel);
    // Base area → (area at the level asked for, weight).
    let method: string;
    let hierarchy: Map<string, string> | null = null;
    if (target === baseLevel) {
      await engine.run(`CREATE TEMP TABLE ${PAIR} AS SELECT b, b AS a, 1.0::DOUBLE AS w FROM ${COV} WHERE reached`);
      method = `${measure} per ${baseLevel}`;
    } else {
      const covered = (await engine.all<{ b: string }>(`SELECT b FROM ${COV} WHERE reached`)).map((r) => r.b);
      const viaHierarchy = await ancestorsOf(engine, covered, baseLevel, target);
      if (viaHierarchy) {
        hierarchy = viaHierarchy;
        await engine.run(`CREATE TEMP TABLE ${PAIR} (b VARCHAR, a VARCHAR, w DOUBLE)`);
        await engine.append(
          `base_pair_${run}`,
          covered.map((b) => [b, viaHierarchy.get(b)!, 1]),
        );
        method = `${measure} per ${baseLevel}, summed to ${target} through the area hierarchy`;
      } else {
        await engine.run(`CREATE TEMP TABLE ${PAIR} AS
          WITH pc AS (SELECT ${BL} AS b, ${TL} AS a, status FROM postcode WHERE ${BL} IS NOT NULL AND ${TL} IS NOT NULL),
            n AS (SELECT pc.b, pc.a, count(*) AS n FROM ${countedPostcodesSql('pc', 'b', "status = 'live'")} pc GROUP BY 1, 2)
          SELECT b, a, n / sum(n) OVER (PARTITION BY b) AS w FROM n`);
        method = `${measure} per ${baseLevel}, shared out to ${g.kind === 'segment' ? `${g.classification} (${target})` : target} by each area's share of live postcodes`;
      }
    }
    const group =
      g.kind === 'segment' ? `JOIN area_segment s ON s.classification = $1 AND s.tier = $2 AND s.area_code = p.a` : '';
    const groupCode = g.kind === 'segment' ? 's.code' : 'p.a';
    const params = g.kind === 'segment' ? [g.classification, g.tier] : [];
    // Summed in a fixed order so the same workspace gives the same figures to the last digit.
    const rows = await engine.all<{ code: string; base: number }>(
      `SELECT ${groupCode} AS code, sum(c.m * p.w ORDER BY p.b, p.a) AS base
      FROM ${PAIR} p JOIN ${COV} c ON c.b = p.b ${group} GROUP BY 1`,
      params,
    );
    // Rounded to a millionth below, so the order of this sum does not show.
    const lost = (await engine.one<{ areas: number; base: number | null }>(
      `WITH share AS (SELECT p.b, sum(p.w) AS w FROM ${PAIR} p ${group} GROUP BY 1)
      SELECT count(*) FILTER (WHERE coalesce(s.w, 0) = 0)::BIGINT AS areas, sum(c.m * (1 - coalesce(s.w, 0))) FILTER (WHERE coalesce(s.w, 0) < 1 - 1e-9) AS base
      FROM ${COV} c LEFT JOIN share s ON s.b = c.b WHERE c.reached`,
      params,
    ))!;
    return {
      base: new Map(rows.map((r) => [r.code, r.base])),
      method,
      hierarchy,
      excluded: { areas: cov.areas + lost.areas, base: round6((cov.base ?? 0) + (lost.base ?? 0)) },
    };
  } finally {
    await engine.run(`DROP TABLE IF EXISTS ${COV}`);
    await engine.run(`DROP TABLE IF EXISTS ${PAIR}`);
    if (within) await engine.run(`DROP TABLE IF EXISTS ${WITHIN}`);
  }
}

/** Maps each area up the hierarchy to its ancestor at `target`, or null if any area has no such ancestor. */
async function ancestorsOf(
  engine: Engine,
  codes: string[],
  from: AreaLevel,
  target: AreaLevel,
): Promise<Map<string, string> | null> {
  const links = await engine.all<{ code: string; level: string; parent: string; parent_level: string }>(
    `SELECT code, level, parent, parent_level FROM area WHERE parent IS NOT NULL AND parent_level IS NOT NULL AND level <> $1`,
    [target],
  );
  if (!links.some((l) => l.level === from)) return null;
  const up = new Map(links.map((l) => [`${l.level}:${l.code}`, l]));
  const out = new Map<string, string>();
  for (const code of codes) {
    let level: string = from;
    let c = code;
    for (let hop = 0; hop < 6 && level !== target; hop++) {
      const l = up.get(`${level}:${c}`);
      if (!l) break;
      c = l.parent;
      level = l.parent_level;
    }
    if (level !== target) return null;
    out.set(code, c);
  }
  return out;
}

/**
 * How much of the borough the base covers (issue 12, point 5): of the areas at the base's level
 * that the workspace's own geography names (its boundaries at that level, or else its area
 * lookup), how many some postcode in the directory reaches, and their share of the households (or
 * people). Null when the workspace names no such areas. A postcode directory that reaches only
 * part of the borough (an extract for one postcode area) leaves the rest out of every profile.
 */
export interface BaseCoverage {
  level: AreaLevel;
  /** where the borough's areas come from */
  from: 'boundaries' | 'areas';
  areas: number;
  reached: number;
  base: number;
  reachedBase: number;
}

export async function baseCoverage(
  engine: Engine,
  baseLevel: AreaLevel,
  measure: 'households' | 'population',
): Promise<BaseCoverage | null> {
  const lvl = ident(baseLevel);
  for (const [from, source] of [
    ['boundaries', `SELECT DISTINCT area_code AS code FROM boundary WHERE level = $1`],
    ['areas', `SELECT DISTINCT code FROM area WHERE level = $1`],
  ] as const) {
    const r = await engine.one<{ areas: number; reached: number; base: number | null; reached_base: number | null }>(
      `WITH borough AS (${source}),
            reached AS (SELECT DISTINCT ${lvl} AS code FROM postcode WHERE ${lvl} IS NOT NULL)
       SELECT count(*)::BIGINT AS areas, count(r.code)::BIGINT AS reached,
              sum(b.${ident(measure)}) AS base,
              sum(CASE WHEN r.code IS NOT NULL THEN b.${ident(measure)} END) AS reached_base
       FROM borough g LEFT JOIN reached r ON r.code = g.code
       LEFT JOIN area_base b ON b.area_code = g.code AND b.level = $1`,
      [baseLevel],
    );
    if (r && r.areas > 0)
      return {
        level: baseLevel,
        from,
        areas: r.areas,
        reached: r.reached,
        base: r.base ?? 0,
        reachedBase: r.reached_base ?? 0,
      };
  }
  return null;
}

/**
 * Why no postcode reaches the base, with the fix that works: when the directory has the other
 * census year's areas, say so, and whether the base's codes are that year's after all.
 */
async function unreachedBaseError(engine: Engine, baseLevel: AreaLevel): Promise<WorkspaceStateError> {
  const other = /11$/.test(baseLevel)
    ? baseLevel.replace(/11$/, '21')
    : /21$/.test(baseLevel)
      ? baseLevel.replace(/21$/, '11')
      : null;
  if (other) {
    const otherLevel = other as AreaLevel;
    const has = await engine.one(`SELECT 1 AS x FROM postcode WHERE ${ident(otherLevel)} IS NOT NULL LIMIT 1`);
    if (has) {
      const y = (l: string) => (l.endsWith('11') ? '2011' : '2021');
      const shared = (await engine.one<{ n: number; all: number }>(
        `SELECT count(*) FILTER (WHERE area_code IN (SELECT ${ident(otherLevel)} FROM postcode))::BIGINT AS n, count(*)::BIGINT AS all FROM area_base WHERE level = $1`,
        [baseLevel],
      ))!;
      return new WorkspaceStateError(
        `The base is by ${y(baseLevel)} areas (${baseLevel}) and the postcode directory gives only ${y(otherLevel)} areas (${otherLevel}), and none of the base's codes could be carried across.`,
        shared.n > 0
          ? `${shared.n} of the base's ${shared.all} codes are ${y(otherLevel)} codes in the directory: if the base file is of ${y(otherLevel)} areas, remove it (civic reference remove WORKSPACE --base ${baseLevel}) and import it again with --area-year ${y(otherLevel)}.`
          : `Import the ${y(baseLevel)} boundaries (civic reference import WORKSPACE --boundaries FILE --level ${baseLevel}) to place the postcodes in them, or a postcode directory with ${y(baseLevel)} areas.`,
      );
    }
  }
  return new WorkspaceStateError(
    `None of the postcodes has ${withArticle(baseLevel)} code, so the base cannot be related to the records.`,
    `Import the ${baseLevel} boundaries (civic reference import WORKSPACE --boundaries FILE --level ${baseLevel}) or a postcode directory with ${baseLevel} codes.`,
  );
}

/** The same kind of area in the other census year: oa11 for oa21 and the reverse; null for wards. */
function otherYearLevel(level: AreaLevel): AreaLevel | null {
  if (level.endsWith('11')) return level.replace(/11$/, '21') as AreaLevel;
  if (level.endsWith('21')) return level.replace(/21$/, '11') as AreaLevel;
  return null;
}
