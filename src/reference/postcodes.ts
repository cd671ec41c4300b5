/**
 * C1: postcode directories. ONSPD and NSPL column names are recognised as published; a plain
 * `postcode, lat, lon` CSV works too, with --map for other column names. Terminated postcodes
 * are kept (councils' older records use them) and marked.
 */
import { basename } from 'node:path';
import { InputError } from '../core/index.ts';
import { type Engine, ident, sqlAnyValue, sqlFirstPerKey, sqlTryNumber } from '../store/index.ts';
import { AREA_LEVELS, type AreaLevel } from '../geo/index.ts';
import { describeReferenceCsv, csvReadError, findHeader } from './csv.ts';

export const POSTCODE_FIELDS = ['postcode', 'lat', 'lon', 'doterm', ...AREA_LEVELS, 'oac11', 'imd'] as const;
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
  // ONSPD's own: the 2011 OAC subgroup of the postcode's 2011 OA, and the deprivation rank of its 2011 LSOA.
  oac11: ['oac11'],
  imd: ['imd'],
};
/** ONSPD's pseudo-codes (L99999999 Channel Islands, M99999999 Isle of Man, E99999999 …): "no area of this kind". */
const PSEUDO_CODE = '[A-Z][0-9]?99999999';
/** Columns with no year in their name; their year is the user's --area-year (default 2021). */
const YEARLESS: Partial<Record<'oa' | 'lsoa' | 'msoa', string[]>> = {
  oa: ['oa', 'oa_code', 'oacd'],
  lsoa: ['lsoa', 'lsoa_code', 'lsoacd'],
  msoa: ['msoa', 'msoa_code', 'msoacd'],
};

export interface PostcodeImportOptions {
  map?: Record<string, string>;
  areaYear?: '11' | '21';
}
export interface PostcodeImportResult {
  file: string;
  read: number;
  imported: number;
  live: number;
  terminated: number;
  duplicates: number;
  /** ONSPD pseudo-codes (E99999999 …) stored as empty, per level, and the postcodes that had any */
  pseudoCodes: { postcodes: number; byLevel: Partial<Record<AreaLevel, number>> };
  rejected: number;
  rejectedExamples: { row: number; value: string | null; reason: string }[];
  noLocation: number;
  columns: Partial<Record<PostcodeField, string>>;
  /** things the importer could not find, said plainly */
  warnings: string[];
}

export function mapPostcodeColumns(
  header: string[],
  opts: PostcodeImportOptions = {},
): Partial<Record<PostcodeField, string>> {
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
      throw new InputError(`--map names an unknown field "${field}".`, {
        fix: `Fields: ${POSTCODE_FIELDS.join(', ')}.`,
      });
    }
    if (!header.includes(col))
      throw new InputError(`--map names a column "${col}" that is not in the file.`, {
        location: { column: col },
        fix: `Columns: ${header.join(', ')}.`,
      });
    cols[field as PostcodeField] = col;
  }
  return cols;
}

/** A postcode file read and checked, waiting in a temporary table to be written. */
export interface StagedPostcodes {
  table: string;
  file: string;
  source: string;
  header: string[];
  rawHeader: string[];
  cols: Partial<Record<PostcodeField, string>>;
  counts: { read: number; rejected: number; distinctValid: number };
  pseudoCodes: PostcodeImportResult['pseudoCodes'];
  rejectedExamples: PostcodeImportResult['rejectedExamples'];
}

let staged = 0;
const VALID_KEY = `regexp_full_match(k, '[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}')`;

/**
 * Reads and checks a postcode directory into a temporary table. Call it outside a transaction:
 * a temporary table made inside one makes the later insert of millions of rows nearly twice as slow.
 */
export async function stagePostcodes(
  engine: Engine,
  path: string,
  opts: PostcodeImportOptions = {},
): Promise<StagedPostcodes> {
  const { header: rawHeader, source, file } = await describeReferenceCsv(engine, path);
  const header = rawHeader.map((h) => h.replace(/^\uFEFF/, '').trim());
  const cols = mapPostcodeColumns(header, opts);
  if (!cols.postcode) {
    throw new InputError('The postcode directory has no postcode column.', {
      location: { file },
      code: 'reference_columns',
      fix: `Expected pcds/pcd (ONSPD, NSPL) or "postcode"; columns found: ${header.slice(0, 20).join(', ')}. Name it with --map COLUMN=postcode.`,
    });
  }
  if ((cols.lat && !cols.lon) || (!cols.lat && cols.lon)) {
    throw new InputError('The postcode directory has only one of latitude and longitude.', {
      location: { file, column: cols.lat ?? cols.lon },
      code: 'reference_columns',
    });
  }
  if (!cols.lat && !AREA_LEVELS.some((l) => cols[l])) {
    // Neither a location nor an area code: such postcodes could never place a record.
    throw new InputError(
      'The postcode file has neither latitude/longitude nor any area-code column, so its postcodes could not be placed in any area.',
      {
        location: { file },
        code: 'reference_columns',
        fix: `Name the columns with --map, e.g. --map Latitude=lat --map Longitude=lon --map "Output Area=oa21". Columns found: ${header.slice(0, 20).join(', ')}.`,
      },
    );
  }
  // Only the needed columns are read from the file: ONSPD has about fifty.
  const src = (f: PostcodeField) => ident(rawHeader[header.indexOf(cols[f]!)]);
  const text = (f: PostcodeField) => (cols[f] ? `NULLIF(trim(${src(f)}), '')` : 'NULL::VARCHAR');
  const table = `pc_stage_${process.pid}_${++staged}`;
  try {
    // Published directories write "M15 4AB" or "M154AB ": removing spaces is enough, and much
    // cheaper than a regular expression over millions of rows; anything else is cleaned below.
    await engine.run(`CREATE TEMP TABLE ${table} AS SELECT upper(replace(coalesce(${src('postcode')}, ''), ' ', '')) AS k,
        ${text('doterm')} AS doterm, ${cols.lat ? sqlTryNumber(src('lat')) : 'NULL::DOUBLE'} AS lat, ${cols.lon ? sqlTryNumber(src('lon')) : 'NULL::DOUBLE'} AS lon,
        ${AREA_LEVELS.map((l) => `${text(l)} AS ${l}`).join(', ')}, ${text('oac11')} AS oac11, ${text('imd')} AS imd
      FROM ${source}`);
  } catch (e) {
    throw csvReadError(e, file);
  }
  try {
    await engine.run(
      `UPDATE ${table} SET k = regexp_replace(k, '[^A-Z0-9]', '', 'g') WHERE NOT regexp_full_match(k, '[A-Z0-9]*')`,
    );
    const c = (await engine.one<{ read: number; rejected: number; distinct_valid: number }>(
      `SELECT count(*)::BIGINT AS read, count(*) FILTER (WHERE NOT ${VALID_KEY})::BIGINT AS rejected, count(DISTINCT k) FILTER (WHERE ${VALID_KEY})::BIGINT AS distinct_valid FROM ${table}`,
    ))!;
    const pseudoCodes = await clearPseudoCodes(
      engine,
      table,
      AREA_LEVELS.filter((l) => cols[l]),
    );
    let rejectedExamples: PostcodeImportResult['rejectedExamples'] = [];
    if (c.rejected > 0) {
      // Row numbers are only worked out when there is something to report.
      const bad = await engine.all<{ row: number; value: string | null }>(
        `SELECT row, value FROM (SELECT row_number() OVER () + 1 AS row, ${src('postcode')} AS value FROM ${source})
         WHERE NOT regexp_full_match(regexp_replace(upper(coalesce(value, '')), '[^A-Z0-9]', '', 'g'), '[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}') ORDER BY row LIMIT 20`,
      );
      rejectedExamples = bad.map((r) => ({
        row: r.row,
        value: r.value,
        reason: r.value && r.value.trim() ? 'not a valid UK postcode' : 'missing postcode',
      }));
    }
    return {
      table,
      file,
      source,
      header,
      rawHeader,
      cols,
      counts: { read: c.read, rejected: c.rejected, distinctValid: c.distinct_valid },
      pseudoCodes,
      rejectedExamples,
    };
  } catch (e) {
    await engine.run(`DROP TABLE IF EXISTS ${table}`);
    throw e;
  }
}

/**
 * ONSPD fills a level a postcode has no area of (a Channel Islands postcode's LSOA, say) with a
 * pseudo-code such as L99999999. Such a code is no area: it is stored as empty and counted.
 */
async function clearPseudoCodes(
  engine: Engine,
  table: string,
  levels: AreaLevel[],
): Promise<PostcodeImportResult['pseudoCodes']> {
  const byLevel: Partial<Record<AreaLevel, number>> = {};
  if (!levels.length) return { postcodes: 0, byLevel };
  const is = (l: string) => `regexp_full_match(${ident(l)}, '${PSEUDO_CODE}')`;
  const c = (await engine.one(
    `SELECT count(*) FILTER (WHERE ${levels.map(is).join(' OR ')})::BIGINT AS any, ${levels.map((l) => `count(*) FILTER (WHERE ${is(l)})::BIGINT AS ${ident(l)}`).join(', ')} FROM ${table}`,
  ))!;
  for (const l of levels) {
    if (!(c[l] as number)) continue;
    byLevel[l] = c[l] as number;
    await engine.run(`UPDATE ${table} SET ${ident(l)} = NULL WHERE ${is(l)}`);
  }
  return { postcodes: c.any as number, byLevel };
}

export async function dropStagedPostcodes(engine: Engine, s: StagedPostcodes): Promise<void> {
  try {
    await engine.run(`DROP TABLE IF EXISTS ${s.table}`);
  } catch {
    /* gone with a rolled-back transaction */
  }
}

/** Writes staged postcodes into the directory (inside the caller's transaction, or its own). */
export async function commitPostcodes(engine: Engine, s: StagedPostcodes): Promise<PostcodeImportResult> {
  return engine.transaction(async () => {
    const valid = s.counts.read - s.counts.rejected;
    const duplicates = valid - s.counts.distinctValid;
    // ONSPD marks a missing location with latitude 99.999999; duplicates keep the live row.
    const rows =
      duplicates > 0
        ? sqlFirstPerKey({ from: s.table, where: VALID_KEY, key: 'k', order: '(doterm IS NULL) DESC' })
        : `(SELECT * FROM ${s.table} WHERE ${VALID_KEY})`;
    const existing = (await engine.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM postcode`))!.n;
    if (existing > 0) {
      // A re-import replaces the postcodes it contains and keeps the others (several authorities in one workspace).
      await engine.run(`DELETE FROM postcode WHERE pc_key IN (SELECT k FROM ${s.table})`);
      await engine.run(`DELETE FROM postcode_placement WHERE pc_key IN (SELECT k FROM ${s.table})`);
    }
    await engine.run(`INSERT INTO postcode SELECT k,
        CASE WHEN lat BETWEEN -90 AND 90 THEN lat END, CASE WHEN lat BETWEEN -90 AND 90 THEN lon END,
        CASE WHEN doterm IS NULL THEN 'live' ELSE 'terminated' END, doterm,
        ${AREA_LEVELS.join(', ')}
      FROM ${rows} r`);
    const imported = (await engine.one<{ live: number; nol: number }>(
      `SELECT count(*) FILTER (WHERE doterm IS NULL)::BIGINT AS live, count(*) FILTER (WHERE NOT coalesce(lat BETWEEN -90 AND 90, false))::BIGINT AS nol
       FROM ${rows} r`,
    ))!;
    await importAreaNames(engine, s.source, s.header, s.rawHeader, s.cols);
    await engine.run(
      `INSERT INTO import_log VALUES ((SELECT coalesce(max(id), 0) + 1 FROM import_log), 'postcodes', 'postcode directory', $1, $2, $3)`,
      [s.file, s.counts.read, new Date().toISOString()],
    );
    return {
      file: s.file,
      read: s.counts.read,
      imported: s.counts.distinctValid,
      live: imported.live,
      terminated: s.counts.distinctValid - imported.live,
      duplicates,
      pseudoCodes: s.pseudoCodes,
      rejected: s.counts.rejected,
      rejectedExamples: s.rejectedExamples,
      noLocation: imported.nol,
      columns: s.cols,
      warnings: postcodeWarnings(s.cols, s.header),
    };
  });
}

export async function importPostcodes(
  engine: Engine,
  path: string,
  opts: PostcodeImportOptions = {},
): Promise<PostcodeImportResult> {
  const s = await stagePostcodes(engine, path, opts);
  try {
    return await commitPostcodes(engine, s);
  } finally {
    await dropStagedPostcodes(engine, s);
  }
}

function postcodeWarnings(cols: Partial<Record<PostcodeField, string>>, header: string[]): string[] {
  const out: string[] = [];
  if (!cols.lat)
    out.push(
      'No latitude/longitude columns were found (looked for lat, latitude, long, lon, longitude), so these postcodes cannot be placed in boundaries. Name them with --map COLUMN=lat --map COLUMN=lon.',
    );
  if (!AREA_LEVELS.some((l) => cols[l]))
    out.push(
      `No area-code columns were recognised (columns: ${header.join(', ')}). These postcodes reach areas only through boundaries (import them with --boundaries); or name code columns with --map COLUMN=oa21 (or lsoa21, ward, lad ...).`,
    );
  return out;
}

/** Names some postcode lists carry beside the codes (Trafford's: ward_name, lsoa_name, msoa_hcl_name, la_name). */
const NAME_COLUMNS: Partial<Record<AreaLevel, string[]>> = {
  ward: ['ward_name', 'wardname', 'ward_nm'],
  lad: ['la_name', 'lad_name', 'laname'],
  lsoa21: ['lsoa_name', 'lsoa21nm'],
  msoa21: ['msoa_hcl_name', 'msoa_name', 'msoa21nm'],
  lsoa11: ['lsoa11nm'],
  msoa11: ['msoa11nm'],
};

async function importAreaNames(
  engine: Engine,
  source: string,
  header: string[],
  rawHeader: string[],
  cols: Partial<Record<PostcodeField, string>>,
) {
  for (const [level, names] of Object.entries(NAME_COLUMNS) as [AreaLevel, string[]][]) {
    const nameCol = findHeader(header, names);
    const codeCol = cols[level];
    if (!nameCol || !codeCol) continue;
    const raw = (h: string) => ident(rawHeader[header.indexOf(h)]);
    await engine.run(`CREATE TEMP TABLE area_names AS SELECT trim(${raw(codeCol)}) AS code, ${sqlAnyValue(`trim(${raw(nameCol)})`)} AS name
      FROM ${source} WHERE ${raw(codeCol)} IS NOT NULL AND NOT regexp_full_match(trim(${raw(codeCol)}), '${PSEUDO_CODE}') GROUP BY 1`);
    await engine.run(
      `UPDATE area SET name = n.name FROM area_names n WHERE area.code = n.code AND area.level = $1 AND area.name IS NULL`,
      [level],
    );
    await engine.run(
      `INSERT INTO area SELECT code, $1, name, NULL, NULL FROM area_names n WHERE NOT EXISTS (SELECT 1 FROM area a WHERE a.code = n.code AND a.level = $1)`,
      [level],
    );
    await engine.run(`DROP TABLE area_names`);
  }
}
