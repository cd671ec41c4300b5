/**
 * Postcode by postcode: the base it holds, its segment, the area it is in and its users. Targeting
 * and campaign evaluation both build their areas from these rows, so an area's households, users
 * and centroid always come from the same postcodes.
 *
 * A postcode's base is its base area's households shared equally among that area's live postcodes
 * (all its postcodes if none is live) — the same sharing that profiles use when areas do not nest.
 * Summed over an area made of whole base areas it gives their households exactly.
 */
import { ParameterError, WorkspaceStateError } from '../core/index.ts';
import { type Engine, type SqlValue, ident, sqlFormatPostcode, sqlAnyValue } from '../store/index.ts';
import { AREA_LEVELS, countedPostcodesSql, parseLevel, withArticle, type AreaLevel } from '../geo/index.ts';
import { baseLevel, RECORD_COUNT, type CountSql } from '../profiling/index.ts';

export type TargetLevel = AreaLevel | 'postcode';

export function parseTargetLevel(input: string): TargetLevel {
  if (/^(postcode|postcodes|pc|unit)$/i.test(input.trim())) return 'postcode';
  const level = parseLevel(input);
  if (!level)
    throw new ParameterError(
      `Unknown area level "${input}".`,
      `Use ward, lsoa, oa, msoa or postcode (or one of: ${AREA_LEVELS.join(', ')}).`,
    );
  return level;
}

export interface PostcodeRow {
  /** compact key, "M154AB" */
  key: string;
  /** as written, "M15 4AB" */
  postcode: string;
  live: boolean;
  lat: number | null;
  lon: number | null;
  /** the area at the level asked for (the postcode itself at postcode level) */
  area: string;
  segment: string | null;
  base: number;
  users: number;
  /** the cell key of the postcode's users (the sum of their record keys, mod 256); null when the users came from elsewhere */
  usersKey: number | null;
}

export interface PostcodeRowsRequest {
  level: TargetLevel;
  measure: 'households' | 'population';
  /** segment of each postcode from this classification and tier (its area_level column) */
  segments?: { classification: string; tier: string; areaLevel: AreaLevel };
  /** users: matched records of this table */
  recordsTable: string;
  /** only the records this filter keeps (profiling's withRecordFilter: ` AND …` on alias d, parameters from $1) */
  recordsFilter?: { sql: string; params: SqlValue[] } | null;
  /** counts per postcode of the users to count; replaces the plain count when given */
  usersByKey?: ReadonlyMap<string, number>;
  /** count users as households or distinct customers (profiling's distinctCount) instead of records */
  distinct?: CountSql;
}

export async function postcodeRows(
  engine: Engine,
  req: PostcodeRowsRequest,
): Promise<{ rows: PostcodeRow[]; baseLevel: AreaLevel; noArea: number }> {
  const bl = await baseLevel(engine, req.measure);
  if (req.level !== 'postcode') {
    const placed = (await engine.one<{ n: number }>(`SELECT count(${ident(req.level)})::BIGINT AS n FROM postcode`))!.n;
    if (placed === 0) {
      throw new WorkspaceStateError(
        `None of the postcodes has ${withArticle(req.level)} code, so postcodes cannot be grouped by ${req.level}.`,
        `Import the ${req.level} boundaries (civic reference import WORKSPACE --boundaries FILE --level ${req.level}) or a postcode directory with that column.`,
      );
    }
  }
  const BL = ident(bl),
    M = ident(req.measure);
  const AL = req.level === 'postcode' ? 'pc_key' : ident(req.level);
  const CL = req.segments ? ident(req.segments.areaLevel) : 'NULL';
  const params = req.segments ? [bl, req.segments.classification, req.segments.tier] : [bl];
  const segJoin = req.segments
    ? `LEFT JOIN area_segment s ON s.classification = $2 AND s.tier = $3 AND s.area_code = pc.c`
    : '';
  const rows = await engine.all<{
    key: string;
    postcode: string;
    live: boolean;
    lat: number | null;
    lon: number | null;
    area: string | null;
    seg: string | null;
    base: number;
  }>(
    `
    WITH pc AS (SELECT pc_key, status, lat, lon, ${BL} AS b, ${CL} AS c, ${AL} AS a FROM postcode),
      share AS (SELECT pc.pc_key, 1.0 / count(*) OVER (PARTITION BY pc.b) AS w FROM ${countedPostcodesSql('pc', 'b', "status = 'live'")} pc),
      ab AS (SELECT area_code, sum(${M}) AS m FROM area_base WHERE level = $1 AND ${M} IS NOT NULL GROUP BY 1)
    SELECT pc.pc_key AS key, ${sqlFormatPostcode('pc.pc_key')} AS postcode, pc.status = 'live' AS live, pc.lat, pc.lon, pc.a AS area,
      ${req.segments ? 's.code' : 'NULL'} AS seg, coalesce(ab.m * share.w, 0)::DOUBLE AS base
    FROM pc LEFT JOIN share USING (pc_key) LEFT JOIN ab ON ab.area_code = pc.b ${segJoin}
    ORDER BY pc.pc_key`,
    params,
  );
  const counted = req.usersByKey
    ? null
    : await engine.all<{ k: string; n: number; rk: number }>(
        `SELECT d._pc_key AS k, ${(req.distinct ?? RECORD_COUNT).n}::BIGINT AS n, (${(req.distinct ?? RECORD_COUNT).k}) AS rk
         FROM ${ident(req.recordsTable)} d WHERE d._status = 'matched'${req.recordsFilter?.sql ?? ''} GROUP BY 1`,
        req.recordsFilter?.params ?? [],
      );
  const users = req.usersByKey ?? new Map(counted!.map((r) => [r.k, Number(r.n)]));
  const keys = new Map(counted?.map((r) => [r.k, Number(r.rk)]) ?? []);
  let noArea = 0;
  const out: PostcodeRow[] = [];
  for (const r of rows) {
    const n = users.get(r.key) ?? 0;
    if (r.area === null) {
      if (r.base > 0 || n > 0) noArea++;
      continue;
    }
    out.push({
      key: r.key,
      postcode: r.postcode,
      live: r.live,
      lat: r.lat,
      lon: r.lon,
      area: r.area,
      segment: r.seg,
      base: r.base,
      users: n,
      usersKey: req.usersByKey ? null : (keys.get(r.key) ?? 0),
    });
  }
  return { rows: out, baseLevel: bl, noArea };
}

/** Names of the areas at a level, from the area table (postcodes have none). */
export async function areaNames(engine: Engine, level: TargetLevel): Promise<Map<string, string | null>> {
  if (level === 'postcode') return new Map();
  return new Map(
    (
      await engine.all<{ code: string; name: string | null }>(
        `SELECT code, ${sqlAnyValue('name')} AS name FROM area WHERE level = $1 GROUP BY code`,
        [level],
      )
    ).map((r) => [r.code, r.name]),
  );
}

/**
 * Each area's centroid, weighted by population: the mean position of its live postcodes, each
 * weighted by the households it holds (plain mean if they hold none; all its postcodes if none is live).
 */
export function centroids(
  rows: readonly PostcodeRow[],
): Map<string, { lat: number; lon: number; livePostcodes: number }> {
  type Acc = { w: number; lat: number; lon: number; n: number };
  const acc = new Map<string, { weighted: Acc; plain: Acc; any: Acc; live: number }>();
  const add = (a: Acc, r: PostcodeRow, w: number) => {
    a.w += w;
    a.lat += w * r.lat!;
    a.lon += w * r.lon!;
    a.n++;
  };
  for (const r of rows) {
    if (r.lat === null || r.lon === null) continue;
    const a = acc.get(r.area) ?? {
      weighted: { w: 0, lat: 0, lon: 0, n: 0 },
      plain: { w: 0, lat: 0, lon: 0, n: 0 },
      any: { w: 0, lat: 0, lon: 0, n: 0 },
      live: 0,
    };
    add(a.any, r, 1);
    if (r.live) {
      add(a.plain, r, 1);
      if (r.base > 0) add(a.weighted, r, r.base);
      a.live++;
    }
    acc.set(r.area, a);
  }
  const out = new Map<string, { lat: number; lon: number; livePostcodes: number }>();
  for (const [area, a] of acc) {
    const use = a.weighted.w > 0 ? a.weighted : a.plain.w > 0 ? a.plain : a.any;
    out.set(area, { lat: use.lat / use.w, lon: use.lon / use.w, livePostcodes: a.live });
  }
  return out;
}
