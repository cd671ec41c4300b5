/**
 * Sample Borough: the generator's promises, checked on a 20,000-household borough.
 * Run with: node --import tsx --test test/demo/generate.test.ts
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import ExcelJS from 'exceljs';
import Flatbush from 'flatbush';
import Papa from 'papaparse';
import { fix, isValid, toNormalised } from 'postcode';
import { ParameterError } from '../../src/core/errors.ts';
import {
  generateSampleBorough,
  MESS_RATES,
  TYPES,
  type SampleBoroughManifest,
  type ServiceTruth,
} from '../../src/demo/index.ts';

const HOUSEHOLDS = 20_000;
type Row = Record<string, string>;
type Geom = { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };
type Feature = { type: 'Feature'; properties: { code: string; name: string }; geometry: Geom };

let root: string;
let m: SampleBoroughManifest;
let twin: SampleBoroughManifest;
let other: SampleBoroughManifest;

// Loaded once the borough exists.
let postcodes: Row[];
let live: Map<string, Row>;
let directory: Map<string, Row>;
let households: Map<string, { households: number; population: number }>;
let groupOfOa: Map<string, string>;
let areas: Row[];
let boundaries: Record<string, Feature[]>;

function readCsv(path: string): Row[] {
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  const parsed = Papa.parse<Row>(text, { header: true, skipEmptyLines: true });
  assert.equal(parsed.errors.length, 0, `${path}: ${JSON.stringify(parsed.errors.slice(0, 3))}`);
  return parsed.data;
}
const headerOf = (path: string) =>
  readFileSync(path, 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)[0];
const serviceFile = (name: string) => m.services.find((s) => s.name === name)!;
const truth = () =>
  JSON.parse(readFileSync(m.files.truth, 'utf8')) as {
    seed: number;
    households: number;
    services: Record<string, ServiceTruth>;
  };

function allFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const p = join(dir, name);
      return statSync(p).isDirectory() ? allFiles(p) : [p];
    })
    .sort();
}
const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'sample-borough-'));
  m = await generateSampleBorough(join(root, 'a'), { seed: 7, households: HOUSEHOLDS });
  twin = await generateSampleBorough(join(root, 'b'), { seed: 7, households: HOUSEHOLDS });
  other = await generateSampleBorough(join(root, 'c'), { seed: 8, households: HOUSEHOLDS });

  postcodes = readCsv(m.files.postcodes);
  directory = new Map(postcodes.map((p) => [p.pcds, p]));
  live = new Map(postcodes.filter((p) => !p.doterm).map((p) => [p.pcds, p]));
  households = new Map(
    readCsv(m.files.base).map((r) => [
      r.area_code,
      { households: Number(r.households), population: Number(r.population) },
    ]),
  );
  groupOfOa = new Map(readCsv(m.files.classification).map((r) => [r.area_code, r.group]));
  areas = readCsv(m.files.areas);
  boundaries = Object.fromEntries(
    m.files.boundaries.map((b) => [b.level, JSON.parse(readFileSync(b.file, 'utf8')).features as Feature[]]),
  );
});

after(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('determinism', () => {
  test('the same seed gives byte-identical files; another seed gives different ones', () => {
    const a = allFiles(m.dir),
      b = allFiles(twin.dir),
      c = allFiles(other.dir);
    assert.deepEqual(
      a.map((p) => relative(m.dir, p)),
      b.map((p) => relative(twin.dir, p)),
    );
    assert.ok(a.length >= 25, `expected every file, got ${a.length}`);
    for (let i = 0; i < a.length; i++)
      assert.equal(sha(a[i]), sha(b[i]), `${relative(m.dir, a[i])} differs between runs`);
    // The address lookups and the contact reasons' tiers are the same lists whatever the seed, and
    // the journeys are written by hand.
    const seeded = a.filter(
      (p) =>
        !p.includes('address_lookups') &&
        !p.endsWith('contact_tiers.csv') &&
        !relative(m.dir, p).startsWith('journeys'),
    );
    const differing = seeded.filter((p) => sha(p) !== sha(c[a.indexOf(p)]));
    assert.ok(
      differing.length >= seeded.length - 2,
      `only ${differing.length} of ${seeded.length} files changed with the seed`,
    );
  });

  test('rejects impossible options with a ParameterError', async () => {
    await assert.rejects(generateSampleBorough(join(root, 'bad'), { households: 10 }), ParameterError);
    await assert.rejects(generateSampleBorough(join(root, 'bad'), { seed: -1 }), ParameterError);
  });
});

describe('manifest', () => {
  test('paths are absolute and exist; services describe their files', () => {
    assert.equal(m.seed, 7);
    assert.equal(m.households, HOUSEHOLDS);
    const paths = [
      m.files.postcodes,
      m.files.areas,
      m.files.base,
      m.files.classification,
      m.files.segments,
      m.files.deprivation,
      m.files.facilities,
      ...m.files.boundaries.map((b) => b.file),
      ...m.services.map((s) => s.file),
    ];
    for (const p of paths) assert.ok(isAbsolute(p) && existsSync(p), p);
    assert.deepEqual(
      m.files.boundaries.map((b) => b.level),
      ['oa21', 'lsoa21', 'msoa21', 'ward'],
    );
    assert.ok(m.services.length >= 12, `${m.services.length} services`);
    for (const s of m.services) {
      if (s.file.endsWith('.xlsx')) continue;
      const text =
        s.name === 'blue_badge'
          ? new TextDecoder('windows-1252').decode(readFileSync(s.file))
          : readFileSync(s.file, 'utf8');
      const header = text
        .replace(/^\uFEFF/, '')
        .split(/\r?\n/)[0]
        .split(',');
      assert.ok(header.includes(s.postcodeColumn), `${s.name}: no column ${s.postcodeColumn}`);
      for (const c of s.personalColumns) assert.ok(header.includes(c), `${s.name}: no personal column ${c}`);
      assert.ok(s.personalColumns.length > 0 && s.title && s.description, `${s.name} is not fully described`);
    }
  });
});

describe('postcodes and households', () => {
  test('the header is ONSPD-style and every postcode is valid, normalised and unique', () => {
    assert.equal(headerOf(m.files.postcodes), 'pcds,dointr,doterm,lat,long,oa21cd,lsoa21cd,msoa21cd,osward,oslaua');
    assert.equal(directory.size, postcodes.length);
    for (const p of postcodes) {
      assert.ok(isValid(p.pcds) && toNormalised(p.pcds) === p.pcds && /^SB\d{1,2} \d[A-Z]{2}$/.test(p.pcds), p.pcds);
      assert.match(p.dointr, /^(19|20)\d{2}(0[1-9]|1[0-2])$/);
      assert.match(p.doterm, /^((19|20)\d{2}(0[1-9]|1[0-2]))?$/);
      assert.match(p.lat, /^\d+\.\d{6}$/);
      assert.match(p.long, /^-\d+\.\d{6}$/);
      assert.equal(p.oslaua, 'E09999001');
    }
    const terminated = postcodes.length - live.size;
    assert.ok(terminated >= 20 && terminated <= 45, `${terminated} terminated postcodes`);
    const perPostcode = HOUSEHOLDS / live.size;
    assert.ok(perPostcode >= 12 && perPostcode <= 20, `${perPostcode.toFixed(1)} households per postcode`);
  });

  test('households total the requested count and add up from postcodes to OAs', () => {
    let total = 0;
    for (const [code, h] of households) {
      assert.ok(h.households >= 80 && h.households <= 200, `${code}: ${h.households} households`);
      const size = h.population / h.households;
      assert.ok(size >= 2.1 && size <= 2.6, `${code}: ${size.toFixed(2)} people per household`);
      total += h.households;
    }
    assert.ok(Math.abs(total - HOUSEHOLDS) <= HOUSEHOLDS * 0.005, `total ${total}`);
    // Council tax lists every household: count them by postcode and sum to OAs.
    const ct = readCsv(serviceFile('council_tax_payment').file);
    assert.equal(ct.length, total);
    const byOa = new Map<string, number>();
    const perPostcode = new Map<string, number>();
    for (const r of ct) {
      const p = live.get(r.postcode);
      assert.ok(p, `council tax postcode ${r.postcode} is not a live postcode`);
      byOa.set(p.oa21cd, (byOa.get(p.oa21cd) ?? 0) + 1);
      perPostcode.set(r.postcode, (perPostcode.get(r.postcode) ?? 0) + 1);
    }
    for (const [code, h] of households) assert.equal(byOa.get(code), h.households, code);
    assert.equal(perPostcode.size, live.size, 'every live postcode has households');
    for (const [pc, n] of perPostcode) assert.ok(n >= 5 && n <= 30, `${pc}: ${n} households`);
  });

  test('postcode districts are spatially coherent: each MSOA lies in one district', () => {
    const districts = new Map<string, Set<string>>();
    for (const p of postcodes) {
      const d = p.pcds.split(' ')[0];
      if (!districts.has(p.msoa21cd)) districts.set(p.msoa21cd, new Set());
      districts.get(p.msoa21cd)!.add(d);
    }
    for (const [msoa, ds] of districts) assert.equal(ds.size, 1, `${msoa} is split across ${[...ds]}`);
  });
});

describe('areas and boundaries', () => {
  test('the hierarchy has plausible sizes, ONS-style codes, names and consistent parents', () => {
    const byLevel = (level: string) => areas.filter((a) => a.level === level);
    const oas = byLevel('oa21'),
      lsoas = byLevel('lsoa21'),
      msoas = byLevel('msoa21'),
      wards = byLevel('ward');
    assert.deepEqual(
      byLevel('lad').map((a) => [a.code, a.name, a.parent]),
      [['E09999001', 'Sample Borough', '']],
    );
    assert.equal(oas.length, households.size);
    const perOa = HOUSEHOLDS / oas.length;
    assert.ok(perOa >= 110 && perOa <= 150, `${perOa.toFixed(0)} households per OA`);
    assert.ok(Math.abs(oas.length / lsoas.length - 5) < 0.8, `${oas.length} OAs in ${lsoas.length} LSOAs`);
    assert.ok(
      lsoas.length / msoas.length >= 5 && lsoas.length / msoas.length <= 9,
      `${lsoas.length} LSOAs in ${msoas.length} MSOAs`,
    );
    assert.ok(wards.length >= 3, `${wards.length} wards`);
    for (const a of oas) assert.match(a.code, /^E009\d{5}$/);
    for (const a of lsoas) {
      assert.match(a.code, /^E019\d{5}$/);
      assert.match(a.name, /^Sample Borough \d{3}[A-Z]$/);
    }
    for (const a of msoas) {
      assert.match(a.code, /^E029\d{5}$/);
      assert.match(a.name, /^Sample Borough \d{3}$/);
    }
    for (const a of wards) {
      assert.match(a.code, /^E059\d{5}$/);
      assert.ok(!/\d/.test(a.name), a.name);
    }
    // Postcodes agree with areas.csv, and wards are unions of whole LSOAs.
    const parent = new Map(areas.map((a) => [a.code, a.parent]));
    const wardOfLsoa = new Map<string, string>();
    for (const p of postcodes) {
      assert.equal(parent.get(p.oa21cd), p.lsoa21cd);
      assert.equal(parent.get(p.lsoa21cd), p.msoa21cd);
      assert.equal(wardOfLsoa.get(p.lsoa21cd) ?? p.osward, p.osward, `${p.lsoa21cd} is split between wards`);
      wardOfLsoa.set(p.lsoa21cd, p.osward);
    }
    for (const level of ['oa21', 'lsoa21', 'msoa21', 'ward']) {
      assert.deepEqual(
        boundaries[level].map((f) => f.properties.code).sort(),
        byLevel(level)
          .map((a) => a.code)
          .sort(),
        level,
      );
    }
  });

  test('every postcode lies strictly inside its OA, and OAs lie inside their LSOA and ward', () => {
    const polygon = (level: string) => new Map(boundaries[level].map((f) => [f.properties.code, f.geometry]));
    const oa = polygon('oa21'),
      lsoa = polygon('lsoa21'),
      ward = polygon('ward');
    for (const p of postcodes) {
      const pt = [Number(p.long), Number(p.lat)];
      assert.ok(
        booleanPointInPolygon(pt, oa.get(p.oa21cd)!, { ignoreBoundary: true }),
        `${p.pcds} is not inside ${p.oa21cd}`,
      );
      assert.ok(
        booleanPointInPolygon(pt, lsoa.get(p.lsoa21cd)!, { ignoreBoundary: true }),
        `${p.pcds} is not inside ${p.lsoa21cd}`,
      );
      assert.ok(
        booleanPointInPolygon(pt, ward.get(p.osward)!, { ignoreBoundary: true }),
        `${p.pcds} is not inside ${p.osward}`,
      );
    }
    // OA outlines are built from the same vertices as their LSOA's: every vertex is in or on it.
    const lsoaOf = new Map(areas.filter((a) => a.level === 'oa21').map((a) => [a.code, a.parent]));
    for (const f of boundaries.oa21) {
      const rings = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
      for (const ring of rings.flat()) {
        for (const v of ring)
          assert.ok(
            booleanPointInPolygon(v, lsoa.get(lsoaOf.get(f.properties.code)!)!),
            `${f.properties.code} vertex outside its LSOA`,
          );
      }
    }
  });

  test('OA polygons tile the borough: no overlaps and no gaps', () => {
    const feats = boundaries.oa21;
    const index = new Flatbush(feats.length);
    let minX = Infinity,
      minY = Infinity,
      maxX = -Infinity,
      maxY = -Infinity;
    for (const f of feats) {
      const pts = (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates).flat(2);
      const xs = pts.map((p) => p[0]),
        ys = pts.map((p) => p[1]);
      index.add(Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys));
      minX = Math.min(minX, ...xs);
      minY = Math.min(minY, ...ys);
      maxX = Math.max(maxX, ...xs);
      maxY = Math.max(maxY, ...ys);
    }
    index.finish();
    // Deterministic sample points (a fine lattice with an irrational offset).
    let inside = 0;
    const n = 70;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const x = minX + ((i + 0.5 + 0.2137 * ((j * 7) % 5)) / (n + 1)) * (maxX - minX);
        const y = minY + ((j + 0.5 + 0.1414 * ((i * 3) % 7)) / (n + 1)) * (maxY - minY);
        const hits = index
          .search(x, y, x, y)
          .filter((k) => booleanPointInPolygon([x, y], feats[k].geometry, { ignoreBoundary: true }));
        assert.ok(hits.length <= 1, `(${x}, ${y}) is in ${hits.length} OAs`);
        const inWard = boundaries.ward.some((w) => booleanPointInPolygon([x, y], w.geometry, { ignoreBoundary: true }));
        if (inWard) {
          assert.equal(hits.length, 1, `(${x}, ${y}) is in a ward but no OA`);
          inside++;
        }
      }
    }
    assert.ok(inside > n * n * 0.4, `only ${inside} sample points fell inside the borough`);
  });
});

describe('classification and segments', () => {
  test('segments.csv has 7 groups and about 20 types with pen portraits', () => {
    assert.equal(headerOf(m.files.segments), 'tier,code,name,description,parent');
    const segs = readCsv(m.files.segments);
    const groups = segs.filter((s) => s.tier === 'group');
    const types = segs.filter((s) => s.tier === 'type');
    assert.deepEqual(
      groups.map((g) => g.code),
      ['A', 'B', 'C', 'D', 'E', 'F', 'G'],
    );
    assert.ok(types.length >= 18 && types.length <= 24, `${types.length} types`);
    for (const g of groups) {
      const n = types.filter((t) => t.parent === g.code).length;
      assert.ok(n >= 2 && n <= 4, `${g.code} has ${n} types`);
      assert.equal(g.parent, '');
    }
    for (const s of segs) assert.ok(s.name.length > 5 && s.description.length > 40, s.code);
    for (const t of types) assert.match(t.code, new RegExp(`^${t.parent}\\d$`));
  });

  test('every OA has a group and type; group shares of households are 5–25%', () => {
    const cls = readCsv(m.files.classification);
    assert.equal(cls.length, households.size);
    const share = new Map<string, number>();
    for (const r of cls) {
      assert.ok(r.type.startsWith(r.group), `${r.area_code}: type ${r.type} in group ${r.group}`);
      share.set(r.group, (share.get(r.group) ?? 0) + households.get(r.area_code)!.households / HOUSEHOLDS);
    }
    for (const g of 'ABCDEFG')
      assert.ok((share.get(g) ?? 0) >= 0.05 && (share.get(g) ?? 0) <= 0.25, `${g}: ${share.get(g)}`);
  });

  test('neighbouring OAs tend to share a group', () => {
    // OAs sharing two or more vertices share an edge.
    const owners = new Map<string, Set<string>>();
    for (const f of boundaries.oa21) {
      const rings = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
      for (const v of rings.flat(2)) {
        const key = `${v[0]},${v[1]}`;
        if (!owners.has(key)) owners.set(key, new Set());
        owners.get(key)!.add(f.properties.code);
      }
    }
    const shared = new Map<string, number>();
    for (const set of owners.values()) {
      const list = [...set].sort();
      for (let i = 0; i < list.length; i++)
        for (let j = i + 1; j < list.length; j++) {
          const k = `${list[i]}|${list[j]}`;
          shared.set(k, (shared.get(k) ?? 0) + 1);
        }
    }
    const pairs = [...shared].filter(([, n]) => n >= 2).map(([k]) => k.split('|'));
    const same = pairs.filter(([a, b]) => groupOfOa.get(a) === groupOfOa.get(b)).length / pairs.length;
    const counts = new Map<string, number>();
    for (const g of groupOfOa.values()) counts.set(g, (counts.get(g) ?? 0) + 1);
    const chance = [...counts.values()].reduce((s, c) => s + (c / groupOfOa.size) ** 2, 0);
    assert.ok(
      same > chance + 0.15,
      `neighbours share a group ${(same * 100).toFixed(0)}% of the time (chance ${(chance * 100).toFixed(0)}%)`,
    );
  });

  test('area variables give each group its intended high and low variables, and identify the groups', () => {
    const vars = readCsv(m.files.areaVariables);
    const ts = JSON.parse(readFileSync(m.files.truthSegments, 'utf8')) as {
      variables: { name: string; per: 'population' | 'households' }[];
      groups: { code: string; high: string[]; low: string[] }[];
    };
    const denom = (r: Row, per: string) => Number(per === 'population' ? r.population : r.households);
    const rate = (rows: Row[], v: { name: string; per: string }) =>
      rows.reduce((s, r) => s + Number(r[v.name]), 0) / rows.reduce((s, r) => s + denom(r, v.per), 0);
    for (const g of ts.groups) {
      const rows = vars.filter((r) => groupOfOa.get(r.area_code) === g.code);
      for (const v of ts.variables) {
        const index = (100 * rate(rows, v)) / rate(vars, v);
        if (g.high.includes(v.name))
          assert.ok(index >= 115, `${g.code} ${v.name} index ${index.toFixed(0)} should be high`);
        if (g.low.includes(v.name))
          assert.ok(index <= 85, `${g.code} ${v.name} index ${index.toFixed(0)} should be low`);
      }
    }
    // Nearest group centre on z-scored rates recovers most OAs' groups.
    const x = vars.map((r) => ts.variables.map((v) => Number(r[v.name]) / denom(r, v.per)));
    const mean = ts.variables.map((_, k) => x.reduce((s, r) => s + r[k], 0) / x.length);
    const sd = ts.variables.map((_, k) => Math.sqrt(x.reduce((s, r) => s + (r[k] - mean[k]) ** 2, 0) / x.length));
    const z = x.map((r) => r.map((val, k) => (val - mean[k]) / sd[k]));
    const centres = new Map(
      [...'ABCDEFG'].map((g) => {
        const rows = z.filter((_, i) => groupOfOa.get(vars[i].area_code) === g);
        return [g, ts.variables.map((_, k) => rows.reduce((s, r) => s + r[k], 0) / rows.length)];
      }),
    );
    let right = 0;
    z.forEach((r, i) => {
      let best = '',
        bestD = Infinity;
      for (const [g, c] of centres) {
        const d = r.reduce((s, v, k) => s + (v - c[k]) ** 2, 0);
        if (d < bestD) {
          bestD = d;
          best = g;
        }
      }
      if (best === groupOfOa.get(vars[i].area_code)) right++;
    });
    assert.ok(right / z.length >= 0.85, `nearest centre recovers ${((100 * right) / z.length).toFixed(0)}% of groups`);
  });
});

describe('deprivation', () => {
  test('imd.csv follows the published layout and tracks the segment mix', () => {
    const raw = readFileSync(m.files.deprivation, 'utf8');
    assert.ok(raw.startsWith('\uFEFF'), 'no byte-order mark');
    assert.equal(
      headerOf(m.files.deprivation),
      'LSOA code (2021),LSOA name (2021),Local Authority District code (2024),Local Authority District name (2024),Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile',
    );
    for (const line of raw.split('\n').slice(1).filter(Boolean)) {
      const rankText = line.split(',').slice(4, -1).join(',');
      const rank = Number(rankText.replace(/[",]/g, ''));
      assert.equal(rankText, rank >= 1000 ? `"${rank.toLocaleString('en-GB')}"` : String(rank), line);
    }
    const rows = readCsv(m.files.deprivation);
    const lsoas = areas.filter((a) => a.level === 'lsoa21');
    assert.equal(rows.length, lsoas.length);
    const mix = new Map<string, Record<string, number>>();
    for (const a of areas.filter((x) => x.level === 'oa21')) {
      const g = groupOfOa.get(a.code)!;
      const rec = mix.get(a.parent) ?? {};
      rec[g] = (rec[g] ?? 0) + households.get(a.code)!.households;
      mix.set(a.parent, rec);
    }
    const deprived: number[] = [],
      affluent: number[] = [];
    const ranks = new Set<number>();
    for (const r of rows) {
      const rank = Number(r['Index of Multiple Deprivation (IMD) Rank'].replace(/,/g, ''));
      const decile = Number(r['Index of Multiple Deprivation (IMD) Decile']);
      assert.ok(rank >= 1 && rank <= 33_755, `rank ${rank}`);
      assert.equal(decile, Math.min(10, Math.max(1, Math.ceil(rank / 3375.5))));
      ranks.add(rank);
      const mx = mix.get(r['LSOA code (2021)'])!;
      const tot = Object.values(mx).reduce((a, b) => a + b, 0);
      if (((mx.E ?? 0) + (mx.F ?? 0)) / tot > 0.5) deprived.push(rank);
      if (((mx.A ?? 0) + (mx.B ?? 0)) / tot > 0.5) affluent.push(rank);
    }
    assert.equal(ranks.size, rows.length, 'ranks are unique');
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(deprived.length > 0 && affluent.length > 0, 'no mostly-E/F or mostly-A/B LSOAs');
    assert.ok(
      avg(deprived) < 10_000 && avg(affluent) > 20_000,
      `mean rank: E/F areas ${avg(deprived)}, A/B areas ${avg(affluent)}`,
    );
  });
});

describe('facilities', () => {
  test('the expected facilities, each at a live postcode', () => {
    assert.equal(headerOf(m.files.facilities), 'name,type,postcode,lat,lon,capacity,opening_hours');
    const rows = readCsv(m.files.facilities);
    const count = (t: string) => rows.filter((r) => r.type === t).length;
    assert.deepEqual(
      [
        count('library'),
        count('childrens_centre'),
        count('gp_surgery'),
        count('customer_service_point'),
        count('hwrc'),
        count('leisure_centre'),
      ],
      [8, 5, 15, 3, 1, 2],
    );
    for (const r of rows) {
      const p = live.get(r.postcode);
      assert.ok(p, `${r.name}: ${r.postcode} is not live`);
      assert.equal(r.lat, p.lat);
      assert.equal(r.lon, p.long);
      assert.ok(Number(r.capacity) > 0 && r.opening_hours, `${r.name}: capacity or hours missing`);
    }
    assert.equal(new Set(rows.map((r) => r.name)).size, rows.length, 'names are unique');
  });
});

describe('service files', () => {
  /** Where each service record's postcode lands once cleaned as intake would. */
  function classify(raw: string): 'exact' | 'format' | 'slip' | 'terminated' | 'foreign' | 'invalid' {
    if (live.has(raw)) return 'exact';
    if (directory.has(raw)) return 'terminated';
    if (isValid(raw)) {
      const n = toNormalised(raw)!;
      if (live.has(n)) return 'format';
      return directory.has(n) ? 'terminated' : 'foreign';
    }
    const fixed = fix(raw);
    if (isValid(fixed) && live.has(toNormalised(fixed)!)) return 'slip';
    return 'invalid';
  }

  test('stop smoking take-up is concentrated in group E (at least twice the borough rate)', () => {
    const rows = readCsv(serviceFile('stop_smoking_clinic').file);
    const byGroup = new Map<string, number>();
    let matched = 0;
    for (const r of rows) {
      const p = live.get(r.postcode);
      if (!p) continue;
      matched++;
      const g = groupOfOa.get(p.oa21cd)!;
      byGroup.set(g, (byGroup.get(g) ?? 0) + 1);
    }
    let eHouseholds = 0;
    for (const [code, h] of households) if (groupOfOa.get(code) === 'E') eHouseholds += h.households;
    const eRate = (byGroup.get('E') ?? 0) / eHouseholds;
    const boroughRate = matched / HOUSEHOLDS;
    assert.ok(eRate >= 2 * boroughRate, `E ${(100 * eRate).toFixed(2)}% vs borough ${(100 * boroughRate).toFixed(2)}%`);
  });

  test('truth.json gives propensities per type and expected counts per OA that match the files', () => {
    const t = truth();
    assert.equal(t.seed, 7);
    assert.equal(t.households, HOUSEHOLDS);
    let rows = 0;
    for (const s of m.services) {
      const st = t.services[s.name];
      assert.ok(st, s.name);
      assert.deepEqual(Object.keys(st.propensityByType).sort(), TYPES.map((x) => x.code).sort());
      assert.equal(Object.keys(st.expectedByOa).length, households.size);
      const expected = Object.values(st.expectedByOa).reduce((a, b) => a + b, 0);
      assert.ok(
        Math.abs(st.households - expected) <= 4 * Math.sqrt(expected) + 1,
        `${s.name}: ${st.households} households vs ${expected.toFixed(0)} expected`,
      );
      rows += st.rows;
    }
    // Roughly 80–150k rows at 100,000 households; proportionally fewer here.
    assert.ok(rows >= 16_000 && rows <= 32_000, `${rows} rows in all`);
  });

  test('messy files carry each kind of postcode mistake at about its stated rate; clean files have none', () => {
    const t = truth();
    const totals = { exact: 0, format: 0, slip: 0, terminated: 0, foreign: 0, invalid: 0 };
    let n = 0;
    for (const s of m.services.filter((x) => x.file.endsWith('.csv'))) {
      const text =
        s.name === 'blue_badge'
          ? new TextDecoder('windows-1252').decode(readFileSync(s.file))
          : readFileSync(s.file, 'utf8');
      const rows = Papa.parse<Row>(text.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true }).data;
      const counts = { exact: 0, format: 0, slip: 0, terminated: 0, foreign: 0, invalid: 0 };
      for (const r of rows) counts[classify(r[s.postcodeColumn])]++;
      const st = t.services[s.name];
      if (!st.messy) {
        assert.equal(counts.exact, rows.length, `${s.name} should be clean`);
        continue;
      }
      // The file's own accounting matches what an importer would find.
      assert.deepEqual(
        [counts.format, counts.slip, counts.terminated, counts.foreign, counts.invalid],
        [st.mess.format, st.mess.slip, st.mess.terminated, st.mess.foreign, st.mess.blank],
        s.name,
      );
      for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += counts[k];
      n += rows.length;
    }
    const rate = (x: number) => x / n;
    const near = (x: number, target: number) => rate(x) >= target * 0.4 && rate(x) <= target * 2;
    assert.ok(near(totals.format, MESS_RATES.format), `format ${rate(totals.format)}`);
    assert.ok(near(totals.slip, MESS_RATES.slip), `slip ${rate(totals.slip)}`);
    assert.ok(near(totals.foreign, MESS_RATES.foreign), `foreign ${rate(totals.foreign)}`);
    assert.ok(near(totals.invalid, MESS_RATES.blank), `blank ${rate(totals.invalid)}`);
    assert.ok(totals.terminated > 0, 'no terminated postcodes');
  });

  test('some fields are quoted because they contain commas', () => {
    const text = readFileSync(serviceFile('housing_benefit').file, 'utf8');
    assert.match(text, /"[A-Z'-]+, [^"]+"/);
    const rows = readCsv(serviceFile('housing_benefit').file);
    assert.ok(rows.every((r) => r.claimant_name.includes(', ')));
  });

  test('blue_badge.csv is Windows-1252 (not UTF-8) with £ signs and accented names', () => {
    const bytes = readFileSync(serviceFile('blue_badge').file);
    assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    assert.ok(bytes.includes(0xa3), 'no £ byte');
    const text = new TextDecoder('windows-1252').decode(bytes);
    assert.match(text, /£10 fee paid/);
    assert.match(text, /\r\n/);
    const rows = Papa.parse<Row>(text, { header: true, skipEmptyLines: true }).data;
    assert.ok(
      rows.some((r) => /[À-ÿ]/.test(r.forename)),
      'no accented names',
    );
  });

  test('library_members.xlsx has its header on row 1 and real dates', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(serviceFile('library_members').file);
    const ws = wb.worksheets[0];
    assert.deepEqual((ws.getRow(1).values as unknown[]).slice(1), [
      'Member ID',
      'Name',
      'Date of birth',
      'Postcode',
      'Branch',
      'Joined',
      'Address 1',
      'Address 2',
      'Town',
    ]);
    assert.equal(ws.rowCount - 1, truth().services.library_members.rows);
    const row = ws.getRow(2);
    assert.ok(
      row.getCell(3).value instanceof Date && row.getCell(6).value instanceof Date,
      'dates are not Excel dates',
    );
  });
});
