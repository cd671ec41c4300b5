/**
 * C1: the area hierarchy (OA → LSOA → MSOA → ward → local authority) and boundaries. Areas come
 * from a plain `code, level, name, parent` file, from ONS lookups (OA21CD, LSOA21CD …), or from
 * boundary files; boundaries also give postcodes their area codes by point-in-polygon when the
 * directory has none.
 */
import { basename } from 'node:path';
import { InputError, ParameterError } from '../core/index.ts';
import { type Engine, ident, sqlAnyValue } from '../store/index.ts';
import {
  AREA_LEVELS,
  type AreaLevel,
  AreaLocator,
  levelFamilyOfCode,
  levelFor,
  parseLevel,
  yearFromHeader,
} from '../geo/index.ts';
import type { AreaShape } from '../geo/index.ts';
import { readBoundaryFile } from './shapefile.ts';
import {
  classificationProperties,
  importClassificationFromBoundaries,
  type ClassificationImportResult,
  type SegmentNamesResult,
} from './classification.ts';
import { loadReferenceCsv, dropLoaded, findHeader, gssColumns } from './csv.ts';

const FAMILY_ORDER = ['oa', 'lsoa', 'msoa', 'ward', 'lad'] as const;

export interface AreasImportResult {
  file: string;
  areas: number;
  byLevel: Record<string, number>;
}

async function upsertAreas(
  engine: Engine,
  rows: { code: string; level: string; name: string | null; parent: string | null; parentLevel: string | null }[],
) {
  await engine.run(
    `CREATE TEMP TABLE area_new (code VARCHAR, level VARCHAR, name VARCHAR, parent VARCHAR, parent_level VARCHAR)`,
  );
  await engine.append(
    'area_new',
    rows.map((r) => [r.code, r.level, r.name, r.parent, r.parentLevel]),
  );
  // Keep what is already known (a name from one file, a parent from another) and add what is new.
  await engine.run(`CREATE TEMP TABLE area_merged AS
    SELECT coalesce(n.code, a.code) AS code, coalesce(n.level, a.level) AS level, coalesce(n.name, a.name) AS name,
      coalesce(n.parent, a.parent) AS parent, coalesce(n.parent_level, a.parent_level) AS parent_level
    FROM (SELECT code, level, ${sqlAnyValue('name')} AS name, ${sqlAnyValue('parent')} AS parent, ${sqlAnyValue('parent_level')} AS parent_level FROM area_new GROUP BY code, level) n
    FULL OUTER JOIN area a ON a.code = n.code AND a.level = n.level`);
  await engine.run(`DELETE FROM area`);
  await engine.run(`INSERT INTO area SELECT * FROM area_merged`);
  await engine.run(`DROP TABLE area_new`);
  await engine.run(`DROP TABLE area_merged`);
}

export async function importAreas(
  engine: Engine,
  path: string,
  opts: { areaYear?: '11' | '21' } = {},
): Promise<AreasImportResult> {
  const loaded = await loadReferenceCsv(engine, path);
  const file = basename(path);
  try {
    const t = ident(loaded.table);
    const rows: {
      code: string;
      level: string;
      name: string | null;
      parent: string | null;
      parentLevel: string | null;
    }[] = [];
    const codeH = findHeader(loaded.header, ['code', 'area_code']);
    const levelH = findHeader(loaded.header, ['level']);
    if (codeH && levelH) {
      const nameH = findHeader(loaded.header, ['name', 'area_name']);
      const parentH = findHeader(loaded.header, ['parent', 'parent_code']);
      const data = await engine.all(`SELECT _row, * EXCLUDE (_row) FROM ${t}`);
      const levels = new Map<string, string>();
      for (const r of data) {
        const level = parseLevel(String(r[levelH] ?? ''), opts.areaYear);
        if (!level)
          throw new InputError(`Unknown area level "${r[levelH]}".`, {
            location: { file, row: r._row as number, column: levelH },
            fix: `Levels: ${AREA_LEVELS.join(', ')}.`,
          });
        levels.set(String(r[codeH]), level);
      }
      for (const r of data) {
        const parent = parentH ? (r[parentH] as string | null) || null : null;
        rows.push({
          code: String(r[codeH]).trim(),
          level: levels.get(String(r[codeH]))!,
          name: nameH ? (r[nameH] as string | null) : null,
          parent,
          parentLevel: parent ? (levels.get(parent) ?? null) : null,
        });
      }
    } else {
      // An ONS lookup: several code columns, each naming an area and (to its right in the hierarchy) its parent.
      const codeCols = await gssColumns(engine, loaded);
      if (!codeCols.length) {
        throw new InputError('The area file has neither code/level columns nor ONS area-code columns.', {
          location: { file },
          code: 'reference_columns',
          fix: 'Give a CSV with columns code, level, name, parent, or an ONS lookup such as OA21CD, LSOA21CD.',
        });
      }
      const sample = await engine.one(`SELECT * FROM ${t} LIMIT 1`);
      const levelled = codeCols
        .map((c) => {
          const fam = levelFamilyOfCode(String(sample![c]));
          const year = yearFromHeader(c) ?? opts.areaYear ?? '21';
          return { col: c, fam, level: fam ? levelFor(fam, year) : null };
        })
        .filter((c) => c.fam !== null)
        .sort((a, b) => FAMILY_ORDER.indexOf(a.fam!) - FAMILY_ORDER.indexOf(b.fam!));
      const data = await engine.all(`SELECT * EXCLUDE (_row) FROM ${t}`);
      for (let i = 0; i < levelled.length; i++) {
        const c = levelled[i];
        const up = levelled[i + 1];
        const nameCol = findHeader(loaded.header, [c.col.replace(/cd$/i, 'nm'), c.col.replace(/code/i, 'name')]);
        for (const r of data) {
          const code = r[c.col] as string | null;
          if (!code) continue;
          rows.push({
            code: code.trim(),
            level: c.level!,
            name: nameCol && nameCol !== c.col ? (r[nameCol] as string | null) : null,
            parent: up ? ((r[up.col] as string | null) ?? null) : null,
            parentLevel: up ? up.level : null,
          });
        }
      }
    }
    return await engine.transaction(async () => {
      await upsertAreas(engine, rows);
      const byLevel: Record<string, number> = {};
      const distinct = new Set<string>();
      for (const r of rows)
        if (!distinct.has(r.level + ':' + r.code)) {
          distinct.add(r.level + ':' + r.code);
          byLevel[r.level] = (byLevel[r.level] ?? 0) + 1;
        }
      await fillPostcodeLevelsFromHierarchy(engine);
      return { file, areas: new Set(rows.map((r) => `${r.level}:${r.code}`)).size, byLevel };
    });
  } finally {
    await dropLoaded(engine, loaded);
  }
}

export interface BoundaryImportResult {
  file: string;
  level: AreaLevel;
  areas: number;
  postcodesAssigned: number;
  assignedWithin: number;
  assignedNearest: number;
  postcodesUnassigned: number;
  /** 'British National Grid' when the file's coordinates were converted to WGS84 */
  convertedFrom: 'British National Grid' | null;
  /** properties carrying a classification's tiers (the CDRC's supgrpcode …), imported or not */
  classificationProperties: string[];
  /** the classification imported from those properties (with --classification-from-boundaries) */
  classification: ClassificationImportResult | null;
  segmentNames: SegmentNamesResult | null;
}

export async function importBoundaries(
  engine: Engine,
  path: string,
  levelInput: string,
  opts: {
    codeProperty?: string;
    /** import the classification the file's properties carry: true to find its tiers by name, or the properties */
    classification?: { properties?: string[]; name?: string; optional?: boolean };
  } = {},
): Promise<BoundaryImportResult> {
  const file = basename(path);
  const level = parseLevel(levelInput);
  if (!level) throw new ParameterError(`Unknown boundary level "${levelInput}".`, `Levels: ${AREA_LEVELS.join(', ')}.`);
  const read = await readBoundaryFile(path, { codeProperty: opts.codeProperty });
  const shapes = read.shapes;
  return engine.transaction(async () => {
    await engine.run(`CREATE TEMP TABLE boundary_new AS SELECT * FROM boundary LIMIT 0`);
    await engine.append(
      'boundary_new',
      shapes.map((s) => [
        s.code,
        level,
        s.name,
        JSON.stringify(s.geometry),
        s.bbox[0],
        s.bbox[1],
        s.bbox[2],
        s.bbox[3],
      ]),
    );
    await engine.run(`DELETE FROM boundary WHERE level = $1 AND area_code IN (SELECT area_code FROM boundary_new)`, [
      level,
    ]);
    await engine.run(`INSERT INTO boundary SELECT * FROM boundary_new`);
    await engine.run(`DROP TABLE boundary_new`);
    await upsertAreas(
      engine,
      shapes.map((s) => ({ code: s.code, level, name: s.name, parent: null, parentLevel: null })),
    );
    const assigned = await assignPostcodesByBoundaries(engine, level, shapes);
    await fillPostcodeLevelsFromHierarchy(engine);
    // With several boundary files, the classification is read from the ones that carry one.
    const fromProperties =
      opts.classification && (!opts.classification.optional || classificationProperties(read).length)
        ? await importClassificationFromBoundaries(engine, read, file, level, opts.classification)
        : null;
    return {
      file,
      level,
      areas: shapes.length,
      convertedFrom: read.projection === 'bng' ? 'British National Grid' : null,
      classificationProperties: classificationProperties(read),
      classification: fromProperties?.classification ?? null,
      segmentNames: fromProperties?.names ?? null,
      ...assigned,
    };
  });
}

/** Gives postcodes lacking a code at this level the code of the area containing them. */
export async function assignPostcodesByBoundaries(engine: Engine, level: AreaLevel, shapes?: AreaShape[]) {
  if (!shapes) {
    const rows = await engine.all<{
      area_code: string;
      name: string | null;
      geojson: string;
      min_lon: number;
      min_lat: number;
      max_lon: number;
      max_lat: number;
    }>(`SELECT area_code, name, geojson, min_lon, min_lat, max_lon, max_lat FROM boundary WHERE level = $1`, [level]);
    shapes = rows.map((r) => ({
      code: r.area_code,
      name: r.name,
      geometry: JSON.parse(r.geojson),
      bbox: [r.min_lon, r.min_lat, r.max_lon, r.max_lat],
    }));
  }
  const empty = { postcodesAssigned: 0, assignedWithin: 0, assignedNearest: 0, postcodesUnassigned: 0 };
  if (!shapes.length) return empty;
  const todo = await engine.all<{ pc_key: string; lat: number; lon: number }>(
    `SELECT pc_key, lat, lon FROM postcode WHERE ${ident(level)} IS NULL AND lat IS NOT NULL`,
  );
  if (!todo.length) return empty;
  const locator = new AreaLocator(shapes);
  const out: [string, string, string][] = [];
  let within = 0,
    nearest = 0,
    none = 0;
  for (const p of todo) {
    const a = locator.locate(p.lon, p.lat);
    if (!a) {
      none++;
      continue;
    }
    if (a.method === 'within') within++;
    else nearest++;
    out.push([p.pc_key, a.code, a.method === 'within' ? 'point in polygon' : 'nearest polygon']);
  }
  await engine.run(`CREATE TEMP TABLE pc_assign (pc_key VARCHAR, code VARCHAR, method VARCHAR)`);
  await engine.append('pc_assign', out);
  await engine.run(`UPDATE postcode SET ${ident(level)} = a.code FROM pc_assign a WHERE postcode.pc_key = a.pc_key`);
  await engine.run(`DELETE FROM postcode_placement WHERE level = $1 AND pc_key IN (SELECT pc_key FROM pc_assign)`, [
    level,
  ]);
  await engine.run(`INSERT INTO postcode_placement SELECT pc_key, $1, method FROM pc_assign`, [level]);
  await engine.run(`DROP TABLE pc_assign`);
  return { postcodesAssigned: out.length, assignedWithin: within, assignedNearest: nearest, postcodesUnassigned: none };
}

/** Fills a postcode's missing higher levels from its lower ones through the area hierarchy (OA → LSOA → MSOA …). */
export async function fillPostcodeLevelsFromHierarchy(engine: Engine): Promise<void> {
  for (const level of AREA_LEVELS) {
    const parents = await engine.all<{ parent_level: string }>(
      `SELECT DISTINCT parent_level FROM area WHERE level = $1 AND parent_level IS NOT NULL`,
      [level],
    );
    for (const { parent_level } of parents) {
      if (!(AREA_LEVELS as readonly string[]).includes(parent_level)) continue;
      await engine.run(
        `UPDATE postcode SET ${ident(parent_level)} = a.parent FROM area a
        WHERE a.level = $1 AND a.code = postcode.${ident(level)} AND postcode.${ident(parent_level)} IS NULL AND a.parent_level = $2`,
        [level, parent_level],
      );
    }
  }
}
