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
import { WorkspaceStateError } from '../core/index.ts';
import { type Engine, ident } from '../store/index.ts';
import { LEVEL_TITLES, type AreaLevel } from '../geo/index.ts';

export interface BaseByGroup {
  base: Map<string, number>;
  method: string;
  /** base areas left out: no postcode reaches them, or none of their postcodes has a code at the level asked for */
  excluded: { areas: number; base: number };
}

export type Grouping = { kind: 'area'; level: AreaLevel } | { kind: 'segment'; classification: string; tier: string; level: AreaLevel };

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

export async function baseByGroup(engine: Engine, baseLevel: AreaLevel, measure: 'households' | 'population', g: Grouping): Promise<BaseByGroup> {
  const target = g.level;
  const placed = (await engine.one<{ n: number }>(`SELECT count(${ident(target)})::BIGINT AS n FROM postcode`))!.n;
  if (placed === 0) {
    throw new WorkspaceStateError(`None of the postcodes has a ${LEVEL_TITLES[target]} code, so records cannot be placed ${g.kind === 'segment' ? `in ${g.classification}` : `by ${target}`}.`,
      `Import the ${target} boundaries (civic reference import WORKSPACE --boundaries FILE --level ${target}) or a postcode directory with that column.`);
  }
  const all = await engine.all<{ code: string; m: number; reached: boolean }>(
    `SELECT ab.area_code AS code, ab.${ident(measure)} AS m, EXISTS (SELECT 1 FROM postcode p WHERE p.${ident(baseLevel)} = ab.area_code) AS reached
     FROM area_base ab WHERE ab.level = $1 AND ab.${ident(measure)} IS NOT NULL ORDER BY ab.area_code`, [baseLevel]);
  const covered = all.filter((a) => a.reached);
  if (!covered.length) {
    throw new WorkspaceStateError(`None of the postcodes has a ${LEVEL_TITLES[baseLevel]} code, so the base cannot be related to the records.`,
      `Import the ${baseLevel} boundaries or a postcode directory with ${baseLevel} codes.`);
  }
  const excluded = { areas: all.length - covered.length, base: all.filter((a) => !a.reached).reduce((s, a) => s + a.m, 0) };

  // Base area → (target area, weight) pairs.
  let pairs: { b: string; a: string; w: number }[];
  let method: string;
  if (target === baseLevel) {
    pairs = covered.map((c) => ({ b: c.code, a: c.code, w: 1 }));
    method = `${measure} per ${baseLevel}`;
  } else {
    const viaHierarchy = await ancestorsOf(engine, covered.map((c) => c.code), baseLevel, target);
    if (viaHierarchy) {
      pairs = covered.map((c) => ({ b: c.code, a: viaHierarchy.get(c.code)!, w: 1 }));
      method = `${measure} per ${baseLevel}, summed to ${target} through the area hierarchy`;
    } else {
      const rows = await engine.all<{ b: string; a: string; n: number }>(
        `WITH pc AS (SELECT ${ident(baseLevel)} AS b, ${ident(target)} AS a, status FROM postcode WHERE ${ident(baseLevel)} IS NOT NULL AND ${ident(target)} IS NOT NULL),
           live AS (SELECT b, bool_or(status = 'live') AS has_live FROM pc GROUP BY b)
         SELECT pc.b, pc.a, count(*)::BIGINT AS n FROM pc JOIN live USING (b) WHERE pc.status = 'live' OR NOT live.has_live GROUP BY 1, 2 ORDER BY 1, 2`);
      const totals = new Map<string, number>();
      for (const r of rows) totals.set(r.b, (totals.get(r.b) ?? 0) + r.n);
      pairs = rows.map((r) => ({ b: r.b, a: r.a, w: r.n / totals.get(r.b)! }));
      method = `${measure} per ${baseLevel}, shared out to ${g.kind === 'segment' ? `${g.classification} (${target})` : target} by each area's share of live postcodes`;
    }
  }
  // Target area → group (segment code, or the area itself).
  let groupOf: (a: string) => string | undefined = (a) => a;
  if (g.kind === 'segment') {
    const seg = new Map((await engine.all<{ area_code: string; code: string }>(
      `SELECT area_code, code FROM area_segment WHERE classification = $1 AND tier = $2`, [g.classification, g.tier])).map((r) => [r.area_code, r.code]));
    groupOf = (a) => seg.get(a);
  }
  const measureOf = new Map(covered.map((c) => [c.code, c.m]));
  const base = new Map<string, number>();
  const placedShare = new Map<string, number>();
  for (const p of pairs) {
    const grp = groupOf(p.a);
    if (grp === undefined) continue;
    base.set(grp, (base.get(grp) ?? 0) + measureOf.get(p.b)! * p.w);
    placedShare.set(p.b, (placedShare.get(p.b) ?? 0) + p.w);
  }
  for (const c of covered) {
    const share = placedShare.get(c.code) ?? 0;
    if (share < 1 - 1e-9) {
      excluded.base += c.m * (1 - share);
      if (share === 0) excluded.areas++;
    }
  }
  excluded.base = round6(excluded.base);
  return { base, method, excluded };
}

/** Maps each area up the hierarchy to its ancestor at `target`, or null if any area has no such ancestor. */
async function ancestorsOf(engine: Engine, codes: string[], from: AreaLevel, target: AreaLevel): Promise<Map<string, string> | null> {
  const links = await engine.all<{ code: string; level: string; parent: string; parent_level: string }>(
    `SELECT code, level, parent, parent_level FROM area WHERE parent IS NOT NULL AND parent_level IS NOT NULL`);
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
