/**
 * C5: profile a dataset against the base, by segment (any tier of any classification) or by area.
 * When the classification's areas and the base's areas are from different census years (OAC 2011
 * against 2021 household counts), the base is apportioned through postcodes: each base area's
 * households are shared among the segments of its live postcodes.
 */
import {
  NotFoundError,
  ParameterError,
  WorkspaceStateError,
  DEFAULT_BANDS,
  cellKeyOf,
  type BandDefinition,
} from '../core/index.ts';
import { type Engine, type SqlValue, ident, literal, sqlAnyValue } from '../store/index.ts';
import { AREA_LEVELS, parseLevel, type AreaLevel } from '../geo/index.ts';
import { computeProfile, type ProfileCell } from './compute.ts';
import { missingDataset, datasetColumn } from '../intake/index.ts';
import { recordFilterSql, dropPeriodTable, emptyPeriodError } from './filter.ts';
import { BLANK_VALUE, filterParts, type RecordFilter } from './specs.ts';
import { areaWithin, baseByGroup, baseCoverage, type AreaWithin } from './base.ts';
import { PROFILE_RESULT_VERSION, type ProfileResult } from './result.ts';

export interface ProfileRequest {
  dataset: string;
  classification?: string;
  /** tier of the classification, e.g. "group"; the top tier when omitted */
  tier?: string;
  /** profile by area at this level instead of by segment */
  byArea?: string;
  base?: 'households' | 'population';
  /** The level of the base to use when the workspace has several (e.g. oa21 or oa11); the finest the postcodes reach by default. */
  baseLevel?: string;
  bands?: readonly BandDefinition[];
  /** only records whose column has one of these values, e.g. payment_method = Direct Debit */
  where?: RecordFilter;
  /** count distinct values of this column (a customer or household reference) instead of records */
  distinct?: string;
  /**
   * only this area (a ward, a district): records at its postcodes, against the base inside it.
   * Unmatched and rejected records cannot be placed in an area, so they are not counted.
   */
  area?: { level: string; code: string };
}

export interface DatasetRow {
  name: string;
  table_name: string;
  columns: string;
  read_count: number;
  unmatched: number;
  rejected: number;
}

export async function getDataset(engine: Engine, name: string): Promise<DatasetRow> {
  const ds = await engine.one<DatasetRow & Record<string, SqlValue>>(
    `SELECT name, table_name, columns, read_count, unmatched, rejected FROM dataset WHERE name = $1`,
    [name],
  );
  if (!ds) throw await missingDataset(engine, name);
  return ds;
}

/** `--distinct household`: the records at one property reference are one household (issue 13). */
export const HOUSEHOLD = 'household';
const HOUSEHOLD_COLUMN = '_property';

/** Whether a dataset was imported with addresses or UPRNs, so its records have property references. */
export async function hasProperties(engine: Engine, dataset: string): Promise<boolean> {
  const r = await engine.one<{ a: string | null }>(`SELECT addressing AS a FROM dataset WHERE name = $1`, [dataset]);
  return Boolean(r?.a);
}

/**
 * The column whose distinct values are counted: a column of the dataset, or for "household" the
 * records' property references (a dataset's own column called household wins, as it always has).
 */
export async function distinctColumn(engine: Engine, ds: DatasetRow, wanted: string): Promise<string> {
  if (wanted.trim().toLowerCase() === HOUSEHOLD) {
    if (await hasProperties(engine, ds.name)) return HOUSEHOLD_COLUMN;
    const own = (JSON.parse(ds.columns) as string[]).find((c) => c.toLowerCase() === HOUSEHOLD);
    if (own) return own;
    throw new ParameterError(
      `${ds.name} was imported without addresses, so its households are not known.`,
      `Import it again with --address-columns "Address 1,Address 2,Town" (or --uprn-column COLUMN) to give each record a property reference, or count distinct values of one of its columns with --distinct COLUMN.`,
    );
  }
  return datasetColumn(ds.columns, wanted);
}

/** The classification to use when none is named: the first proper classification imported. */
export async function defaultClassification(
  engine: Engine,
): Promise<{ name: string; area_level: string; tiers: string } | undefined> {
  return engine.one(
    `SELECT name, area_level, tiers FROM classification ORDER BY kind = 'classification' DESC, imported_at LIMIT 1`,
  );
}

/** The finest level holding the measure's counts (the base): it gives the best apportioning. */
export async function baseLevel(
  engine: Engine,
  measure: 'households' | 'population' = 'households',
  asked?: string,
): Promise<AreaLevel> {
  const levels = await baseLevels(engine, measure);
  if (!levels.length) {
    throw new WorkspaceStateError(
      `The workspace has no ${measure === 'households' ? 'household' : 'population'} counts per area (the base).`,
      `Import them first, e.g. civic reference import WORKSPACE --base ${measure === 'households' ? 'ts041.csv' : 'ts001.csv'}`,
    );
  }
  if (asked) {
    const level = parseLevel(asked);
    const have = levels.find((l) => l.level === level);
    if (!have)
      throw new ParameterError(
        `The workspace has no base of ${measure} by ${level ?? asked}.`,
        `Its bases of ${measure}: ${levels.map(describeBase).join('; ')}. Choose one of those levels.`,
      );
    return have.level;
  }
  // With several, the one that reaches the most postcodes, the finest of those: a 2021 base is
  // no use to a directory of 2011 areas when a 2011 base is there too, and only part of one when
  // the postcodes were carried across to 2021 areas by unchanged codes.
  const most = Math.max(...levels.map((l) => l.postcodes));
  return (levels.find((l) => l.postcodes === most && most > 0) ?? levels[0]).level;
}

/** A base in words: "oa21 (738 areas, from ts041.csv)". */
function describeBase(b: BaseSummary): string {
  return `${b.level} (${b.areas} areas${b.sources.length ? `, from ${b.sources.join(', ')}` : ''}${b.reached ? '' : '; no postcode reaches them'})`;
}

export interface BaseSummary {
  level: AreaLevel;
  areas: number;
  sources: string[];
  /** Whether any postcode of the directory is in one of its areas, and how many are. */
  reached: boolean;
  postcodes: number;
}

/** The bases of a measure the workspace holds, finest level first. */
export async function baseLevels(engine: Engine, measure: 'households' | 'population'): Promise<BaseSummary[]> {
  const rows = await engine.all<{ level: string; areas: number; sources: string }>(
    `SELECT level, count(*)::BIGINT AS areas, string_agg(DISTINCT coalesce(source, ''), '|' ORDER BY coalesce(source, '')) AS sources
     FROM area_base WHERE ${ident(measure)} IS NOT NULL GROUP BY level`,
  );
  const out: BaseSummary[] = [];
  for (const l of AREA_LEVELS) {
    const r = rows.find((x) => x.level === l);
    if (!r) continue;
    const postcodes = (await engine.one<{ n: number }>(
      `SELECT count(*)::BIGINT AS n FROM postcode WHERE ${ident(l)} IN (SELECT area_code FROM area_base WHERE level = $1)`,
      [l],
    ))!.n;
    out.push({
      level: l,
      areas: r.areas,
      sources: r.sources.split('|').filter(Boolean),
      reached: postcodes > 0,
      postcodes,
    });
  }
  return out;
}

/**
 * A classification and one of its tiers by name (tier names matched without regard to case), or the
 * default classification's top tier; null when the workspace has none and none was asked for.
 */
export async function resolveClassification(
  engine: Engine,
  name?: string,
  tierAsked?: string,
): Promise<{ name: string; tier: string; level: AreaLevel } | null> {
  const cls = name
    ? await engine.one<{ name: string; area_level: string; tiers: string }>(
        `SELECT name, area_level, tiers FROM classification WHERE name = $1`,
        [name],
      )
    : await defaultClassification(engine);
  if (!cls) {
    if (!name) return null;
    const all = (await engine.all<{ name: string }>(`SELECT name FROM classification ORDER BY name`)).map(
      (r) => r.name,
    );
    throw new NotFoundError(
      `There is no classification called "${name}".`,
      all.length
        ? `Classifications: ${all.join(', ')}.`
        : 'Import one with: civic reference import WORKSPACE --classification FILE',
    );
  }
  const tiers: string[] = JSON.parse(cls.tiers);
  const tier = tierAsked ? tiers.find((t) => t.toLowerCase() === tierAsked.toLowerCase()) : tiers[0];
  if (!tier)
    throw new ParameterError(
      `The classification ${cls.name} has no tier "${tierAsked}".`,
      `Tiers: ${tiers.join(', ')}.`,
    );
  return { name: cls.name, tier, level: cls.area_level as AreaLevel };
}

async function segmentLookup(
  engine: Engine,
  classification: string,
  tier: string,
): Promise<(a: string) => string | undefined> {
  const m = new Map(
    (
      await engine.all<{ area_code: string; code: string }>(
        `SELECT area_code, code FROM area_segment WHERE classification = $1 AND tier = $2`,
        [classification, tier],
      )
    ).map((r) => [r.area_code, r.code]),
  );
  return (a) => m.get(a);
}

/**
 * Records per group. When the base was summed through the area hierarchy, records take the same
 * path (postcode → base area → its parent), so a record and its household are counted in the same
 * area even where the directory's own code for the parent disagrees.
 */
async function countRecords(
  engine: Engine,
  records: string,
  count: CountSql,
  filterSql: string,
  params: SqlValue[],
  baseLevel: AreaLevel,
  target: AreaLevel,
  hierarchy: Map<string, string> | null,
  groupOf: (area: string) => string | undefined,
): Promise<{ code: string; n: number; k: number }[]> {
  const rows = await engine.all<{ b: string | null; a: string | null; n: number; k: number }>(
    `SELECT p.${ident(baseLevel)} AS b, p.${ident(target)} AS a, ${count.n}::BIGINT AS n, ${count.k} AS k FROM ${records} WHERE d._status = 'matched'${filterSql} GROUP BY 1, 2`,
    params,
  );
  const out = new Map<string, { n: number; k: number }>();
  for (const r of rows) {
    const area = (hierarchy && r.b !== null ? hierarchy.get(r.b) : undefined) ?? r.a;
    const group = area === null ? undefined : groupOf(area);
    if (group === undefined) continue;
    const t = out.get(group) ?? { n: 0, k: 0 };
    t.n += r.n;
    t.k = cellKeyOf(t.k + r.k);
    out.set(group, t);
  }
  return [...out].map(([code, t]) => ({ code, ...t }));
}

/**
 * How a cell is counted: `n` the count (records, or distinct customers) and `k` the cell's key for
 * disclosure control (the sum of its records' keys modulo 256; a customer's key comes from their
 * reference, so the same customers give the same key in every table).
 */
export interface CountSql {
  n: string;
  k: string;
}

/** Records counted one by one; a cell's key is the sum of its records' keys. */
export const RECORD_COUNT: CountSql = { n: 'count(*)', k: `(coalesce(sum(d._rkey), 0) % 256)::BIGINT` };

/**
 * Counting households or distinct customers (`--distinct`), over records aliased `d`: each distinct
 * value once, and each record with none as one of its own; a customer's key comes from a keyed hash
 * of the value with the dataset's salt. `countOf` is "household" or the column's name.
 */
export async function distinctCount(
  engine: Engine,
  ds: DatasetRow,
  wanted: string,
): Promise<CountSql & { column: string; countOf: string }> {
  const column = await distinctColumn(engine, ds, wanted);
  const salt =
    (await engine.one<{ s: number }>(`SELECT key_salt AS s FROM dataset_disclosure WHERE dataset = $1`, [ds.name]))
      ?.s ?? 0;
  const v = `d.${ident(column)}`;
  return {
    column,
    countOf: column === HOUSEHOLD_COLUMN ? HOUSEHOLD : column,
    n: `(count(DISTINCT ${v}) + count(*) FILTER (WHERE ${v} IS NULL))`,
    k: `((coalesce(sum(DISTINCT md5_number_lower('${Math.trunc(salt)}|' || ${v}::VARCHAR)), 0) + coalesce(sum(d._rkey) FILTER (WHERE ${v} IS NULL), 0)) % 256)::BIGINT`,
  };
}

/**
 * For the data's owner only: when a filter matches no record, an error that says so and lists the
 * column's most common values (which quotes the data). A profile itself never refuses an empty
 * filter — it answers with every cell empty — so that nobody else can use it to learn whether a
 * value is in the data.
 */
export async function checkFilterMatches(engine: Engine, dataset: string, where: RecordFilter): Promise<void> {
  return engine.transaction(() => filterMatchesAlone(engine, dataset, where));
}

async function filterMatchesAlone(engine: Engine, dataset: string, where: RecordFilter): Promise<void> {
  const parts = filterParts(where);
  if (parts.length > 1) {
    // Each part alone first, so the message names the one that matches nothing; then all together.
    for (const p of parts) await filterMatchesAlone(engine, dataset, { ...p, also: undefined });
    const ds = await getDataset(engine, dataset);
    const f = await recordFilterSql(engine, ds, where, 1);
    try {
      const any = await engine.one(`SELECT 1 AS x FROM ${ident(ds.table_name)} d WHERE true${f.sql} LIMIT 1`, f.params);
      if (!any)
        throw new ParameterError(
          `No record has ${f.text}.`,
          'Each of the filters matches records on its own, but no record matches them all: leave one out.',
        );
    } finally {
      await dropPeriodTable(engine);
    }
    return;
  }
  const ds = await getDataset(engine, dataset);
  const f = await recordFilterSql(engine, ds, where, 1);
  try {
    if (f.dates && !f.dates.values.length) throw emptyPeriodError(f.column, f.dates);
    const any = await engine.one(`SELECT 1 AS x FROM ${ident(ds.table_name)} d WHERE true${f.sql} LIMIT 1`, f.params);
    if (!any) {
      const common = await engine.all<{ v: string | null; n: number }>(
        `SELECT ${ident(f.column)} AS v, count(*)::BIGINT AS n FROM ${ident(ds.table_name)} GROUP BY 1 ORDER BY n DESC, v LIMIT 8`,
      );
      throw new ParameterError(
        `No record has ${f.text}.`,
        `The most common values of ${f.column}: ${common.map((c) => (c.v === null ? BLANK_VALUE : `"${c.v}"`)).join(', ')}.`,
      );
    }
  } finally {
    await dropPeriodTable(engine);
  }
}

/**
 * Profiles run in a transaction of their own: their working tables (base_cov, base_pair …) have
 * fixed names on the workspace's one connection, so two profiles at once (two web requests) must
 * not interleave. The engine makes other callers wait while a transaction runs.
 */
export async function profileDataset(engine: Engine, req: ProfileRequest): Promise<ProfileResult> {
  return engine.transaction(() => profileDatasetAlone(engine, req));
}

async function profileDatasetAlone(engine: Engine, req: ProfileRequest): Promise<ProfileResult> {
  const ds = await getDataset(engine, req.dataset);
  const measure = req.base ?? 'households';
  if (measure !== 'households' && measure !== 'population')
    throw new ParameterError(`Unknown base "${measure}".`, 'Use --base households or --base population.');
  const bands = req.bands ?? DEFAULT_BANDS;
  const baseLevelOfMeasure = await baseLevel(engine, measure, req.baseLevel);
  let within: AreaWithin | undefined;
  if (req.area) {
    const areaLevel = parseLevel(req.area.level);
    if (!areaLevel)
      throw new ParameterError(
        `Unknown area level "${req.area.level}".`,
        `Use one of: ${AREA_LEVELS.join(', ')} (or oa, lsoa, msoa).`,
      );
    within = await areaWithin(engine, baseLevelOfMeasure, areaLevel, req.area.code.trim());
    // The records' side of the area, kept in a table of its own while the profile runs.
    await engine.run(`CREATE OR REPLACE TEMP TABLE profile_area (code VARCHAR)`);
    await engine.append(
      'profile_area',
      within.recordsIn.map((c) => [c]),
    );
  }
  try {
    return await profileWithin(engine, req, ds, measure, bands, baseLevelOfMeasure, within);
  } finally {
    if (within) await engine.run(`DROP TABLE IF EXISTS profile_area`);
    if (req.where) await dropPeriodTable(engine);
  }
}

async function profileWithin(
  engine: Engine,
  req: ProfileRequest,
  ds: DatasetRow,
  measure: 'households' | 'population',
  bands: readonly BandDefinition[],
  baseLevel: AreaLevel,
  within: AreaWithin | undefined,
): Promise<ProfileResult> {
  const t = ident(ds.table_name);

  const params: SqlValue[] = [];
  let filterSql = '';
  let filterText: string | null = null;
  if (req.where) {
    const f = await recordFilterSql(engine, ds, req.where, params.length + 1);
    filterSql = f.sql;
    params.push(...f.params);
    filterText = f.text;
  }
  // Only records in areas that have a base figure are counted: a record in an area the base file
  // has no households (or people) for has no rate to join, and would inflate another area's or
  // segment's. Those records are counted apart (notPlaced.noBase) and said in the notes.
  const inBase = `p.${ident(baseLevel)} IN (SELECT area_code FROM area_base WHERE level = ${literal(baseLevel)} AND ${ident(measure)} > 0)`;
  const placed = within
    ? `${t} d JOIN postcode p ON p.pc_key = d._pc_key AND p.${ident(within.recordsBy)} IN (SELECT code FROM profile_area)`
    : `${t} d JOIN postcode p ON p.pc_key = d._pc_key`;
  const records = `${placed} AND ${inBase}`;
  let count: CountSql = RECORD_COUNT;
  let countOf: string | null = null;
  if (req.distinct) ({ countOf, ...count } = await distinctCount(engine, ds, req.distinct));

  let cells: ProfileCell[];
  let level: string,
    kind: 'segment' | 'area',
    classification: string | null = null,
    baseMethod: string;
  let placedCount: number;
  let excluded: { areas: number; base: number } = { areas: 0, base: 0 };

  if (req.byArea) {
    const areaLevel = parseLevel(req.byArea);
    if (!areaLevel)
      throw new ParameterError(
        `Unknown area level "${req.byArea}".`,
        `Use one of: ${AREA_LEVELS.join(', ')} (or oa, lsoa, msoa).`,
      );
    level = areaLevel;
    kind = 'area';
    const b = await baseByGroup(engine, baseLevel, measure, { kind: 'area', level: areaLevel }, within?.share);
    const counts = await countRecords(
      engine,
      records,
      count,
      filterSql,
      params,
      baseLevel,
      areaLevel,
      b.hierarchy,
      (a) => a,
    );
    baseMethod = b.method;
    excluded = b.excluded;
    const bases = [...b.base].map(([code, base]) => ({ code, base }));
    const names = new Map(
      (
        await engine.all<{ code: string; name: string | null }>(
          `SELECT code, ${sqlAnyValue('name')} AS name FROM area WHERE level = $1 GROUP BY code`,
          [areaLevel],
        )
      ).map((r) => [r.code, r.name]),
    );
    const byCode = new Map<string, ProfileCell>();
    for (const b of bases)
      byCode.set(b.code, { code: b.code, name: names.get(b.code) ?? null, count: 0, key: 0, base: b.base ?? 0 });
    for (const c of counts) {
      const cell = byCode.get(c.code) ?? { code: c.code, name: names.get(c.code) ?? null, count: 0, key: 0, base: 0 };
      cell.count = c.n;
      cell.key = c.k;
      byCode.set(c.code, cell);
    }
    cells = [...byCode.values()].sort((a, b) => a.code.localeCompare(b.code, 'en', { numeric: true }));
    placedCount = counts.reduce((s, c) => s + c.n, 0);
  } else {
    const cls = req.classification
      ? await engine.one<{ name: string; area_level: string; tiers: string }>(
          `SELECT name, area_level, tiers FROM classification WHERE name = $1`,
          [req.classification],
        )
      : await defaultClassification(engine);
    if (!cls) {
      const all = (await engine.all<{ name: string }>(`SELECT name FROM classification`)).map((r) => r.name);
      throw new NotFoundError(
        req.classification
          ? `There is no classification called "${req.classification}".`
          : 'The workspace has no classification yet.',
        all.length
          ? `Classifications: ${all.join(', ')}.`
          : 'Import one with: civic reference import WORKSPACE --classification FILE',
      );
    }
    const tiers: string[] = JSON.parse(cls.tiers);
    const tier = req.tier ? tiers.find((x) => x.toLowerCase() === req.tier!.toLowerCase()) : tiers[0];
    if (!tier)
      throw new ParameterError(
        `The classification ${cls.name} has no tier "${req.tier}".`,
        `Tiers: ${tiers.join(', ')}.`,
      );
    level = tier;
    kind = 'segment';
    classification = cls.name;
    const clsLevel = cls.area_level as AreaLevel;
    const segJoin = `JOIN area_segment s ON s.classification = ${literal(cls.name)} AND s.tier = ${literal(tier)} AND s.area_code = p.${ident(clsLevel)}`;
    const b = await baseByGroup(
      engine,
      baseLevel,
      measure,
      { kind: 'segment', classification: cls.name, tier, level: clsLevel },
      within?.share,
    );
    const counts = b.hierarchy
      ? await countRecords(
          engine,
          records,
          count,
          filterSql,
          params,
          baseLevel,
          clsLevel,
          b.hierarchy,
          await segmentLookup(engine, cls.name, tier),
        )
      : await engine.all<{ code: string; n: number; k: number }>(
          `SELECT s.code, ${count.n}::BIGINT AS n, ${count.k} AS k FROM ${records} ${segJoin} WHERE d._status = 'matched'${filterSql} GROUP BY 1`,
          params,
        );
    baseMethod = b.method;
    excluded = b.excluded;
    const bases = [...b.base].map(([code, base]) => ({ code, base }));
    const segs = await engine.all<{ code: string; name: string | null }>(
      `SELECT code, name FROM segment WHERE classification = $1 AND tier = $2 ORDER BY ordinal, code`,
      [cls.name, tier],
    );
    const countBy = new Map(counts.map((c) => [c.code, c]));
    const baseBy = new Map(bases.map((b) => [b.code, b.base ?? 0]));
    cells = segs.map((s) => ({
      code: s.code,
      name: s.name,
      count: countBy.get(s.code)?.n ?? 0,
      key: countBy.get(s.code)?.k ?? 0,
      base: baseBy.get(s.code) ?? 0,
    }));
    placedCount = counts.reduce((s, c) => s + c.n, 0);
  }

  const matchedAll = (await engine.one<{ n: number }>(
    `SELECT ${count.n}::BIGINT AS n FROM ${within ? records : `${t} d`} WHERE d._status = 'matched'${filterSql}`,
    params,
  ))!.n;
  // The key of the records the profile leaves out: every record it could have counted, less those placed.
  const allKey = (await engine.one<{ k: number }>(
    `SELECT ${count.k} AS k FROM ${within ? records : `${t} d`} WHERE ${within ? `d._status = 'matched'` : 'true'}${filterSql}`,
    params,
  ))!.k;
  const placedKey = cells.reduce((s, c) => cellKeyOf(s + (c.key ?? 0)), 0);
  // Records whose postcode could not be matched cannot be placed in an area, so an area's profile leaves them out.
  const filteredIssues = within
    ? { u: 0, r: 0 }
    : req.where || req.distinct
      ? (await engine.one<{ u: number; r: number }>(
          `SELECT (SELECT ${count.n} FROM ${t} d WHERE d._status = 'unmatched'${filterSql})::BIGINT AS u,
        (SELECT ${count.n} FROM ${t} d WHERE d._status = 'rejected'${filterSql})::BIGINT AS r`,
          params,
        ))!
      : { u: ds.unmatched, r: ds.rejected };
  const noBase = (await engine.one<{ n: number }>(
    `SELECT ${count.n}::BIGINT AS n FROM ${placed} AND NOT coalesce(${inBase}, false) WHERE d._status = 'matched'${filterSql}`,
    params,
  ))!.n;
  // Said only when the directory leaves part of the borough out (not for one area's profile).
  const coverage = within ? null : await baseCoverage(engine, baseLevel, measure);
  const computed = computeProfile(cells, bands);
  // Counting distinct customers, one who appears in two areas counts in both: never below zero.
  const noSegment = Math.max(0, matchedAll - placedCount - noBase);
  return {
    version: PROFILE_RESULT_VERSION,
    dataset: ds.name,
    level,
    kind,
    classification,
    baseMeasure: measure,
    baseMethod: within ? `${baseMethod}; ${within.method}` : baseMethod,
    filter: filterText,
    countOf,
    rows: computed.rows,
    total: computed.total,
    unmatched: filteredIssues.u + filteredIssues.r + noBase + noSegment,
    // Counting distinct customers, the left-out customers are not a set of records with one key.
    unmatchedKey: countOf ? null : cellKeyOf(allKey - placedKey),
    notPlaced: { unmatched: filteredIssues.u, rejected: filteredIssues.r, noBase, noSegment },
    baseExcluded: excluded.areas > 0 || excluded.base > 0 ? excluded : null,
    coverage: coverage && coverage.reached < coverage.areas ? coverage : null,
    bands: bands.map((b) => ({ name: b.name, min: Number.isFinite(b.min) ? b.min : null })),
    disclosure: null,
  };
}
