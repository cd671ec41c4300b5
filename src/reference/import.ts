/**
 * One reference import, in the order the pieces depend on each other: areas and boundaries first
 * (so postcodes lacking area codes can be placed), then postcodes, base, classifications and
 * deprivation. Each piece is its own transaction; a failing piece stops the rest and says which.
 */
import { type Engine, sqlAnyValue, sqlTryNumber } from '../store/index.ts';
import { dropLoaded, loadQuery } from './csv.ts';
import { InputError, ParameterError } from '../core/index.ts';
import { AREA_LEVELS } from '../geo/index.ts';
import {
  importAreas,
  importBoundaries,
  assignPostcodesByBoundaries,
  fillPostcodeLevelsFromHierarchy,
  type AreasImportResult,
  type BoundaryImportResult,
} from './areas.ts';
import {
  stagePostcodes,
  commitPostcodes,
  dropStagedPostcodes,
  type StagedPostcodes,
  type PostcodeImportResult,
} from './postcodes.ts';
import { importBase, type BaseImportResult, type BaseSum } from './base.ts';
import type { BaseMeasure } from './base-rows.ts';
import {
  importClassification,
  importSegmentNames,
  type ClassificationImportResult,
  type SegmentNamesResult,
} from './classification.ts';
import { importDeprivation, type DeprivationImportResult } from './deprivation.ts';
import { bridgeUnchangedCodes, type YearBridge } from './years.ts';

export interface ReferenceImportRequest {
  postcodes?: string;
  postcodeMap?: Record<string, string>;
  areas?: string[];
  base?: string[];
  baseLevel?: string;
  /** counts made by adding columns of every --base file (population=m+f), or indicators of a long file */
  baseSum?: BaseSum[];
  /**
   * In a --base file with one row per household or person (one listing areas more than once), the
   * measure each row counts as 1 (`--base-rows households`); its --base-sum columns are 0/1 columns added up per area.
   */
  baseRows?: BaseMeasure;
  /** GeoJSON files or shapefiles; codeProperty names the property holding this file's area codes */
  boundaries?: { file: string; level: string; codeProperty?: string }[];
  /** property holding area codes in every boundary file that names none of its own, when not found by name */
  codeProperty?: string;
  classification?: string[];
  classificationName?: string;
  /**
   * Import the classification boundary files carry as properties (the CDRC's OAC codes): true to
   * find its tiers by name (supgrpcode, grpcode, subgrpcode …), or the properties, broadest first.
   */
  classificationFromBoundaries?: boolean | string[];
  segments?: string[];
  deprivation?: string[];
  deprivationName?: string;
  areaYear?: '11' | '21';
  onStep?: (step: string) => void;
}

export interface ReferenceImportResult {
  areas: AreasImportResult[];
  boundaries: BoundaryImportResult[];
  postcodes?: PostcodeImportResult & {
    placedByBoundaries: { level: string; assigned: number; within: number; nearest: number; unassigned: number }[];
  };
  base: BaseImportResult[];
  classifications: ClassificationImportResult[];
  segments: SegmentNamesResult[];
  deprivation: DeprivationImportResult[];
  /** Postcodes given a code of the other census year because their area's code did not change. */
  bridges?: YearBridge[];
}

export async function importReference(engine: Engine, req: ReferenceImportRequest): Promise<ReferenceImportResult> {
  const step = req.onStep ?? (() => {});
  const nothing =
    !req.postcodes &&
    !req.areas?.length &&
    !req.base?.length &&
    !req.boundaries?.length &&
    !req.classification?.length &&
    !req.segments?.length &&
    !req.deprivation?.length;
  if (nothing)
    throw new ParameterError(
      'Nothing to import.',
      'Name at least one file, e.g. --postcodes ONSPD.csv or --base ts041.csv.',
    );
  const twice = req.baseRows && req.baseSum?.find((x) => x.field === req.baseRows);
  if (twice)
    throw new ParameterError(
      `--base-rows ${req.baseRows} and --base-sum ${req.baseRows}=${twice.terms.join('+')} both say how to count ${req.baseRows}.`,
      `Give one: --base-rows ${req.baseRows} counts every row as one; --base-sum ${req.baseRows}=${twice.terms.join('+')} counts the rows with 1 in ${twice.terms.length > 1 ? 'those columns' : 'that column'}.`,
    );
  // The postcode directory (the big one) is read and checked before the transaction starts;
  // then one transaction for the whole request: if any file is refused, none of them is imported.
  if (req.postcodes) step(`postcodes ${req.postcodes}`);
  const staged = req.postcodes
    ? await stagePostcodes(engine, req.postcodes, { map: req.postcodeMap, areaYear: req.areaYear })
    : null;
  try {
    return await engine.transaction(() => importAll(engine, req, step, staged));
  } finally {
    if (staged) await dropStagedPostcodes(engine, staged);
  }
}

async function importAll(
  engine: Engine,
  req: ReferenceImportRequest,
  step: (s: string) => void,
  staged: StagedPostcodes | null,
): Promise<ReferenceImportResult> {
  const out: ReferenceImportResult = {
    areas: [],
    boundaries: [],
    base: [],
    classifications: [],
    segments: [],
    deprivation: [],
  };
  for (const f of req.areas ?? []) {
    step(`areas ${f}`);
    out.areas.push(await importAreas(engine, f, { areaYear: req.areaYear }));
  }
  const fromBoundaries = req.classificationFromBoundaries;
  for (const b of req.boundaries ?? []) {
    step(`boundaries ${b.file}`);
    const r = await importBoundaries(engine, b.file, b.level, {
      codeProperty: b.codeProperty ?? req.codeProperty,
      classification: fromBoundaries
        ? {
            properties: Array.isArray(fromBoundaries) ? fromBoundaries : undefined,
            name: req.classification?.length ? undefined : req.classificationName,
            optional: !Array.isArray(fromBoundaries) && (req.boundaries?.length ?? 0) > 1,
          }
        : undefined,
    });
    out.boundaries.push(r);
    if (r.classification) out.classifications.push(r.classification);
    if (r.segmentNames) out.segments.push(r.segmentNames);
  }
  if (fromBoundaries && (req.boundaries?.length ?? 0) > 1 && !out.boundaries.some((b) => b.classification))
    throw new InputError('None of the boundary files carries a classification.', {
      code: 'reference_columns',
      fix: `Their properties: ${out.boundaries.map((b) => `${b.file}: ${b.classificationProperties.join(', ') || 'none that look like tiers'}`).join('; ')}. Name the properties holding its tiers, broadest first, e.g. --classification-from-boundaries supgrpcode,grpcode,subgrpcode.`,
    });
  if (staged) {
    const pc = await commitPostcodes(engine, staged);
    // Postcodes arriving after boundaries are placed in them now.
    const placed: NonNullable<ReferenceImportResult['postcodes']>['placedByBoundaries'] = [];
    await engine.transaction(async () => {
      const levels = await engine.all<{ level: string }>(`SELECT DISTINCT level FROM boundary`);
      const order = AREA_LEVELS.filter((l) => levels.some((x) => x.level === l));
      for (const level of order) {
        step(`postcodes into ${level} boundaries`);
        const a = await assignPostcodesByBoundaries(engine, level);
        placed.push({
          level,
          assigned: a.postcodesAssigned,
          within: a.assignedWithin,
          nearest: a.assignedNearest,
          unassigned: a.postcodesUnassigned,
        });
      }
      await fillPostcodeLevelsFromHierarchy(engine);
    });
    out.postcodes = { ...pc, placedByBoundaries: placed };
    await importOnspdColumns(engine, staged, out, step);
  }
  for (const f of req.base ?? []) {
    step(`base ${f}`);
    out.base.push(
      await importBase(engine, f, {
        areaYear: req.areaYear,
        level: req.baseLevel,
        sum: req.baseSum,
        rows: req.baseRows,
      }),
    );
  }
  if (req.baseRows && !out.base.some((b) => b.rows?.measures.some((m) => m.from === 'rows')))
    throw new ParameterError(
      `--base-rows ${req.baseRows} counts the rows of a base file with one row per ${req.baseRows === 'households' ? 'household' : 'person'}, but ${req.base?.length ? `no --base file in this command lists an area more than once` : 'there is no --base file in this command'}.`,
      req.base?.length
        ? 'A file with one row per area gives counts: leave out --base-rows and it is read as counts. If the file really lists households or people, check its area code column.'
        : 'Give the file with one row per household or person with --base.',
    );
  if (req.baseSum?.length && !out.base.some((b) => b.summed))
    throw new ParameterError(
      `--base-sum names ${req.baseSum.flatMap((x) => x.terms).join(', ')}, found in no --base file${req.base?.length ? '' : ' (there is none in this command)'}.`,
      'Give the base file whose columns these are with --base, and check the column names.',
    );
  for (const f of req.classification ?? []) {
    step(`classification ${f}`);
    out.classifications.push(
      await importClassification(engine, f, {
        name: req.classification!.length === 1 ? req.classificationName : undefined,
        areaYear: req.areaYear,
      }),
    );
  }
  for (const f of req.segments ?? []) {
    step(`segment names ${f}`);
    const target = out.classifications.length === 1 ? out.classifications[0].name : req.classificationName;
    out.segments.push(await importSegmentNames(engine, f, target));
  }
  for (const f of req.deprivation ?? []) {
    step(`deprivation ${f}`);
    out.deprivation.push(await importDeprivation(engine, f, { name: req.deprivationName, areaYear: req.areaYear }));
  }
  // A directory of one census year's areas meets reference data of the other through unchanged codes.
  out.bridges = await bridgeUnchangedCodes(engine);
  return out;
}

/** IMD 2019 ranks England's 32,844 LSOAs; decile d holds ranks up to d × 3,284.4 (as File 1 publishes them). */
const ENGLISH_LSOAS_IMD2019 = 32844;

/**
 * ONSPD's own columns: `oac11`, the 2011 OAC subgroup of the postcode's 2011 output area, becomes
 * the oac2011 classification on those output areas; `imd`, the deprivation rank of the postcode's
 * 2011 LSOA, becomes the onspd_imd index on those LSOAs (with deciles for English LSOAs, whose
 * ranks are IMD 2019's; other nations' indices rank their own areas, so they get ranks only).
 */
async function importOnspdColumns(
  engine: Engine,
  staged: StagedPostcodes,
  out: ReferenceImportResult,
  step: (s: string) => void,
): Promise<void> {
  const pc = out.postcodes!;
  const from = `${staged.table} WHERE regexp_full_match(k, '[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}')`;
  if (staged.cols.oac11 && !staged.cols.oa11)
    pc.warnings.push(
      `The postcode directory has an OAC column (${staged.cols.oac11}) but no 2011 output area column (oa11), so it was not used as a classification.`,
    );
  if (staged.cols.oac11 && staged.cols.oa11) {
    step(`classification oac2011 from the postcode directory's ${staged.cols.oac11} column`);
    const loaded = await loadQuery(
      engine,
      staged.file,
      `SELECT oa11 AS OA11CD, mode(lower(oac11)) AS OAC11CD FROM ${from} AND oa11 IS NOT NULL
        AND regexp_full_match(oac11, '[1-8][A-Za-z][1-4]') GROUP BY oa11 ORDER BY oa11`,
    );
    if (loaded.rows)
      out.classifications.push(
        await importClassification(engine, loaded, {
          name: 'oac2011',
          format: `the postcode directory's ${staged.cols.oac11} column`,
        }),
      );
    else await dropLoaded(engine, loaded);
  }
  if (staged.cols.imd && !staged.cols.lsoa11)
    pc.warnings.push(
      `The postcode directory has a deprivation rank column (${staged.cols.imd}) but no 2011 LSOA column (lsoa11), so it was not used.`,
    );
  if (staged.cols.imd && staged.cols.lsoa11) {
    step(`deprivation from the postcode directory's ${staged.cols.imd} column`);
    const rank = `mode(${sqlTryNumber('imd')})`;
    const loaded = await loadQuery(
      engine,
      staged.file,
      `SELECT lsoa11 AS "LSOA code (2011)", CAST(CAST(${rank} AS BIGINT) AS VARCHAR) AS "IMD Rank",
        CASE WHEN lsoa11 LIKE 'E01%' THEN CAST(CAST(ceil(${rank} * 10 / ${ENGLISH_LSOAS_IMD2019}.0) AS BIGINT) AS VARCHAR) END AS "IMD Decile"
      FROM ${from} AND lsoa11 IS NOT NULL AND ${sqlTryNumber('imd')} > 0 GROUP BY lsoa11 ORDER BY lsoa11`,
    );
    if (loaded.rows)
      out.deprivation.push(
        await importDeprivation(engine, loaded, {
          name: 'onspd_imd',
          title: 'Deprivation decile from the postcode directory (England: IMD 2019)',
        }),
      );
    else await dropLoaded(engine, loaded);
  }
}

export interface ReferenceStatus {
  postcodes: { total: number; live: number; terminated: number; byLevel: Record<string, number> };
  areas: { level: string; areas: number; withBoundaries: number }[];
  base: { level: string; areas: number; households: number | null; population: number | null }[];
  classifications: {
    name: string;
    title: string | null;
    kind: string;
    areaLevel: string;
    tiers: string[];
    areas: number;
    segments: number;
  }[];
  deprivation: { name: string; areaLevel: string; areas: number; domains: number }[];
}

export async function referenceStatus(engine: Engine): Promise<ReferenceStatus> {
  const pc =
    (await engine.one(`SELECT count(*)::BIGINT AS total, count(*) FILTER (WHERE status = 'live')::BIGINT AS live,
    ${AREA_LEVELS.map((l) => `count(${l})::BIGINT AS ${l}`).join(', ')} FROM postcode`))!;
  const byLevel: Record<string, number> = {};
  for (const l of AREA_LEVELS) byLevel[l] = pc[l] as number;
  const areas = await engine.all<{
    level: string;
    areas: number;
    withBoundaries: number;
  }>(`SELECT a.level, count(DISTINCT a.code)::BIGINT AS areas,
    count(DISTINCT b.area_code)::BIGINT AS "withBoundaries" FROM area a LEFT JOIN boundary b ON b.area_code = a.code AND b.level = a.level GROUP BY a.level ORDER BY a.level`);
  const base = await engine.all<{ level: string; areas: number; households: number | null; population: number | null }>(
    `SELECT level, count(*)::BIGINT AS areas, sum(households) AS households, sum(population) AS population FROM area_base GROUP BY level ORDER BY level`,
  );
  const cls = await engine.all(`SELECT c.name, c.title, c.kind, c.area_level, c.tiers,
      (SELECT count(DISTINCT area_code)::BIGINT FROM area_segment s WHERE s.classification = c.name) AS areas,
      (SELECT count(*)::BIGINT FROM segment s WHERE s.classification = c.name) AS segments
    FROM classification c ORDER BY c.imported_at`);
  const dep = await engine.all(
    `SELECT index_name AS name, ${sqlAnyValue('area_level')} AS area_level, count(DISTINCT area_code)::BIGINT AS areas, count(DISTINCT domain)::BIGINT AS domains FROM deprivation GROUP BY index_name`,
  );
  return {
    postcodes: {
      total: pc.total as number,
      live: pc.live as number,
      terminated: (pc.total as number) - (pc.live as number),
      byLevel,
    },
    areas,
    base,
    classifications: cls.map((c) => ({
      name: c.name as string,
      title: c.title as string | null,
      kind: c.kind as string,
      areaLevel: c.area_level as string,
      tiers: JSON.parse(c.tiers as string),
      areas: c.areas as number,
      segments: c.segments as number,
    })),
    deprivation: dep.map((d) => ({
      name: d.name as string,
      areaLevel: d.area_level as string,
      areas: d.areas as number,
      domains: d.domains as number,
    })),
  };
}
