/**
 * C1: postcode directories. ONSPD and NSPL column names are recognised as published; a plain
 * `postcode, lat, lon` CSV works too, with --map for other column names. Terminated postcodes
 * are kept (councils' older records use them) and marked.
 */
import { basename } from 'node:path';
import { InputError } from '../core/index.ts';
import { type Engine, ident, sqlPostcodeKey, sqlTryNumber } from '../store/index.ts';
import { AREA_LEVELS, type AreaLevel } from '../geo/index.ts';
import { loadReferenceCsv, dropLoaded, findHeader } from './csv.ts';

export const POSTCODE_FIELDS = ['postcode', 'lat', 'lon', 'doterm', ...AREA_LEVELS] as const;
export type PostcodeField = (typeof POSTCODE_FIELDS)[number];

/** Published column names for each field, most specific first. */
const ALIASES: Record<PostcodeField, string[]> = {
  postcode: ['pcds', 'pcd', 'pcd2', 'pcd7', 'pcd8', 'postcode', 'post code', 'pc'],
  lat: ['lat', 'latitude'],
  lon: ['long', 'lon', 'lng', 'longitude'],
  doterm: ['doterm', 'date_of_termination', 'terminated'],
  oa21: ['oa21', 'oa21cd', 'oa_code_2021', 'oa 2021'],
  lsoa21: ['lsoa21', 'lsoa21cd', 'lsoa_code_2021'],
  msoa21: ['msoa21', 'msoa21cd', 'msoa_code_2021'],
  oa11: ['oa11', 'oa11cd', 'oa_code_2011'],
  lsoa11: ['lsoa11', 'lsoa11cd', 'lsoa_code_2011'],
  msoa11: ['msoa11', 'msoa11cd', 'msoa_code_2011'],
  ward: ['osward', 'ward', 'ward_code', 'wd24cd', 'wd23cd', 'wd22cd', 'wd21cd', 'wd20cd', 'wd19cd'],
  lad: ['oslaua', 'laua', 'lad', 'la_code', 'lad24cd', 'lad23cd', 'lad22cd', 'lad21cd', 'lad19cd'],
};
/** Columns with no year in their name; their year is the user's --area-year (default 2021). */
const YEARLESS: Partial<Record<'oa' | 'lsoa' | 'msoa', string[]>> = {
  oa: ['oa', 'oa_code', 'oacd'], lsoa: ['lsoa', 'lsoa_code', 'lsoacd'], msoa: ['msoa', 'msoa_code', 'msoacd'],
};

export interface PostcodeImportOptions { map?: Record<string, string>; areaYear?: '11' | '21' }
export interface PostcodeImportResult {
  file: string; read: number; imported: number; live: number; terminated: number; duplicates: number;
  rejected: number; rejectedExamples: { row: number; value: string | null; reason: string }[];
  noLocation: number; columns: Partial<Record<PostcodeField, string>>;
}

export function mapPostcodeColumns(header: string[], opts: PostcodeImportOptions = {}): Partial<Record<PostcodeField, string>> {
  const cols: Partial<Record<PostcodeField, string>> = {};
  for (const f of POSTCODE_FIELDS) {
    const h = findHeader(header, ALIASES[f]);
    if (h) cols[f] = h;
  }
  const year = opts.areaYear ?? '21';
  for (const fam of ['oa', 'lsoa', 'msoa'] as const) {
    const level = `${fam}${year}` as PostcodeField;
    if (!cols[level]) {
      const h = findHeader(header, YEARLESS[fam]!);
      if (h) cols[level] = h;
    }
  }
  for (const [col, field] of Object.entries(opts.map ?? {})) {
    if (!(POSTCODE_FIELDS as readonly string[]).includes(field)) {
      throw new InputError(`--map names an unknown field "${field}".`, { fix: `Fields: ${POSTCODE_FIELDS.join(', ')}.` });
    }
    if (!header.includes(col)) throw new InputError(`--map names a column "${col}" that is not in the file.`, { location: { column: col }, fix: `Columns: ${header.join(', ')}.` });
    cols[field as PostcodeField] = col;
  }
  return cols;
}

export async function importPostcodes(engine: Engine, path: string, opts: PostcodeImportOptions = {}): Promise<PostcodeImportResult> {
  const loaded = await loadReferenceCsv(engine, path);
  const file = basename(path);
  try {
    const cols = mapPostcodeColumns(loaded.header, opts);
    if (!cols.postcode) {
      throw new InputError('The postcode directory has no postcode column.', { location: { file }, code: 'reference_columns',
        fix: `Expected pcds/pcd (ONSPD, NSPL) or "postcode"; columns found: ${loaded.header.slice(0, 20).join(', ')}. Name it with --map COLUMN=postcode.` });
    }
    if ((cols.lat && !cols.lon) || (!cols.lat && cols.lon)) {
      throw new InputError('The postcode directory has only one of latitude and longitude.', { location: { file, column: cols.lat ?? cols.lon }, code: 'reference_columns' });
    }
    const t = ident(loaded.table);
    const key = sqlPostcodeKey(ident(cols.postcode));
    const col = (f: PostcodeField) => (cols[f] ? `NULLIF(trim(${ident(cols[f]!)}), '')` : 'NULL');
    // ONSPD marks a missing location with latitude 99.999999.
    const lat = cols.lat ? `CASE WHEN ${sqlTryNumber(ident(cols.lat))} BETWEEN -90 AND 90 THEN ${sqlTryNumber(ident(cols.lat))} END` : 'NULL';
    const lon = cols.lon ? `CASE WHEN ${sqlTryNumber(ident(cols.lat!))} BETWEEN -90 AND 90 THEN ${sqlTryNumber(ident(cols.lon))} END` : 'NULL';
    const validKey = `regexp_full_match(${key}, '[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}')`;

    const rejectedRows = await engine.all<{ row: number; value: string | null }>(
      `SELECT _row AS row, ${ident(cols.postcode)} AS value FROM ${t} WHERE NOT ${validKey} ORDER BY _row LIMIT 20`);
    const rejected = (await engine.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM ${t} WHERE NOT ${validKey}`))!.n;

    return await engine.transaction(async () => {
      await engine.run(`CREATE TEMP TABLE pc_new AS
        SELECT ${key} AS pc_key, left(${key}, length(${key}) - 3) || ' ' || right(${key}, 3) AS postcode,
          ${lat} AS lat, ${lon} AS lon,
          CASE WHEN ${col('doterm')} IS NULL THEN 'live' ELSE 'terminated' END AS status, ${col('doterm')} AS terminated,
          ${AREA_LEVELS.map((l) => `${col(l)} AS ${l}`).join(', ')},
          ${AREA_LEVELS.includes('oa21') ? `CASE WHEN ${col('oa21')} IS NOT NULL THEN 'directory' END` : 'NULL'} AS oa21_method,
          CASE WHEN ${col('oa11')} IS NOT NULL THEN 'directory' END AS oa11_method,
          $1 AS source
        FROM ${t} WHERE ${validKey}
        QUALIFY row_number() OVER (PARTITION BY ${key} ORDER BY (${col('doterm')} IS NULL) DESC, _row) = 1`, [file]);
      const imported = (await engine.one<{ n: number; live: number; nol: number }>(
        `SELECT count(*)::BIGINT AS n, count(*) FILTER (WHERE status = 'live')::BIGINT AS live, count(*) FILTER (WHERE lat IS NULL)::BIGINT AS nol FROM pc_new`))!;
      // A re-import replaces the postcodes it contains and keeps the others (several authorities in one workspace).
      await engine.run(`DELETE FROM postcode WHERE pc_key IN (SELECT pc_key FROM pc_new)`);
      await engine.run(`INSERT INTO postcode SELECT * FROM pc_new`);
      await engine.run(`DROP TABLE pc_new`);
      await engine.run(`INSERT INTO import_log VALUES ((SELECT coalesce(max(id), 0) + 1 FROM import_log), 'postcodes', 'postcode directory', $1, $2, $3)`,
        [file, imported.n, new Date().toISOString()]);
      return {
        file, read: loaded.rows, imported: imported.n, live: imported.live, terminated: imported.n - imported.live,
        duplicates: loaded.rows - rejected - imported.n, rejected,
        rejectedExamples: rejectedRows.map((r) => ({ row: r.row, value: r.value, reason: r.value ? 'not a valid UK postcode' : 'missing postcode' })),
        noLocation: imported.nol, columns: cols,
      };
    });
  } finally {
    await dropLoaded(engine, loaded);
  }
}

/** Which area levels the postcodes lack, for filling from boundaries or the hierarchy. */
export async function postcodeLevelGaps(engine: Engine): Promise<Record<AreaLevel, number>> {
  const r = (await engine.one(`SELECT ${AREA_LEVELS.map((l) => `count(*) FILTER (WHERE ${l} IS NULL)::BIGINT AS ${l}`).join(', ')} FROM postcode`))!;
  return r as unknown as Record<AreaLevel, number>;
}
