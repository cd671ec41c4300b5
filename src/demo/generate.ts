/**
 * `generateSampleBorough` writes Sample Borough: a deterministic synthetic borough (postcodes,
 * output areas and their hierarchy, boundaries, a local classification, deprivation, facilities
 * and a dozen council service extracts) in the formats the Observatory imports from real councils.
 * The same seed always gives byte-identical files.
 */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ParameterError, type Random } from '../core/index.ts';
import {
  assignHouseholds,
  censusCounts,
  classify,
  deprivation,
  IMD_LSOAS_IN_ENGLAND,
  type OaCensus,
  type Deprivation,
} from './classification.ts';
import { placeFacilities, type Facility } from './facilities.ts';
import { LAD, buildGeography, geometry, outline, type Area, type Geography } from './geography.ts';
import { MESS_RATES } from './messiness.ts';
import { buildHouseholds, type Household } from './people.ts';
import { buildPostcodes, type Postcode } from './postcodes.ts';
import { AREA_VARIABLES, GROUPS, TYPES, typeProfile } from './segments.ts';
import { buildServices, nearestFacilities, CONTACT_TIER, type ServiceOutput } from './services.ts';
import { STREET_WORDS } from './corrupt.ts';
import { addressColumns, uprnColumn, type RecordTruth } from './records.ts';
import { TOWN, buildResidents, type Residents } from './residents.ts';
import {
  csvText,
  encodeWindows1252,
  isoDate,
  writeCsvFile,
  fixZipTimestamps,
  pad,
  shuffle,
  stream,
  thousands,
  type Cell,
} from './util.ts';

export interface SampleBoroughOptions {
  /** Seed for every random choice (default 2026). */
  seed?: number;
  /** Number of households (default 100,000). */
  households?: number;
}

export interface SampleBoroughManifest {
  dir: string;
  seed: number;
  households: number;
  files: {
    postcodes: string;
    areas: string;
    base: string;
    boundaries: { level: string; file: string }[];
    classification: string;
    segments: string;
    deprivation: string;
    facilities: string;
    /** Census-like counts per OA behind the classification. */
    areaVariables: string;
    /** What each area variable is and the count it is a share of, for civic segment build --definitions. */
    areaVariableDefinitions: string;
    /** Each group's intended high/low variables and each type's profile. */
    truthSegments: string;
    /** Each service's propensity per type and expected count per OA. */
    truth: string;
    /** The address gazetteer (LLPG-style: UPRN, address fields, postcode, coordinates). */
    gazetteer: string;
    /** The demo's own address lookups folder (the short street words its files use). */
    addressLookups: string;
    /** Every service row's person, household, UPRN and mistakes: for scoring linkage, never imported. */
    truthRecords: string;
    /** Everyone living in the borough's households: for scoring linkage, never imported. */
    truthResidents: string;
    /** Every household's chance of being vulnerable and whether it is (issue 15): never imported. */
    truthVulnerability: string;
    /** reason,tier for the contact log (Barking & Dagenham's resolution tiers) */
    contactTiers: string;
    /** A few customer journeys (a before/after pair among them) and a circle of need, for civic journey import. */
    journeys: string[];
  };
  services: {
    name: string;
    file: string;
    title: string;
    description: string;
    postcodeColumn: string;
    personalColumns: string[];
    /** the columns holding the record's address, in order (none for files without one) */
    addressColumns: string[];
    /** the column holding the record's UPRN, or null */
    uprnColumn: string | null;
    /** `contacts` for the contact log (imported with --kind contacts), else null */
    kind: 'contacts' | null;
  }[];
}

/** Sample Borough's journeys and circle of need (src/demo/journeys), in the order they are imported. */
const DEMO_JOURNEYS = readdirSync(new URL('./journeys/', import.meta.url))
  .filter((f) => /\.(json|csv)$/.test(f))
  .sort();

const BOUNDARY_LEVELS = ['oa21', 'lsoa21', 'msoa21', 'ward'] as const;

export const DEFAULT_SEED = 2026;
export const DEFAULT_HOUSEHOLDS = 100_000;

/** Checks the options before anything is written or removed. */
export function checkSampleBoroughOptions(options: SampleBoroughOptions = {}): void {
  const seed = options.seed ?? DEFAULT_SEED;
  const households = options.households ?? DEFAULT_HOUSEHOLDS;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new ParameterError(
      `The seed must be a whole number from 0 to 4294967295, not ${seed}.`,
      'Give a seed such as 2026, or leave it out.',
    );
  }
  // Below about 10,000 households there are too few LSOAs and wards for a meaningful borough.
  if (!Number.isInteger(households) || households < 10_000 || households > 1_000_000) {
    throw new ParameterError(
      `Sample Borough needs between 10,000 and 1,000,000 households, not ${households}.`,
      'Give a household count in that range, or leave it out for 100,000.',
    );
  }
}

export async function generateSampleBorough(
  dir: string,
  options: SampleBoroughOptions = {},
): Promise<SampleBoroughManifest> {
  checkSampleBoroughOptions(options);
  const seed = options.seed ?? DEFAULT_SEED;
  const households = options.households ?? DEFAULT_HOUSEHOLDS;
  const root = resolve(dir);
  mkdirSync(join(root, 'services'), { recursive: true });

  // Each stage draws from its own stream, so stages can change without reshuffling the others.
  const geo = buildGeography(stream(seed, 'geography'), households);
  assignHouseholds(stream(seed, 'households'), geo, households);
  const typeOfOa = classify(stream(seed, 'classification'), geo);
  const census = censusCounts(stream(seed, 'census'), geo, typeOfOa);
  const imd = deprivation(stream(seed, 'deprivation'), geo, typeOfOa);
  const postcodes = buildPostcodes(stream(seed, 'postcodes'), geo, typeOfOa, households);
  const hhs = buildHouseholds(stream(seed, 'people'), postcodes, typeOfOa);
  const facilities = placeFacilities(stream(seed, 'facilities'), geo, postcodes, typeOfOa);
  // Later additions draw from streams of their own, so nothing drawn above moves.
  const residents = buildResidents(stream(seed, 'residents'), stream(seed, 'gazetteer'), hhs, postcodes);

  const accountRng = stream(seed, 'accounts');
  const accountOrder = shuffle(
    accountRng,
    hhs.map((h) => h.id),
  );
  const accountRef = new Array<string>(hhs.length);
  accountOrder.forEach((id, k) => {
    accountRef[id] = `CT${pad(40_000_000 + k * 3 + accountRng.int(3), 8)}`;
  });
  const imdDecileOfOa = geo.oas.map((o) => imd[o.lsoa].decile);
  const vulnerability = drawVulnerability(stream(seed, 'vulnerability'), hhs, imdDecileOfOa);
  const services = buildServices(seed, {
    geo,
    postcodes,
    households: hhs,
    facilities,
    accountRef,
    imdDecileOfOa,
    vulnerabilityChance: vulnerability.chance,
    vulnerable: vulnerability.vulnerable,
    nearest: nearestFacilities(postcodes, facilities),
    residents,
  });

  const path = (name: string) => join(root, name);
  const files: SampleBoroughManifest['files'] = {
    postcodes: path('postcodes.csv'),
    areas: path('areas.csv'),
    base: path('households.csv'),
    boundaries: BOUNDARY_LEVELS.map((level) => ({ level, file: path(`boundaries_${level}.geojson`) })),
    classification: path('classification.csv'),
    segments: path('segments.csv'),
    deprivation: path('imd.csv'),
    facilities: path('facilities.csv'),
    areaVariables: path('area_variables.csv'),
    areaVariableDefinitions: path('area_variable_definitions.csv'),
    truthSegments: path('truth_segments.json'),
    truth: path('truth.json'),
    gazetteer: path('gazetteer.csv'),
    addressLookups: path('address_lookups'),
    truthRecords: path('truth_records.csv'),
    truthResidents: path('truth_residents.csv'),
    truthVulnerability: path('truth_vulnerability.csv'),
    contactTiers: path('contact_tiers.csv'),
    journeys: DEMO_JOURNEYS.map((f) => path(join('journeys', f))),
  };

  writeFileSync(files.postcodes, postcodesCsv(geo, postcodes));
  writeFileSync(files.areas, areasCsv(geo));
  writeFileSync(
    files.base,
    csvText(
      ['area_code', 'households', 'population'],
      geo.oas.map((o, i) => [o.code, o.households, census[i].population]),
    ),
  );
  for (const level of BOUNDARY_LEVELS)
    writeFileSync(path(`boundaries_${level}.geojson`), boundariesGeoJson(geo, level));
  writeFileSync(
    files.classification,
    csvText(
      ['area_code', 'group', 'type'],
      geo.oas.map((o, i) => [o.code, TYPES[typeOfOa[i]].group, TYPES[typeOfOa[i]].code]),
    ),
  );
  writeFileSync(files.segments, segmentsCsv());
  writeFileSync(files.deprivation, imdCsv(geo, imd));
  writeFileSync(files.areaVariables, areaVariablesCsv(geo, census));
  writeFileSync(
    files.areaVariableDefinitions,
    csvText(
      ['variable', 'denominator', 'label'],
      AREA_VARIABLES.map((v) => [v.name, v.per, v.label]),
    ),
  );
  writeFileSync(files.truthSegments, truthSegmentsJson(geo, typeOfOa));
  writeFileSync(files.facilities, facilitiesCsv(facilities, postcodes));
  for (const s of services) writeFileSync(join(root, 'services', s.spec.file), await serviceBytes(s));
  writeGazetteer(files.gazetteer, residents, postcodes);
  mkdirSync(files.addressLookups, { recursive: true });
  writeFileSync(
    join(files.addressLookups, 'ons_synonyms.csv'),
    csvText(
      ['from', 'to'],
      STREET_WORDS.map(([word, short]) => [short.toUpperCase(), word.toUpperCase()]),
    ),
  );
  writeFileSync(join(files.addressLookups, 'ukam_address_abbreviations.json'), '[]\n');
  writeTruthRecords(
    files.truthRecords,
    services.flatMap((s) => s.records),
  );
  writeTruthResidents(files.truthResidents, residents, hhs);
  writeCsvFile(
    files.truthVulnerability,
    ['household', 'property_ref', 'uprn', 'chance', 'vulnerable'],
    hhs.length,
    (i) => [
      i,
      hhs[i].propertyRef,
      residents.uprn[i],
      Math.round(vulnerability.chance[i] * 1e5) / 1e5,
      vulnerability.vulnerable[i] ? 1 : 0,
    ],
  );
  // The journeys are written by hand (src/demo/journeys), the same for every seed.
  mkdirSync(path('journeys'), { recursive: true });
  for (const [i, f] of DEMO_JOURNEYS.entries())
    copyFileSync(new URL(`./journeys/${f}`, import.meta.url), files.journeys[i]);
  writeFileSync(
    files.contactTiers,
    csvText(
      ['reason', 'tier'],
      Object.entries(CONTACT_TIER).map(([reason, tier]) => [reason, tier]),
    ),
  );
  writeFileSync(
    files.truth,
    JSON.stringify(
      {
        seed,
        households,
        extractDate: '2025-12-01',
        messRates: MESS_RATES,
        services: Object.fromEntries(services.map((s) => [s.spec.name, s.truth])),
        vulnerability: {
          note: VULNERABILITY_NOTE,
          households: vulnerability.vulnerable.filter(Boolean).length,
          chanceByGroup: VULNERABILITY_BY_GROUP,
          lifts: Object.fromEntries(
            services.filter((s) => s.truth.vulnerabilityLift).map((s) => [s.spec.name, s.truth.vulnerabilityLift]),
          ),
        },
        people: peopleSummary(residents, services),
      },
      null,
      1,
    ) + '\n',
  );

  return {
    dir: root,
    seed,
    households,
    files,
    services: services.map(({ spec }) => ({
      name: spec.name,
      file: join(root, 'services', spec.file),
      title: spec.title,
      description: spec.description,
      postcodeColumn: spec.postcodeColumn,
      personalColumns: [
        ...spec.personalColumns,
        ...addressColumns(spec.name).filter((c) => !spec.personalColumns.includes(c)),
      ],
      addressColumns: addressColumns(spec.name),
      uprnColumn: uprnColumn(spec.name),
      kind: spec.kind ?? null,
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Writers

function postcodesCsv(geo: Geography, postcodes: readonly Postcode[]): string {
  return csvText(
    ['pcds', 'dointr', 'doterm', 'lat', 'long', 'oa21cd', 'lsoa21cd', 'msoa21cd', 'osward', 'oslaua'],
    postcodes.map((p) => {
      const oa = geo.oas[p.oa];
      const lsoa = geo.lsoas[oa.lsoa];
      return [
        p.pcds,
        p.dointr,
        p.doterm,
        p.lat.toFixed(6),
        p.lon.toFixed(6),
        oa.code,
        lsoa.code,
        geo.msoas[lsoa.msoa].code,
        geo.wards[oa.ward].code,
        LAD.code,
      ];
    }),
  );
}

function areasCsv(geo: Geography): string {
  const rows: Cell[][] = [[LAD.code, 'lad', LAD.name, '']];
  for (const w of geo.wards) rows.push([w.code, 'ward', w.name, LAD.code]);
  for (const m of geo.msoas) rows.push([m.code, 'msoa21', m.name, LAD.code]);
  for (const l of geo.lsoas) rows.push([l.code, 'lsoa21', l.name, geo.msoas[l.msoa].code]);
  // OAs have no names in the ONS files; their code stands in.
  for (const o of geo.oas) rows.push([o.code, 'oa21', o.code, geo.lsoas[o.lsoa].code]);
  return csvText(['code', 'level', 'name', 'parent'], rows);
}

function boundariesGeoJson(geo: Geography, level: 'oa21' | 'lsoa21' | 'msoa21' | 'ward'): string {
  const areas: { code: string; name: string; oas: number[] }[] =
    level === 'oa21'
      ? geo.oas.map((o) => ({ code: o.code, name: o.code, oas: [o.index] }))
      : level === 'lsoa21'
        ? geo.lsoas
        : level === 'msoa21'
          ? geo.msoas
          : (geo.wards as Area[]);
  const features = areas.map((a) => ({
    type: 'Feature',
    properties: { code: a.code, name: a.name },
    geometry: geometry(
      outline(
        geo,
        a.oas.flatMap((o) => geo.oas[o].cells),
      ),
    ),
  }));
  return JSON.stringify({ type: 'FeatureCollection', name: `sample_borough_${level}`, features }) + '\n';
}

function segmentsCsv(): string {
  const rows: Cell[][] = [
    ...GROUPS.map((g) => ['group', g.code, g.name, g.description, '']),
    ...TYPES.map((t) => ['type', t.code, t.name, t.description, t.group]),
  ];
  return csvText(['tier', 'code', 'name', 'description', 'parent'], rows);
}

/** The published IMD layout (file 1), keyed to 2021 LSOAs, with a BOM and "14,785"-style ranks. */
function imdCsv(geo: Geography, imd: readonly Deprivation[]): string {
  const header = [
    'LSOA code (2021)',
    'LSOA name (2021)',
    'Local Authority District code (2024)',
    'Local Authority District name (2024)',
    'Index of Multiple Deprivation (IMD) Rank',
    'Index of Multiple Deprivation (IMD) Decile',
  ];
  return csvText(
    header,
    geo.lsoas.map((l, i) => [l.code, l.name, LAD.code, LAD.name, thousands(imd[i].rank), imd[i].decile]),
    { bom: true },
  );
}

function areaVariablesCsv(geo: Geography, census: readonly OaCensus[]): string {
  const header = ['area_code', 'population', 'households', ...AREA_VARIABLES.map((v) => v.name)];
  return csvText(
    header,
    geo.oas.map((o, i) => [
      o.code,
      census[i].population,
      census[i].households,
      ...AREA_VARIABLES.map((v) => census[i].counts[v.name]),
    ]),
  );
}

function truthSegmentsJson(geo: Geography, typeOfOa: readonly number[]): string {
  const total = geo.oas.reduce((s, o) => s + o.households, 0);
  const hhOf = (pred: (t: number) => boolean) =>
    geo.oas.reduce((s, o, i) => s + (pred(typeOfOa[i]) ? o.households : 0), 0);
  return (
    JSON.stringify(
      {
        note: 'Rates are shares: age_0_15, age_65_plus, students, bad_health and degree_level of population; tenures, lone_parent and no_car of households. "high"/"low" list the variables each group was made to stand out on against the borough.',
        imdLsoasInEngland: IMD_LSOAS_IN_ENGLAND,
        variables: AREA_VARIABLES,
        groups: GROUPS.map((g) => ({
          code: g.code,
          name: g.name,
          high: g.high,
          low: g.low,
          profile: g.profile,
          targetShare: g.share,
          share: Math.round((hhOf((t) => TYPES[t].group === g.code) / total) * 10000) / 10000,
        })),
        types: TYPES.map((t, ti) => ({
          code: t.code,
          group: t.group,
          name: t.name,
          profile: roundProfile(typeProfile(t)),
          share: Math.round((hhOf((x) => x === ti) / total) * 10000) / 10000,
        })),
      },
      null,
      1,
    ) + '\n'
  );
}

const roundProfile = (p: Record<string, number>) =>
  Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Math.round(v * 10000) / 10000]));

function facilitiesCsv(facilities: readonly Facility[], postcodes: readonly Postcode[]): string {
  return csvText(
    ['name', 'type', 'postcode', 'lat', 'lon', 'capacity', 'opening_hours'],
    facilities.map((f) => [
      f.name,
      f.type,
      postcodes[f.postcode].pcds,
      f.lat.toFixed(6),
      f.lon.toFixed(6),
      f.capacity,
      f.openingHours,
    ]),
  );
}

async function serviceBytes({ spec, columns, rows }: ServiceOutput): Promise<Uint8Array> {
  if (spec.file.endsWith('.xlsx')) return xlsxBytes(columns, rows);
  const text = csvText(columns, rows, { eol: spec.eol, bom: spec.bom });
  return spec.encoding === 'windows-1252' ? encodeWindows1252(text) : new TextEncoder().encode(text);
}

/** A plain export: header on row 1, dates as real Excel dates, fixed metadata and zip times. */
async function xlsxBytes(columns: string[], rows: Cell[][]): Promise<Uint8Array> {
  const { default: excel } = await import('exceljs');
  const wb = new excel.Workbook();
  const fixed = new Date(Date.UTC(2025, 11, 1, 9, 0, 0));
  wb.creator = 'Sample Borough Council';
  wb.lastModifiedBy = 'Sample Borough Council';
  wb.created = fixed;
  wb.modified = fixed;
  const ws = wb.addWorksheet('Members');
  ws.addRow(columns);
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(r.map((v) => (v === undefined ? null : v)));
  columns.forEach((_, k) => {
    const col = ws.getColumn(k + 1);
    col.width = 18;
    if (rows.length && rows[0][k] instanceof Date) col.numFmt = 'dd/mm/yyyy';
  });
  const buf = new Uint8Array(await wb.xlsx.writeBuffer());
  return fixZipTimestamps(buf);
}

/** The gazetteer as an LLPG extract gives it: one row per address, its fields, postcode and coordinates. */
function writeGazetteer(path: string, residents: Residents, postcodes: readonly Postcode[]): void {
  const g = residents.gazetteer;
  writeCsvFile(
    path,
    [
      'UPRN',
      'SUB_BUILDING_NAME',
      'BUILDING_NAME',
      'BUILDING_NUMBER',
      'STREET_DESCRIPTION',
      'TOWN_NAME',
      'POSTCODE',
      'LATITUDE',
      'LONGITUDE',
      'BLPU_CLASS',
    ],
    g.length,
    (i) => [
      g[i].uprn,
      g[i].subBuilding,
      g[i].buildingName,
      g[i].number,
      g[i].street,
      TOWN,
      postcodes[g[i].postcode].pcds,
      g[i].lat.toFixed(6),
      g[i].lon.toFixed(6),
      g[i].classification,
    ],
  );
}

/** Each group's chance of a household being vulnerable, before its neighbourhood's deprivation. */
const VULNERABILITY_BY_GROUP: Record<string, number> = {
  A: 0.02,
  B: 0.06,
  C: 0.03,
  D: 0.03,
  E: 0.09,
  F: 0.12,
  G: 0.01,
};
const VULNERABILITY_NOTE =
  "a household is vulnerable with its group's chance times 1.3 − 0.06·(IMD decile − 1); the files with a lift (social care, blue badges, housing benefit, homelessness) are that many times likelier to hold a vulnerable household, their expected rates unchanged";

/** The generator's truth about who is vulnerable: each household's chance, and a draw from it (a stream of its own). */
function drawVulnerability(
  rng: Random,
  hhs: readonly Household[],
  imdDecileOfOa: readonly number[],
): { chance: number[]; vulnerable: boolean[] } {
  const chance = hhs.map((h) =>
    Math.min(0.9, VULNERABILITY_BY_GROUP[TYPES[h.type].group] * (1.3 - 0.06 * (imdDecileOfOa[h.oa] - 1))),
  );
  return { chance, vulnerable: chance.map((q) => rng.next() < q) };
}

function writeTruthRecords(path: string, records: readonly RecordTruth[]): void {
  writeCsvFile(
    path,
    [
      'dataset',
      'row',
      'record_id',
      'person_id',
      'household',
      'property_ref',
      'uprn',
      'address_uprn',
      'child_id',
      'errors',
    ],
    records.length,
    (i) => {
      const r = records[i];
      return [
        r.dataset,
        r.row,
        r.recordId,
        r.person,
        r.household,
        r.propertyRef,
        r.uprn,
        r.addressUprn,
        r.child ?? '',
        r.errors.join(';'),
      ];
    },
  );
}

function writeTruthResidents(path: string, residents: Residents, hhs: readonly { propertyRef: string }[]): void {
  const all = residents.members.flat();
  writeCsvFile(
    path,
    ['person_id', 'household', 'property_ref', 'uprn', 'role', 'first', 'last', 'sex', 'dob'],
    all.length,
    (i) => {
      const m = all[i];
      return [
        m.id,
        m.household,
        hhs[m.household].propertyRef,
        residents.uprn[m.household],
        m.role,
        m.person.first,
        m.person.last,
        m.person.sex,
        isoDate(m.person.dob),
      ];
    },
  );
}

/** Counts for truth.json: residents, gazetteer entries, and the mistakes made in each file. */
function peopleSummary(residents: Residents, services: readonly ServiceOutput[]) {
  const errors = (list: readonly RecordTruth[]) => {
    const out: Record<string, number> = {};
    for (const r of list) for (const e of r.errors) out[e] = (out[e] ?? 0) + 1;
    return Object.fromEntries(Object.entries(out).sort());
  };
  return {
    residents: residents.members.reduce((s, m) => s + m.length, 0),
    gazetteer: residents.gazetteer.length,
    gazetteerWithoutHousehold: residents.gazetteer.filter((e) => e.household < 0).length,
    services: Object.fromEntries(
      services.map((s) => [
        s.spec.name,
        {
          rows: s.records.length,
          people: new Set(s.records.map((r) => r.person)).size,
          rowsWithErrors: s.records.filter((r) => r.errors.length).length,
          errors: errors(s.records),
        },
      ]),
    ),
  };
}
