/**
 * Facilities (C7): the service points that travel is measured to — libraries, GP surgeries,
 * children's centres, pharmacies — imported from a CSV/XLSX table or a GeoJSON file of points.
 *
 * Rows that cannot be placed (no coordinates and no known postcode, coordinates outside the UK)
 * are handled as the dataset importer handles bad rows: the good rows are imported and every
 * rejected row is listed with its row, column, value and reason, so read = imported + rejected.
 * With `strict`, any rejected row refuses the whole file instead (nothing is changed). Either way
 * the import is one transaction, and importing the same file for the same kind again replaces it.
 */
import { readFileSync, existsSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { InputError, NotFoundError, ParameterError } from '../core/index.ts';
import { type Engine, type SqlValue, whileUnchanged } from '../store/index.ts';
import { bngToLonLat, checkPostcode } from '../geo/index.ts';
import { readSourceTable, decodeText, columnIndex, findColumn as findColumnIn } from '../intake/index.ts';

export interface Facility {
  id: string;
  name: string;
  kind: string;
  lon: number;
  lat: number;
  postcode: string | null;
  capacity: number | null;
  openingHours: string | null;
  /** the file's other columns, as read */
  details: Record<string, string | null>;
  sourceFile: string | null;
  sourceRow: number | null;
  importedAt: string;
}

export interface FacilityImportOptions {
  /** the type of every facility in the file ("library") */
  kind?: string;
  /** or the column holding each row's type */
  kindColumn?: string;
  nameColumn?: string;
  capacityColumn?: string;
  postcodeColumn?: string;
  lonColumn?: string;
  latColumn?: string;
  openingHoursColumn?: string;
  /** ids are PREFIX-name-of-facility; the kind when not given */
  idPrefix?: string;
  /** refuse the whole file if any row is rejected */
  strict?: boolean;
  /** XLSX sheet */
  sheet?: string;
}

export interface FacilityReject {
  row: number;
  column: string | null;
  value: string | null;
  reason: string;
}

export interface FacilityImportResult {
  file: string;
  format: 'csv' | 'xlsx' | 'json' | 'parquet' | 'geojson';
  read: number;
  imported: number;
  rejected: number;
  /** facilities from an earlier import of this file that were replaced */
  replaced: number;
  kinds: { kind: string; facilities: number }[];
  /** how the imported rows were placed */
  placedBy: { coordinates: number; postcode: number };
  columns: {
    name: string;
    kind: string | null;
    lon: string | null;
    lat: string | null;
    postcode: string | null;
    capacity: string | null;
    openingHours: string | null;
  };
  rejects: FacilityReject[];
}

/** Longitude/latitude box around the UK (Shetland to the Scillies, Northern Ireland to Lowestoft). */
export const UK_BBOX = { minLon: -8.75, maxLon: 1.8, minLat: 49.8, maxLat: 60.95 } as const;

const NAME_HEADERS = [
  /^name$/i,
  /^(site|facility|branch|outlet|pharmacy|practice|surgery|school|organisation|establishment|centre)[ _]?name$/i,
  /^title$/i,
];
const LON_HEADERS = [/^(lon|lng|long|longitude)$/i, /^x$/i];
const LAT_HEADERS = [/^(lat|latitude)$/i, /^y$/i];
const POSTCODE_HEADERS = [/^post[\s_]*code$/i, /^pcds?$/i, /postcode/i];
const CAPACITY_HEADERS = [/^capacity$/i, /^places$/i];
const HOURS_HEADERS = [/^opening[\s_]*hours$/i, /^opening[\s_]*times$/i, /^hours$/i];
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

interface ReadRow {
  rowNo: number;
  values: (string | null)[];
  point?: [number, number] | null;
  problem?: string;
}
interface ReadTable {
  file: string;
  format: FacilityImportResult['format'];
  header: string[];
  rows: ReadRow[];
  geometry: boolean;
}

function isGeoJson(file: string, bytes: Uint8Array): boolean {
  const ext = extname(file).toLowerCase();
  if (ext === '.geojson') return true;
  if (ext !== '.json') return false;
  const head = Buffer.from(bytes.subarray(0, 2048)).toString('utf8');
  return /"type"\s*:\s*"FeatureCollection"/.test(head);
}

/** A GeoJSON FeatureCollection of points as a table: its properties as columns, the point beside them. */
function readGeoJson(path: string, bytes: Uint8Array): ReadTable {
  const file = basename(path);
  const { text } = decodeText(bytes, file);
  let doc: {
    type?: string;
    features?: {
      properties?: Record<string, unknown> | null;
      geometry?: { type?: string; coordinates?: unknown } | null;
    }[];
  };
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new InputError(`The file is not valid GeoJSON: ${(e as Error).message}`, {
      location: { file },
      code: 'input_not_json',
      fix: 'Export the facilities as a GeoJSON FeatureCollection of points, or as CSV with lon and lat columns.',
    });
  }
  if (doc?.type !== 'FeatureCollection' || !Array.isArray(doc.features)) {
    throw new InputError('The file is not a GeoJSON FeatureCollection.', {
      location: { file },
      fix: 'Export the facilities as a GeoJSON FeatureCollection of points.',
    });
  }
  if (!doc.features.length)
    throw new InputError('The GeoJSON file has no features.', { location: { file }, code: 'input_no_records' });
  const header: string[] = [];
  const seen = new Set<string>();
  for (const f of doc.features)
    for (const k of Object.keys(f?.properties ?? {}))
      if (!seen.has(k)) {
        seen.add(k);
        header.push(k);
      }
  const rows = doc.features.map((f, i): ReadRow => {
    const props = f?.properties ?? {};
    const values = header.map((k) =>
      props[k] === null || props[k] === undefined
        ? null
        : typeof props[k] === 'object'
          ? JSON.stringify(props[k])
          : String(props[k]),
    );
    const g = f?.geometry;
    const c = g?.coordinates as number[] | undefined;
    if (!g) return { rowNo: i + 1, values, point: null };
    if (g.type !== 'Point' || !Array.isArray(c) || typeof c[0] !== 'number' || typeof c[1] !== 'number') {
      return {
        rowNo: i + 1,
        values,
        point: null,
        problem: `the feature is a ${g.type ?? 'shape without a type'}, not a point`,
      };
    }
    return { rowNo: i + 1, values, point: [c[0], c[1]] };
  });
  return { file, format: 'geojson', header, rows, geometry: true };
}

async function readFacilityTable(path: string, opts: FacilityImportOptions, engine: Engine): Promise<ReadTable> {
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new InputError(`File not found: ${path}`, {
      location: { file: path },
      code: 'file_missing',
      fix: 'Check the path and file name.',
    });
  }
  const bytes = readFileSync(path);
  if (bytes.length && isGeoJson(path, bytes)) return readGeoJson(path, bytes);
  const t = await readSourceTable(path, { sheet: opts.sheet }, engine);
  return {
    file: t.file,
    format: t.format,
    header: t.header,
    geometry: false,
    rows: t.rows.map((r) => ({ rowNo: r.rowNo, values: r.values, problem: r.problem?.reason })),
  };
}

function findColumn(
  t: ReadTable,
  wanted: string | undefined,
  patterns: RegExp[],
  what: string,
  option: string,
): number {
  if (wanted) {
    const i = columnIndex(t.header, wanted);
    if (i < 0)
      throw new InputError(`The file has no column "${wanted}" (given as the ${what}).`, {
        location: { file: t.file, column: wanted },
        code: 'column_missing',
        fix: `Columns in the file: ${t.header.join(', ')}. Correct ${option}.`,
      });
    return i;
  }
  return findColumnIn(t.header, undefined, patterns);
}

/** "Altrincham Library" → "library-altrincham-library": readable ids that survive a re-import. */
function slug(s: string): string {
  return (
    s
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/&/g, ' and ')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'facility'
  );
}

export function normaliseKind(kind: string): string {
  const k = kind
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  if (!/^[a-z0-9][a-z0-9_']*$/.test(k))
    throw new ParameterError(
      `"${kind}" cannot be used as a facility kind.`,
      'Use a short word such as library, gp_surgery or childrens_centre.',
    );
  return k;
}

const inUk = (lon: number, lat: number) =>
  lon >= UK_BBOX.minLon && lon <= UK_BBOX.maxLon && lat >= UK_BBOX.minLat && lat <= UK_BBOX.maxLat;
const num = (v: string | null | undefined) => {
  if (v === null || v === undefined || v.trim() === '') return null;
  const n = Number(v.trim().replace(/,/g, ''));
  return Number.isFinite(n) ? n : NaN;
};

export async function importFacilities(
  engine: Engine,
  path: string,
  opts: FacilityImportOptions = {},
): Promise<FacilityImportResult> {
  if (!opts.kind && !opts.kindColumn)
    throw new ParameterError(
      'Say what kind of facility the file holds.',
      "Add --kind library (or gp_surgery, pharmacy ...), or --kind-column NAME when a column holds each row's type.",
    );
  if (opts.kind && opts.kindColumn) throw new ParameterError('Give either --kind or --kind-column, not both.');
  const fixedKind = opts.kind ? normaliseKind(opts.kind) : null;
  const t = await readFacilityTable(path, opts, engine);
  const file = t.file;

  const nameI = findColumn(t, opts.nameColumn, NAME_HEADERS, 'name column', '--name-column');
  if (nameI < 0)
    throw new InputError('No column of facility names was found.', {
      location: { file },
      code: 'column_missing',
      fix: `Name it with --name-column. Columns in the file: ${t.header.join(', ')}.`,
    });
  const kindI = opts.kindColumn ? findColumn(t, opts.kindColumn, [], 'kind column', '--kind-column') : -1;
  let lonI = findColumn(t, opts.lonColumn, LON_HEADERS, 'longitude column', '--lon-column');
  let latI = findColumn(t, opts.latColumn, LAT_HEADERS, 'latitude column', '--lat-column');
  // British National Grid eastings and northings, as NHS and DfE lists give them, are converted.
  let grid = false;
  if (lonI < 0 && latI < 0 && !opts.lonColumn && !opts.latColumn) {
    const e = t.header.findIndex((h) => /^(easting|eastings|os_?easting|x_?coord)$/i.test(h.trim()));
    const n = t.header.findIndex((h) => /^(northing|northings|os_?northing|y_?coord)$/i.test(h.trim()));
    if (e >= 0 && n >= 0) [lonI, latI, grid] = [e, n, true];
  }
  const pcI = findColumn(t, opts.postcodeColumn, POSTCODE_HEADERS, 'postcode column', '--postcode-column');
  const capI = findColumn(t, opts.capacityColumn, CAPACITY_HEADERS, 'capacity column', '--capacity-column');
  const hoursI = findColumn(
    t,
    opts.openingHoursColumn,
    HOURS_HEADERS,
    'opening hours column',
    '--opening-hours-column',
  );
  // Opening hours published one column per weekday (as NHS pharmacy lists are) are kept together.
  const dayCols =
    hoursI < 0
      ? WEEKDAYS.map((d) => t.header.findIndex((h) => new RegExp(`^opening[\\s_]*hours[\\s_]*${d}$`, 'i').test(h)))
      : [];
  const hasDays = dayCols.some((i) => i >= 0);
  if (lonI < 0 !== latI < 0) {
    throw new InputError(
      `The file has a ${lonI < 0 ? 'latitude' : 'longitude'} column but no ${lonI < 0 ? 'longitude' : 'latitude'} column.`,
      { location: { file }, code: 'column_missing', fix: 'Name both with --lon-column and --lat-column.' },
    );
  }
  if (!t.geometry && lonI < 0 && pcI < 0) {
    const grid = t.header.some((h) => /^(easting|northing|x_?coord|y_?coord)$/i.test(h));
    throw new InputError(
      'The file has no longitude/latitude columns and no postcode column, so the facilities cannot be placed.',
      {
        location: { file },
        code: 'input_no_location',
        fix: grid
          ? 'The file gives British National Grid eastings and northings: convert them to longitude and latitude (WGS84) first, or add a postcode column.'
          : `Add lon and lat columns (WGS84), or a postcode column. Columns read: ${t.header.join(', ')}.`,
      },
    );
  }
  const pcCount = pcI >= 0 ? (await engine.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM postcode`))!.n : 0;

  const used = new Set([nameI, kindI, lonI, latI, pcI, capI, hoursI, ...dayCols].filter((i) => i >= 0));
  const rejects: FacilityReject[] = [];
  const col = (i: number) => (i >= 0 ? t.header[i] : null);
  interface Ok {
    row: ReadRow;
    name: string;
    kind: string;
    lon: number | null;
    lat: number | null;
    pcKey: string | null;
    postcode: string | null;
    capacity: number | null;
    hours: string | null;
  }
  const ok: Ok[] = [];
  for (const row of t.rows) {
    const v = (i: number) => (i >= 0 ? (row.values[i] ?? '').trim() || null : null);
    const reject = (column: string | null, value: string | null, reason: string) => {
      rejects.push({ row: row.rowNo, column, value, reason });
    };
    if (row.problem) {
      reject(null, null, row.problem);
      continue;
    }
    const name = v(nameI);
    if (!name) {
      reject(col(nameI), null, 'the facility has no name');
      continue;
    }
    let kind = fixedKind;
    if (!kind) {
      const k = v(kindI);
      if (!k) {
        reject(col(kindI), null, 'the row has no facility kind');
        continue;
      }
      try {
        kind = normaliseKind(k);
      } catch {
        reject(col(kindI), k, 'the kind is not a usable word');
        continue;
      }
    }
    let lon: number | null = null,
      lat: number | null = null;
    if (row.point) [lon, lat] = row.point;
    else if (lonI >= 0) {
      const x = num(v(lonI)),
        y = num(v(latI));
      const [xName, yName] = grid ? ['easting', 'northing'] : ['longitude', 'latitude'];
      if (Number.isNaN(x)) {
        reject(col(lonI), v(lonI), `the ${xName} is not a number`);
        continue;
      }
      if (Number.isNaN(y)) {
        reject(col(latI), v(latI), `the ${yName} is not a number`);
        continue;
      }
      if ((x === null) !== (y === null)) {
        reject(x === null ? col(lonI) : col(latI), null, `the ${x === null ? xName : yName} is missing`);
        continue;
      }
      lon = x;
      lat = y;
      if (grid && x !== null && y !== null) {
        if (!(x >= 0 && x <= 700_000 && y >= 0 && y <= 1_300_000)) {
          reject(col(lonI), `${x}, ${y}`, 'the easting and northing are outside British National Grid');
          continue;
        }
        [lon, lat] = bngToLonLat(x, y);
      }
    }
    if (lon !== null && lat !== null && !inUk(lon, lat)) {
      const swapped = inUk(lat, lon);
      reject(
        col(lonI) ?? 'geometry',
        `${lon}, ${lat}`,
        swapped
          ? 'longitude and latitude look swapped'
          : 'the point is outside the UK (are the coordinates British National Grid, not longitude/latitude?)',
      );
      continue;
    }
    const rawPc = v(pcI);
    const pc = rawPc ? checkPostcode(rawPc) : null;
    const pcKey = pc && (pc.kind === 'valid' || pc.kind === 'corrected') ? pc.key : null;
    if (lon === null) {
      if (!rawPc) {
        reject(col(pcI) ?? col(lonI), null, 'the row has neither coordinates nor a postcode');
        continue;
      }
      if (!pcKey) {
        reject(col(pcI), rawPc, 'not a valid UK postcode, and the row has no coordinates');
        continue;
      }
      if (pcCount === 0) {
        reject(col(pcI), rawPc, 'the row has no coordinates and the workspace has no postcode directory to place it');
        continue;
      }
    }
    const capRaw = v(capI);
    const capacity = num(capRaw);
    if (Number.isNaN(capacity) || (capacity !== null && capacity < 0)) {
      reject(col(capI), capRaw, 'the capacity is not a number of 0 or more');
      continue;
    }
    let hours = v(hoursI);
    if (!hours && hasDays) {
      const parts = WEEKDAYS.map((d, k) =>
        dayCols[k] >= 0 && v(dayCols[k]) ? `${d[0].toUpperCase()}${d.slice(1, 3)} ${v(dayCols[k])}` : null,
      ).filter(Boolean);
      hours = parts.length ? parts.join('; ') : null;
    }
    ok.push({ row, name, kind, lon, lat, pcKey, postcode: null, capacity, hours });
  }

  // Rows without coordinates are placed at their postcode.
  const lookup = [...new Set(ok.filter((o) => o.pcKey).map((o) => o.pcKey!))];
  const pcs = new Map<string, { lat: number | null; lon: number | null; postcode: string }>();
  if (lookup.length && pcCount > 0) {
    await engine.run(`CREATE OR REPLACE TEMP TABLE facility_pc (pc_key VARCHAR)`);
    await engine.append(
      'facility_pc',
      lookup.map((k) => [k]),
    );
    for (const r of await engine.all<{ pc_key: string; lat: number | null; lon: number | null; postcode: string }>(
      `SELECT p.pc_key, p.lat, p.lon, left(p.pc_key, length(p.pc_key) - 3) || ' ' || right(p.pc_key, 3) AS postcode FROM postcode p JOIN facility_pc f USING (pc_key)`,
    ))
      pcs.set(r.pc_key, r);
    await engine.run(`DROP TABLE IF EXISTS facility_pc`);
  }
  const placed: Ok[] = [];
  let byPostcode = 0;
  for (const o of ok) {
    const found = o.pcKey ? pcs.get(o.pcKey) : undefined;
    o.postcode =
      found?.postcode ?? (o.pcKey ? `${o.pcKey.slice(0, -3)} ${o.pcKey.slice(-3)}` : (o.row.values[pcI] ?? null));
    if (o.lon === null) {
      if (!found || found.lat === null || found.lon === null || !inUk(found.lon, found.lat)) {
        rejects.push({
          row: o.row.rowNo,
          column: col(pcI),
          value: o.row.values[pcI] ?? null,
          reason: found
            ? 'the postcode has no coordinates in the directory'
            : "the postcode is not in the workspace's postcode directory, and the row has no coordinates",
        });
        continue;
      }
      o.lon = found.lon;
      o.lat = found.lat;
      byPostcode++;
    }
    placed.push(o);
  }
  rejects.sort((a, b) => a.row - b.row);
  if (opts.strict && rejects.length) {
    const r = rejects[0];
    throw new InputError(`${rejects.length} of ${t.rows.length} rows cannot be imported; the first: ${r.reason}.`, {
      location: { file, row: r.row, column: r.column ?? undefined },
      code: 'facility_rejected',
      fix: 'Correct the rows (or import without --strict to import the others and list these).',
    });
  }
  if (!placed.length) {
    const r = rejects[0];
    throw new InputError(`None of the ${t.rows.length} rows could be imported; the first problem: ${r.reason}.`, {
      location: { file, row: r.row, column: r.column ?? undefined },
      code: 'facility_rejected',
      fix: "Check the file has facility names with lon/lat columns or postcodes in this workspace's directory.",
    });
  }

  const kinds = [...new Set(placed.map((p) => p.kind))].sort();
  const importedAt = new Date().toISOString();
  return engine.transaction(async () => {
    // The same file imported again for the same kind(s) replaces what it brought before.
    const replaceSql = fixedKind ? `source_file = $1 AND kind = $2` : `source_file = $1`;
    const replaceParams = fixedKind ? [file, fixedKind] : [file];
    const replaced = (await engine.one<{ n: number }>(
      `SELECT count(*)::BIGINT AS n FROM facility WHERE ${replaceSql}`,
      replaceParams,
    ))!.n;
    await engine.run(`DELETE FROM facility WHERE ${replaceSql}`, replaceParams);
    const taken = new Set((await engine.all<{ id: string }>(`SELECT id FROM facility`)).map((r) => r.id));
    const rows: SqlValue[][] = placed.map((p) => {
      const base = `${slug(opts.idPrefix ?? p.kind)}-${slug(p.name)}`;
      let id = base;
      for (let k = 2; taken.has(id); k++) id = `${base}-${k}`;
      taken.add(id);
      const details: Record<string, string | null> = {};
      t.header.forEach((h, i) => {
        if (!used.has(i)) details[h] = p.row.values[i] ?? null;
      });
      return [
        id,
        p.name,
        p.kind,
        p.lon,
        p.lat,
        p.postcode,
        p.capacity,
        p.hours,
        JSON.stringify(details),
        file,
        p.row.rowNo,
        importedAt,
      ];
    });
    await engine.append('facility', rows);
    await engine.run(
      `INSERT INTO import_log VALUES ((SELECT coalesce(max(id), 0) + 1 FROM import_log), 'facilities', $1, $2, $3, $4)`,
      [kinds.join(', '), file, placed.length, importedAt],
    );
    return {
      file,
      format: t.format,
      read: t.rows.length,
      imported: placed.length,
      rejected: rejects.length,
      replaced,
      kinds: kinds.map((k) => ({ kind: k, facilities: placed.filter((p) => p.kind === k).length })),
      placedBy: { coordinates: placed.length - byPostcode, postcode: byPostcode },
      columns: {
        name: t.header[nameI],
        kind: col(kindI),
        lon: t.geometry ? 'geometry' : col(lonI),
        lat: t.geometry ? 'geometry' : col(latI),
        postcode: col(pcI),
        capacity: col(capI),
        openingHours: hoursI >= 0 ? col(hoursI) : hasDays ? 'opening hours by weekday' : null,
      },
      rejects,
    };
  });
}

type FacilityRow = {
  id: string;
  name: string;
  kind: string;
  lon: number;
  lat: number;
  postcode: string | null;
  capacity: number | null;
  opening_hours: string | null;
  details: string | null;
  source_file: string | null;
  source_row: number | null;
  imported_at: string;
};
const toFacility = (r: FacilityRow): Facility => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  lon: r.lon,
  lat: r.lat,
  postcode: r.postcode,
  capacity: r.capacity,
  openingHours: r.opening_hours,
  details: r.details ? JSON.parse(r.details) : {},
  sourceFile: r.source_file,
  sourceRow: r.source_row,
  importedAt: r.imported_at,
});

/** The facilities (of one kind), kept until the facility table changes; each caller gets copies. */
export async function listFacilities(engine: Engine, opts: { kind?: string } = {}): Promise<Facility[]> {
  const kind = opts.kind ? normaliseKind(opts.kind) : null;
  const rows = await whileUnchanged(engine, `facilities ${kind ?? ''}`, ['facility'], () =>
    engine.all<FacilityRow>(
      `SELECT * FROM facility ${kind ? 'WHERE kind = $1' : ''} ORDER BY kind, name, id`,
      kind ? [kind] : [],
    ),
  );
  return rows.map(toFacility);
}

export async function facilityKinds(engine: Engine): Promise<{ kind: string; facilities: number }[]> {
  const rows = await whileUnchanged(engine, 'facility kinds', ['facility'], () =>
    engine.all<{ kind: string; facilities: number }>(
      `SELECT kind, count(*)::BIGINT AS facilities FROM facility GROUP BY kind ORDER BY kind`,
    ),
  );
  return rows.map((r) => ({ ...r }));
}

/** The facilities of one kind, refusing a kind the workspace has none of. */
export async function facilitiesOfKind(engine: Engine, kind: string): Promise<Facility[]> {
  const list = await listFacilities(engine, { kind });
  if (!list.length) throw await missingKind(engine, kind);
  return list;
}

async function missingKind(engine: Engine, kind: string): Promise<NotFoundError> {
  const kinds = await facilityKinds(engine);
  return new NotFoundError(
    `The workspace has no facilities of kind "${kind}".`,
    kinds.length
      ? `Kinds in this workspace: ${kinds.map((k) => `${k.kind} (${k.facilities})`).join(', ')}.`
      : 'Import some first: civic facilities import WORKSPACE FILE --kind library',
  );
}

/** A name as people write it: case and punctuation do not matter ("St. Mary's" = "st marys"). */
export function nameKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/'/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The name without a trailing "Library", "Branch" or the kind's own word: "Sale Library" = "Sale". */
export function outletKey(name: string, kind?: string): string {
  const s = nameKey(name);
  const suffixes = ['library', 'branch', ...(kind ? [kind.replace(/_/g, ' ')] : [])];
  for (const suf of suffixes) if (s.endsWith(' ' + suf)) return s.slice(0, -suf.length - 1).trim();
  return s;
}

/**
 * The facility a name (as written in a service file) refers to: the same name ignoring case and
 * punctuation, else the only facility whose name matches without a trailing "Library". Two
 * facilities that only differ by that suffix are never guessed between.
 */
export function matchFacilityName<F extends { id: string; name: string }>(
  written: string,
  facilities: readonly F[],
  kind?: string,
): F | null {
  const byId = facilities.find((f) => f.id === written.trim());
  if (byId) return byId;
  const exact = facilities.filter((f) => nameKey(f.name) === nameKey(written));
  if (exact.length === 1) return exact[0];
  if (exact.length > 1) return null;
  const loose = facilities.filter((f) => outletKey(f.name, kind) === outletKey(written, kind));
  return loose.length === 1 ? loose[0] : null;
}

/** One facility by id, or by name (tolerant of case and a "Library" suffix). */
export async function findFacility(engine: Engine, idOrName: string, kind?: string): Promise<Facility> {
  const all = await listFacilities(engine, kind ? { kind } : {});
  const found = matchFacilityName(idOrName, all, kind);
  if (found) return found;
  const exact = all.filter((f) => nameKey(f.name) === nameKey(idOrName));
  const hits = exact.length ? exact : all.filter((f) => outletKey(f.name, f.kind) === outletKey(idOrName, kind));
  if (hits.length > 1)
    throw new ParameterError(
      `"${idOrName}" names ${hits.length} facilities.`,
      `Give one of their ids: ${hits.map((h) => `${h.id} (${h.kind})`).join(', ')}.`,
    );
  const some = all.slice(0, 12).map((f) => f.name);
  throw new NotFoundError(
    `There is no facility called "${idOrName}"${kind ? ` of kind ${kind}` : ''}.`,
    some.length
      ? `Facilities include: ${some.join(', ')}${all.length > 12 ? ' …' : ''}. List them with: civic facilities list WORKSPACE`
      : 'Import some first: civic facilities import WORKSPACE FILE --kind library',
  );
}

/** Removes facilities by kind, by source file, or one by id. */
export async function removeFacilities(
  engine: Engine,
  sel: { kind?: string; id?: string; file?: string },
): Promise<{ removed: number }> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (sel.kind) {
    params.push(normaliseKind(sel.kind));
    where.push(`kind = $${params.length}`);
  }
  if (sel.id) {
    params.push(sel.id);
    where.push(`id = $${params.length}`);
  }
  if (sel.file) {
    params.push(basename(sel.file));
    where.push(`source_file = $${params.length}`);
  }
  if (!where.length)
    throw new ParameterError('Say which facilities to remove.', 'Add --kind KIND, --id ID or --file FILE.');
  return engine.transaction(async () => {
    const n = (await engine.one<{ n: number }>(
      `SELECT count(*)::BIGINT AS n FROM facility WHERE ${where.join(' AND ')}`,
      params,
    ))!.n;
    if (n === 0) {
      if (sel.kind && !sel.id && !sel.file) throw await missingKind(engine, sel.kind);
      throw new NotFoundError(
        'No facility matches what was asked to be removed.',
        'List them with: civic facilities list WORKSPACE',
      );
    }
    await engine.run(`DELETE FROM facility WHERE ${where.join(' AND ')}`, params);
    await engine.run(
      `INSERT INTO import_log VALUES ((SELECT coalesce(max(id), 0) + 1 FROM import_log), 'facilities removed', $1, $2, $3, $4)`,
      [sel.kind ?? sel.id ?? null, sel.file ? basename(sel.file) : null, n, new Date().toISOString()],
    );
    return { removed: n };
  });
}
