/**
 * The address gazetteer: a council's LLPG or an AddressBase-style extract (UPRN, the address as one
 * text or as fields, postcode, coordinates), imported into the workspace with every address
 * standardised and parsed. Columns are found by name (UPRN, ADDRESS or the LLPG/AddressBase field
 * names, POSTCODE, LAT/LON or X/Y) or named with `--address-map field=Column`. Every row is
 * accounted for: imported, or rejected with a reason and its row number (never its value).
 */
import { basename } from 'node:path';
import { InputError } from '../core/index.ts';
import {
  bngToLonLat,
  type AddressLookups,
  type GazetteerAddress,
  derivedPropertyKey,
  standardiseAddress,
  validUprn,
} from '../geo/index.ts';
import { columnIndex, readSourceTable } from '../intake/index.ts';
import type { Engine } from '../store/index.ts';

/** The fields a gazetteer's columns can be mapped to with --address-map. */
export const GAZETTEER_FIELDS = ['uprn', 'address', 'postcode', 'lat', 'lon', 'x', 'y'] as const;
export type GazetteerField = (typeof GAZETTEER_FIELDS)[number];

const PATTERNS: Record<GazetteerField, RegExp[]> = {
  uprn: [/^uprn$/i, /^property.?ref(erence)?$/i, /uprn/i],
  address: [
    /^(full.?|single.?line.?)?address$/i,
    /^address.?text$/i,
    /^(full|single).?line.?address$/i,
    /matched.*address$/i,
  ],
  postcode: [/^post.?code$/i, /^pcds?$/i, /^postcode.?locator$/i, /post.?code/i],
  lat: [/^lat(itude)?$/i],
  lon: [/^(lon|lng|long|longitude)$/i],
  x: [/^(x|x.?coordinate|easting)$/i],
  y: [/^(y|y.?coordinate|northing)$/i],
};

/** Address fields of the LLPG / AddressBase layouts and of address lines, in the order an address is written. */
const FIELD_COLUMNS: RegExp[][] = [
  [/^organisation(.?name)?$/i],
  [/^sub.?building(.?name)?$/i],
  [/^sao.?start.?number$/i],
  [/^sao.?start.?suffix$/i],
  [/^sao.?end.?number$/i],
  [/^sao.?end.?suffix$/i],
  [/^sao.?text$/i],
  [/^building.?name$/i, /^pao.?text$/i],
  [/^building.?number$/i, /^pao.?start.?number$/i],
  [/^pao.?start.?suffix$/i],
  [/^pao.?end.?number$/i],
  [/^pao.?end.?suffix$/i],
  [/^dependent.?thoroughfare$/i],
  [/^(thoroughfare|street|street.?description|street.?name)$/i],
  [/^double.?dependent.?locality$/i],
  [/^(dependent.?)?locality$/i],
  [/^(post.?town|town|town.?name)$/i],
];
const LINE_COLUMN = /^(address|addr|line)[ _.-]?(line[ _.-]?)?\d$/i;

export interface GazetteerImportOptions {
  file: string;
  /** field → column name, for columns not found by their names */
  map?: Partial<Record<GazetteerField, string>>;
  onProgress?: (done: number, total: number) => void;
}

export interface GazetteerImportResult {
  file: string;
  read: number;
  imported: number;
  rejected: number;
  /** rejected rows by reason (they add up to `rejected`) */
  rejectedByReason: Record<string, number>;
  /** the first few rejected rows: their row numbers and reasons (no values) */
  rejectedExamples: { row: number; reason: string }[];
  /** the columns used */
  columns: { uprn: string; address: string[]; postcode: string | null; coordinates: string[] };
  /** whether address lookups were in the workspace (without them only the structural rules apply) */
  withLookups: boolean;
}

function findColumns(header: string[], file: string, map: Partial<Record<GazetteerField, string>>) {
  const at = (field: GazetteerField): number => {
    const named = map[field];
    if (named) {
      const i = columnIndex(header, named);
      if (i < 0)
        throw new InputError(`The file has no column "${named}" (given for ${field}).`, {
          location: { file, column: named },
          fix: `Name one of the file's columns: ${header.join(', ')}.`,
        });
      return i;
    }
    for (const p of PATTERNS[field]) {
      const i = header.findIndex((h) => p.test(h));
      if (i >= 0) return i;
    }
    return -1;
  };
  const uprn = at('uprn');
  if (uprn < 0)
    throw new InputError('The gazetteer has no UPRN column.', {
      location: { file, row: 1 },
      fix: `Name it with --address-map COLUMN=uprn (the file's columns: ${header.join(', ')}).`,
    });
  let address: number[] = [];
  const single = at('address');
  if (single >= 0) address = [single];
  else {
    for (const alternatives of FIELD_COLUMNS) {
      const i = header.findIndex((h) => alternatives.some((p) => p.test(h)));
      if (i >= 0) address.push(i);
    }
    // Address lines (Address 1, Address 2 …) with any town or locality column, in the file's order.
    const lines = header.map((h, i) => (LINE_COLUMN.test(h) ? i : -1)).filter((i) => i >= 0);
    if (lines.length) address = [...new Set([...lines, ...address])].sort((a, b) => a - b);
  }
  if (!address.length)
    throw new InputError('The gazetteer has no address column.', {
      location: { file, row: 1 },
      fix: 'Give the address as one column (--address-map COLUMN=address) or as LLPG/AddressBase fields (SAO_TEXT, PAO_START_NUMBER, STREET_DESCRIPTION, TOWN_NAME …).',
    });
  const postcode = at('postcode');
  const lat = at('lat');
  const lon = at('lon');
  const x = at('x');
  const y = at('y');
  return { uprn, address, postcode, lat, lon, x, y };
}

/** Builds an address from LLPG-style fields: "12" "A" "-" "14" become 12A-14. */
function joinFields(values: (string | null)[]): string[] {
  const out: string[] = [];
  for (const raw of values) {
    const v = (raw ?? '').trim();
    if (!v) continue;
    // A number or a letter of its own (PAO_START_NUMBER, its suffix, PAO_END_NUMBER) joins the field before it.
    if (out.length && /^(\d+|[A-Za-z])$/.test(v)) out[out.length - 1] += ` ${v}`;
    else out.push(v);
  }
  return out;
}

/** Replaces the workspace's gazetteer with a file's addresses, in one transaction. */
export async function importGazetteer(
  engine: Engine,
  lookups: AddressLookups,
  o: GazetteerImportOptions,
): Promise<GazetteerImportResult> {
  const file = basename(o.file);
  const table = await readSourceTable(o.file, {}, engine);
  const cols = findColumns(table.header, file, o.map ?? {});
  const rejectedByReason: Record<string, number> = {};
  const rejectedExamples: { row: number; reason: string }[] = [];
  const reject = (row: number, reason: string) => {
    rejectedByReason[reason] = (rejectedByReason[reason] ?? 0) + 1;
    if (rejectedExamples.length < 20) rejectedExamples.push({ row, reason });
  };
  const seen = new Set<string>();
  const rows: (string | number | null)[][] = [];
  const num = (v: string | null | undefined) => {
    const n = Number((v ?? '').trim());
    return (v ?? '').trim() !== '' && Number.isFinite(n) ? n : null;
  };
  table.rows.forEach((r, k) => {
    if (k % 10_000 === 0) o.onProgress?.(k, table.rows.length);
    const uprn = validUprn(r.values[cols.uprn]);
    if (!uprn) return reject(r.rowNo, (r.values[cols.uprn] ?? '').trim() ? 'UPRN not 1 to 12 digits' : 'no UPRN');
    if (seen.has(uprn)) return reject(r.rowNo, 'UPRN repeated (the first row kept)');
    const fields = joinFields(cols.address.map((i) => r.values[i]));
    if (!fields.length) return reject(r.rowNo, 'no address');
    const postcode = cols.postcode >= 0 ? (r.values[cols.postcode] ?? null) : undefined;
    const s = standardiseAddress(cols.address.length > 1 ? [fields.join(', ')] : fields, lookups, { postcode });
    if (s.problems.includes('blank')) return reject(r.rowNo, 'no address');
    let lat = cols.lat >= 0 ? num(r.values[cols.lat]) : null;
    let lon = cols.lon >= 0 ? num(r.values[cols.lon]) : null;
    if ((lat === null || lon === null) && cols.x >= 0 && cols.y >= 0) {
      const x = num(r.values[cols.x]);
      const y = num(r.values[cols.y]);
      if (x !== null && y !== null && x > 0 && y > 0) [lon, lat] = bngToLonLat(x, y);
    }
    seen.add(uprn);
    const p = s.parts;
    rows.push([
      uprn,
      fields.join(', '),
      p.postcode,
      s.pcKey,
      s.text,
      p.subBuilding,
      p.buildingNumber,
      p.buildingName,
      p.street,
      p.locality,
      p.town,
      derivedPropertyKey(s) ?? `U${uprn}`,
      lat,
      lon,
    ]);
  });
  o.onProgress?.(table.rows.length, table.rows.length);
  if (!rows.length)
    throw new InputError('No row of the gazetteer has a UPRN and an address.', {
      location: { file },
      fix: 'Check the UPRN and address columns (--address-map COLUMN=uprn, --address-map COLUMN=address).',
    });
  const rejected = Object.values(rejectedByReason).reduce((a, b) => a + b, 0);
  await engine.transaction(async () => {
    await engine.run(`DELETE FROM address_gazetteer`);
    await engine.run(`DELETE FROM address_gazetteer_import`);
    await engine.append('address_gazetteer', rows);
    await engine.run(`INSERT INTO address_gazetteer_import VALUES ($1, $2, $3, $4, $5, $6)`, [
      file,
      table.rows.length,
      rows.length,
      rejected,
      lookups.fingerprint,
      new Date().toISOString(),
    ]);
  });
  const name = (i: number) => table.header[i];
  return {
    file,
    read: table.rows.length,
    imported: rows.length,
    rejected,
    rejectedByReason,
    rejectedExamples,
    columns: {
      uprn: name(cols.uprn),
      address: cols.address.map(name),
      postcode: cols.postcode >= 0 ? name(cols.postcode) : null,
      coordinates: [cols.lat, cols.lon, cols.x, cols.y].filter((i) => i >= 0).map(name),
    },
    withLookups: lookups.counts.synonym + lookups.counts.abbreviation > 0,
  };
}
